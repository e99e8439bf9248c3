/**
 * `Features`: an immutable feature bit vector (BOLT 9), as carried by `init`, the announcements,
 * invoices and `channel_type`. On the wire a vector is big-endian: bit 0 is the lowest bit of the
 * last byte. Bits come in pairs; the even bit says "required", the odd bit "supported", and
 * "it's OK to be odd" (BOLT 1): an unknown even bit must fail, an unknown odd bit is ignored.
 *
 * See BOLT 9 and BOLT 1, "The init Message".
 */
import { APIMisuseError, DecodeError } from '../util/errors.js';
import {
  FEATURES,
  featureInfo,
  featureOfBit,
  type FeatureContext,
  type FeatureInfo,
  type FeatureName,
} from './feature-table.js';

/** Bits above this are refused: a 2-byte length caps a real vector at 65535 bytes anyway. */
const MAX_BIT = 65535 * 8 - 1;

function checkBit(bit: number): void {
  if (!Number.isInteger(bit) || bit < 0 || bit > MAX_BIT) {
    throw new APIMisuseError(`features: bit must be an integer in [0, ${MAX_BIT}], got ${bit}`);
  }
}

function infoOf(name: FeatureName): FeatureInfo {
  const info = featureInfo(name);
  if (info === undefined) throw new APIMisuseError(`features: unknown feature name ${name}`);
  return info;
}

export class Features {
  /** Little-endian by byte: `le[i]` holds bits 8i..8i+7. Never exposed, never mutated. */
  private readonly le: Uint8Array;

  private constructor(le: Uint8Array) {
    this.le = le;
  }

  /** No bits set. */
  static empty(): Features {
    return new Features(new Uint8Array(0));
  }

  /** Reads a big-endian vector as it appears on the wire (any length, leading zeros allowed). */
  static fromBytes(bytes: Uint8Array): Features {
    if (!(bytes instanceof Uint8Array)) throw new DecodeError('features: expected a Uint8Array');
    const n = bytes.length;
    const le = new Uint8Array(n);
    for (let i = 0; i < n; i++) le[i] = bytes[n - 1 - i]!;
    return new Features(le);
  }

  /** A vector with exactly the given bits set. */
  static fromBits(bits: Iterable<number>): Features {
    let max = -1;
    const list = [...bits];
    for (const b of list) {
      checkBit(b);
      if (b > max) max = b;
    }
    const le = new Uint8Array((max >> 3) + 1);
    for (const b of list) le[b >> 3]! |= 1 << (b & 7);
    return new Features(le);
  }

  /**
   * The one logical map of an `init` message: BOLT 1 says to OR `globalfeatures` into
   * `features`.
   */
  static fromInit(globalFeatures: Uint8Array, features: Uint8Array): Features {
    return Features.fromBytes(features).or(Features.fromBytes(globalFeatures));
  }

  /** True when `bit` is set. */
  has(bit: number): boolean {
    if (!Number.isInteger(bit) || bit < 0) return false;
    const byte = this.le[bit >> 3];
    return byte !== undefined && (byte & (1 << (bit & 7))) !== 0;
  }

  /** A copy with `bit` set. */
  set(bit: number): Features {
    checkBit(bit);
    const le = new Uint8Array(Math.max(this.le.length, (bit >> 3) + 1));
    le.set(this.le);
    le[bit >> 3]! |= 1 << (bit & 7);
    return new Features(le);
  }

  /** A copy with `bit` cleared. */
  clear(bit: number): Features {
    checkBit(bit);
    if (!this.has(bit)) return this;
    const le = this.le.slice();
    le[bit >> 3]! &= ~(1 << (bit & 7)) & 0xff;
    return new Features(le);
  }

  /** A copy with `name` required: its even bit set and its odd bit cleared. */
  setRequired(name: FeatureName): Features {
    const { evenBit } = infoOf(name);
    return this.clear(evenBit + 1).set(evenBit);
  }

  /** A copy with `name` optional: its odd bit set and its even bit cleared. */
  setOptional(name: FeatureName): Features {
    const { evenBit } = infoOf(name);
    return this.clear(evenBit).set(evenBit + 1);
  }

  /** A copy with neither bit of `name` set. */
  without(name: FeatureName): Features {
    const { evenBit } = infoOf(name);
    return this.clear(evenBit).clear(evenBit + 1);
  }

  /** True when either bit of `name` is set (offered, as BOLT 1 says). */
  supports(name: FeatureName): boolean {
    const { evenBit } = infoOf(name);
    return this.has(evenBit) || this.has(evenBit + 1);
  }

  /** True when the even bit of `name` is set. BOLT 9: both bits set also means required. */
  requires(name: FeatureName): boolean {
    return this.has(infoOf(name).evenBit);
  }

