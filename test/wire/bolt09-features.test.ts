// BOLT 9 feature bits: the table against the reference data copied from the BOLT 9 table, the
// Features value type, negotiation (BOLT 1 "The init Message") and dependency checks.
import { describe, expect, it } from 'vitest';
import { FEATURES, featureOfBit, type FeatureContext } from '../../src/wire/feature-table.js';
import {
  bitsOutsideContext,
  FeatureDependencyError,
  Features,
  negotiateFeatures,
  validateFeatureDependencies,
} from '../../src/wire/features.js';
import {
  ourChannelTypes,
  ourInitFeatures,
  ourInvoiceFeatures,
  ourNodeAnnouncementFeatures,
} from '../../src/wire/our-features.js';
import { hex, loadVectors, toHex } from './vectors.js';

interface Row {
  name: string;
  even_bit: number;
  odd_bit: number;
  assumed: boolean;
  context: string[];
  dependencies: string[];
}
const ref = loadVectors('bolt09-features.json') as { features: Row[] };

const letter: Record<string, FeatureContext> = {
  I: 'init',
  N: 'node',
  C: 'channel',
  '9': 'invoice',
  B: 'blindedPath',
  T: 'channelType',
};

describe('BOLT 9 feature table', () => {
  it('matches the 23 features of the reference data', () => {
    expect(ref.features.length).toBe(23);
    expect(FEATURES.length).toBe(ref.features.length);
    for (const row of ref.features) {
      const info = featureOfBit(row.even_bit);
      expect(info?.name).toBe(row.name);
      expect(featureOfBit(row.odd_bit)).toBe(info);
      expect(info!.evenBit + 1).toBe(row.odd_bit);
      expect(info!.assumed).toBe(row.assumed);
      expect([...info!.contexts].sort()).toEqual(row.context.map((c) => letter[c]!).sort());
      expect([...info!.dependencies]).toEqual(row.dependencies);
    }
  });
});

describe('Features', () => {
  it('sets, tests and clears bits, and encodes big-endian and minimal', () => {
    const f = Features.empty().set(0).set(9).set(17);
    expect(f.has(0)).toBe(true);
    expect(f.has(1)).toBe(false);
    expect(f.bits()).toEqual([0, 9, 17]);
    expect(toHex(f.toBytes())).toBe('020201');
    expect(f.clear(17).bits()).toEqual([0, 9]);
    expect(toHex(f.clear(17).toBytes())).toBe('0201');
    expect(Features.fromBytes(hex('0000020201')).equals(f)).toBe(true);
    expect(toHex(Features.empty().toBytes())).toBe('');
    expect(f.has(-1)).toBe(false);
    expect(f.has(1e9)).toBe(false);
  });

  it('names optional and required features', () => {
    const f = Features.empty().setOptional('basic_mpp').setRequired('payment_secret');
    expect(f.supports('basic_mpp')).toBe(true);
    expect(f.requires('basic_mpp')).toBe(false);
    expect(f.requires('payment_secret')).toBe(true);
    expect(f.setRequired('basic_mpp').bits()).toEqual([14, 16]);
    expect(f.without('basic_mpp').supports('basic_mpp')).toBe(false);
    expect(f.names()).toEqual(['payment_secret', 'basic_mpp']);
  });

  it('treats both bits of a pair set as required (BOLT 9)', () => {
    const f = Features.fromBits([16, 17]);
    expect(f.requires('basic_mpp')).toBe(true);
  });

  it('ORs globalfeatures into features for init (BOLT 1)', () => {
    const f = Features.fromInit(hex('2200'), hex('02'));
    expect(f.bits()).toEqual([1, 9, 13]);
  });

  it('refuses bad bit numbers with APIMisuse', () => {
    const misuse = expect.objectContaining({ code: 'APIMisuse' });
    expect(() => Features.empty().set(-1)).toThrow(misuse);
    expect(() => Features.empty().set(1.5)).toThrow(misuse);
    expect(() => Features.fromBits([70000 * 8])).toThrow(misuse);
  });

  it('reports unknown bits and required bits we do not offer', () => {
    const theirs = Features.fromBits([0, 9, 100, 103]);
    expect(theirs.unknownBits()).toEqual([100, 103]);
    expect(theirs.requiredBitsNotIn(ourInitFeatures)).toEqual([100]);
  });
});