  /** Every set bit, ascending. */
  bits(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.le.length; i++) {
      const byte = this.le[i]!;
      if (byte === 0) continue;
      for (let j = 0; j < 8; j++) if ((byte & (1 << j)) !== 0) out.push(i * 8 + j);
    }
    return out;
  }

  isEmpty(): boolean {
    return this.le.every((b) => b === 0);
  }

  /** Bits set in either vector. */
  or(other: Features): Features {
    const [long, short] = this.le.length >= other.le.length ? [this, other] : [other, this];
    const le = long.le.slice();
    for (let i = 0; i < short.le.length; i++) le[i]! |= short.le[i]!;
    return new Features(le);
  }

  /** Bits set in both vectors. */
  and(other: Features): Features {
    const n = Math.min(this.le.length, other.le.length);
    const le = new Uint8Array(n);
    for (let i = 0; i < n; i++) le[i] = this.le[i]! & other.le[i]!;
    return new Features(le);
  }

  /** True when both have the same bits set (lengths may differ). */
  equals(other: Features): boolean {
    const n = Math.max(this.le.length, other.le.length);
    for (let i = 0; i < n; i++) if ((this.le[i] ?? 0) !== (other.le[i] ?? 0)) return false;
    return true;
  }

  /** Set bits that BOLT 9 does not assign. */
  unknownBits(): number[] {
    return this.bits().filter((b) => featureOfBit(b) === undefined);
  }

  /**
   * Even (required) bits set here whose pair `ours` does not offer at all. BOLT 1: a peer whose
   * `init` has any such bit must be disconnected.
   */
  requiredBitsNotIn(ours: Features): number[] {
    return this.bits().filter((b) => b % 2 === 0 && !ours.has(b) && !ours.has(b + 1));
  }

  /** The minimal big-endian encoding (no leading zero bytes), as BOLT 1 and 7 ask senders. */
  toBytes(): Uint8Array {
    let n = this.le.length;
    while (n > 0 && this.le[n - 1] === 0) n--;
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.le[n - 1 - i]!;
    return out;
  }

  /** Names of the BOLT 9 features offered (either bit set). */
  names(): FeatureName[] {
    return FEATURES.filter((x) => this.supports(x.name)).map((x) => x.name);
  }
}

/** A feature is set without one it depends on (BOLT 9: "MUST set all transitive dependencies"). */
export class FeatureDependencyError extends DecodeError {
  readonly feature: FeatureName;
  readonly missingDependency: FeatureName;
  constructor(feature: FeatureName, missingDependency: FeatureName) {
    super(`features: ${feature} is set but its dependency ${missingDependency} is not`);
    this.feature = feature;
    this.missingDependency = missingDependency;
  }
}

/**
 * Throws `FeatureDependencyError` when a feature in `features` lacks one it depends on (BOLT 9
 * "Dependencies" column).
 *
 * Lenient (the default, for what peers send): ASSUMED features count as present even when
 * unset, as current BOLT 9 says every node has them. Strict (for what we send): every
 * dependency must be set explicitly, including the dependencies ASSUMED features had before they
 * were assumed (`payment_secret` needs `var_onion_optin`), because deployed peers still check
 * them.
 */
export function validateFeatureDependencies(
  features: Features,
  options: { readonly strict?: boolean } = {},
): void {
  const strict = options.strict === true;
  for (const info of FEATURES) {
    if (!features.supports(info.name)) continue;
    const deps = strict
      ? [...info.dependencies, ...(info.legacyDependencies ?? [])]
      : info.dependencies;
    for (const dep of deps) {
      if (!strict && featureInfo(dep)?.assumed === true) continue;
      if (!features.supports(dep)) throw new FeatureDependencyError(info.name, dep);
    }
  }
}

/**
 * Bits set in `features` that the BOLT 9 table does not allow in `context`. ASSUMED features are
 * checked against their legacy contexts (see `feature-table.ts`); unassigned bits are not
 * reported here (see `Features.unknownBits`).
 */
export function bitsOutsideContext(features: Features, context: FeatureContext): number[] {
  return features.bits().filter((b) => {
    const info = featureOfBit(b);
    if (info === undefined) return false;
    const allowed = info.assumed ? (info.legacyContexts ?? []) : info.contexts;
    return !allowed.includes(context);
  });
}

/** The outcome of comparing our `init` features with a peer's. */
export type FeatureNegotiation =
  | {
      readonly ok: true;
      /**
       * The negotiated features: for each pair negotiated, the even bit when either side
       * required it, else the odd bit. Test with `supports(name)`.
       */
      readonly negotiated: Features;
    }
  | {
      readonly ok: false;
      /** Even bits the peer requires that we do not offer: BOLT 1 says disconnect. */
      readonly unsupportedRequiredBits: readonly number[];
    };

/**
 * BOLT 1: a feature is negotiated when both peers offered it, or when we offered it as even
 * (a peer that did not know it would have disconnected). A peer requiring a bit we do not
 * offer fails the negotiation. Dependencies are checked separately
 * (`validateFeatureDependencies`).
 */
export function negotiateFeatures(ours: Features, theirs: Features): FeatureNegotiation {
  const unsupported = theirs.requiredBitsNotIn(ours);
  if (unsupported.length > 0) return { ok: false, unsupportedRequiredBits: unsupported };
  const bits: number[] = [];
  const pairs = new Set<number>();
  for (const b of ours.bits()) pairs.add(b >> 1);
  for (const pair of pairs) {
    const even = pair * 2;
    const weOffer = ours.has(even) || ours.has(even + 1);
    const theyOffer = theirs.has(even) || theirs.has(even + 1);
    const weRequire = ours.has(even);
    if (!(weOffer && (theyOffer || weRequire))) continue;
    bits.push(weRequire || theirs.has(even) ? even : even + 1);
  }
  return { ok: true, negotiated: Features.fromBits(bits) };
}