describe('feature negotiation (BOLT 1)', () => {
  it('fails when the peer requires a bit we do not offer', () => {
    const r = negotiateFeatures(ourInitFeatures, Features.fromBits([0, 28]));
    expect(r).toEqual({ ok: false, unsupportedRequiredBits: [28] });
  });

  it('ignores unknown odd bits', () => {
    const r = negotiateFeatures(ourInitFeatures, Features.fromBits([1, 201]));
    expect(r.ok).toBe(true);
  });

  it('negotiates features both offer, and those we require', () => {
    const theirs = Features.empty()
      .setOptional('option_anchors')
      .setRequired('basic_mpp')
      .setOptional('option_scid_alias');
    const r = negotiateFeatures(ourInitFeatures, theirs);
    if (!r.ok) throw new Error('expected success');
    const n = r.negotiated;
    expect(n.supports('option_anchors')).toBe(true);
    expect(n.requires('option_anchors')).toBe(false);
    // They required it, we offered it: negotiated and required.
    expect(n.requires('basic_mpp')).toBe(true);
    // We required it; they did not offer it but did not disconnect either.
    expect(n.requires('option_static_remotekey')).toBe(true);
    // Only we offered it, as optional.
    expect(n.supports('option_shutdown_anysegwit')).toBe(false);
    // Only they offered it.
    expect(n.supports('option_scid_alias')).toBe(false);
  });
});

describe('feature dependencies (BOLT 9)', () => {
  function dependencyError(f: Features): FeatureDependencyError | undefined {
    try {
      validateFeatureDependencies(f);
    } catch (e) {
      return e as FeatureDependencyError;
    }
    return undefined;
  }

  it('names the missing dependency', () => {
    const e = dependencyError(Features.empty().setOptional('option_zeroconf'));
    expect(e).toBeInstanceOf(FeatureDependencyError);
    expect(e?.code).toBe('DecodeError');
    expect(e?.feature).toBe('option_zeroconf');
    expect(e?.missingDependency).toBe('option_scid_alias');
  });

  it('checks option_simple_close needs option_shutdown_anysegwit', () => {
    const f = Features.empty().setRequired('option_simple_close');
    expect(dependencyError(f)?.missingDependency).toBe('option_shutdown_anysegwit');
    expect(dependencyError(f.setOptional('option_shutdown_anysegwit'))).toBeUndefined();
  });

  it('counts an ASSUMED dependency as present', () => {
    expect(dependencyError(Features.empty().setOptional('basic_mpp'))).toBeUndefined();
  });

  it('strict mode: payment_secret needs var_onion_optin, as before both were ASSUMED', () => {
    const f = Features.empty().setRequired('payment_secret');
    expect(() => validateFeatureDependencies(f)).not.toThrow();
    let err: unknown;
    try {
      validateFeatureDependencies(f, { strict: true });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FeatureDependencyError);
    expect((err as FeatureDependencyError).code).toBe('DecodeError');
    expect((err as FeatureDependencyError).missingDependency).toBe('var_onion_optin');
    expect(() =>
      validateFeatureDependencies(f.setRequired('var_onion_optin'), { strict: true }),
    ).not.toThrow();
  });

  it('strict mode: an ASSUMED dependency must be set explicitly', () => {
    const f = Features.empty().setOptional('basic_mpp');
    expect(() => validateFeatureDependencies(f, { strict: true })).toThrow(FeatureDependencyError);
  });
});

describe("boltkit's advertised features", () => {
  const sets: [string, Features, FeatureContext][] = [
    ['init', ourInitFeatures, 'init'],
    ['node_announcement', ourNodeAnnouncementFeatures, 'node'],
    ['invoice', ourInvoiceFeatures, 'invoice'],
    ['channel type anchors', ourChannelTypes.anchors, 'channelType'],
    ['channel type static_remotekey', ourChannelTypes.staticRemotekey, 'channelType'],
  ];
  for (const [what, f, ctx] of sets) {
    it(`${what}: dependencies set, only assigned bits, never both bits of a pair`, () => {
      expect(() => validateFeatureDependencies(f, { strict: true })).not.toThrow();
      expect(f.unknownBits()).toEqual([]);
      for (const b of f.bits()) if (b % 2 === 0) expect(f.has(b + 1)).toBe(false);
      if (ctx !== 'channelType' && what !== 'init') expect(bitsOutsideContext(f, ctx)).toEqual([]);
    });
  }

  it('init requires 0, 8, 12, 14, 44 and offers 7, 17, 23, 27', () => {
    expect(ourInitFeatures.bits()).toEqual([0, 7, 8, 12, 14, 17, 23, 27, 44]);
    // gossip_queries has no context in today's table; everything else fits the init context.
    expect(bitsOutsideContext(ourInitFeatures, 'init')).toEqual([7]);
  });

  it('channel types use even bits only', () => {
    expect(ourChannelTypes.anchors.bits()).toEqual([12, 22]);
    expect(toHex(ourChannelTypes.anchors.toBytes())).toBe('401000');
  });
});
