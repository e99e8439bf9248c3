// BOLT 11 writer side: encodeInvoice round-trips any fields through decodeInvoice, signs through
// KeysInterface.signInvoice, refuses fields a writer must not produce, and writes fallback
// addresses that bitcoinjs-lib (an independent implementation) agrees with.
import { address as btcAddress } from 'bitcoinjs-lib';
import { hex } from '@scure/base';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nobleBackend } from '../../src/crypto/noble.js';
import { makeFallbackAddress, parseFallbackAddress } from '../../src/invoice/fallback-address.js';
import {
  decodeInvoice,
  descriptionMatches,
  encodeInvoice,
  isExpired,
  type InvoiceFields,
} from '../../src/invoice/invoice.js';
import type { Network } from '../../src/invoice/network.js';
import type { RouteHintHop } from '../../src/invoice/route-hints.js';
import { secretKeySigner } from '../../src/invoice/signature.js';
import { KeysManager } from '../../src/keys/keys-manager.js';
import { Features } from '../../src/wire/features.js';
import {
  EXAMPLE_FEATURES,
  FC_SEED,
  PAYMENT_HASH,
  PAYMENT_SECRET,
  SPEC_NODE_ID,
  specSigner,
} from './helpers.js';

const crypto = nobleBackend;
const NETWORKS: readonly Network[] = ['bitcoin', 'testnet', 'signet', 'regtest'];

function basic(extra: Partial<InvoiceFields> = {}): InvoiceFields {
  return {
    network: 'bitcoin',
    timestamp: 1_700_000_000,
    paymentHash: PAYMENT_HASH,
    paymentSecret: PAYMENT_SECRET,
    description: 'a coffee',
    features: EXAMPLE_FEATURES,
    ...extra,
  };
}

const hex32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => hex.encode(b));
const nodeIds = fc.integer({ min: 1, max: 0xffff }).map((i) => {
  const secret = new Uint8Array(32);
  secret[30] = i >> 8;
  secret[31] = i & 0xff;
  return hex.encode(crypto.getPublicKey(secret));
});
const hop: fc.Arbitrary<RouteHintHop> = fc.record({
  pubkey: nodeIds,
  shortChannelId: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
  feeBaseMsat: fc.nat({ max: 0xffffffff }),
  feeProportionalMillionths: fc.nat({ max: 0xffffffff }),
  cltvExpiryDelta: fc.nat({ max: 0xffff }),
});
const fallback = fc.oneof(
  fc.record({ version: fc.constant(0), program: fc.uint8Array({ minLength: 20, maxLength: 20 }) }),
  fc.record({ version: fc.constant(0), program: fc.uint8Array({ minLength: 32, maxLength: 32 }) }),
  fc.record({
    version: fc.integer({ min: 1, max: 16 }),
    program: fc.uint8Array({ minLength: 2, maxLength: 40 }),
  }),
  fc.record({
    version: fc.constantFrom(17, 18),
    program: fc.uint8Array({ minLength: 20, maxLength: 20 }),
  }),
);
const invoiceFields: fc.Arbitrary<InvoiceFields> = fc
  .record(
    {
      network: fc.constantFrom(...NETWORKS),
      amountMsat: fc.bigInt({ min: 1n, max: 2n ** 64n - 1n }),
      timestamp: fc.nat({ max: 2 ** 35 - 1 }),
      paymentHash: hex32,
      paymentSecret: hex32,
      description: fc.string({ unit: 'grapheme', maxLength: 40 }),
      descriptionHash: hex32,
      expirySecs: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
      minFinalCltvExpiryDelta: fc.nat({ max: 0xffff }),
      fallbacks: fc.array(fallback, { maxLength: 3 }),
      routeHints: fc.array(fc.array(hop, { minLength: 1, maxLength: 3 }), { maxLength: 2 }),
      features: fc
        .subarray([8, 9, 14, 15, 16, 17, 25, 37, 49, 99, 255])
        .map((b) => Features.fromBits(b)),
      paymentMetadata: fc.uint8Array({ maxLength: 40 }),
      hashed: fc.boolean(),
    },
    {
      requiredKeys: [
        'network',
        'timestamp',
        'paymentHash',
        'paymentSecret',
        'description',
        'descriptionHash',
        'hashed',
      ],
    },
  )
  .map(({ hashed, description, descriptionHash, ...rest }) =>
    hashed ? { ...rest, descriptionHash } : { ...rest, description },
  );

describe('encodeInvoice', () => {
  it('round-trips random fields through decodeInvoice', () => {
    fc.assert(
      fc.property(invoiceFields, (fields) => {
        const text = encodeInvoice(fields, specSigner);
        const inv = decodeInvoice(text, { network: fields.network });
        expect(inv.network).toBe(fields.network);
        expect(inv.amountMsat).toBe(fields.amountMsat);
        expect(inv.timestamp).toBe(fields.timestamp);
        expect(inv.paymentHash).toBe(fields.paymentHash);
        expect(inv.paymentSecret).toBe(fields.paymentSecret);
        expect(inv.description).toBe(fields.description);
        expect(inv.descriptionHash).toBe(fields.descriptionHash);
        expect(inv.payeeNodeId).toBe(SPEC_NODE_ID);
        expect(inv.expirySecs).toBe(fields.expirySecs ?? 3600);
        expect(inv.minFinalCltvExpiryDelta).toBe(fields.minFinalCltvExpiryDelta ?? 18);
        expect(inv.fallbacks.map((f) => ({ version: f.version, program: f.program }))).toEqual(
          fields.fallbacks ?? [],
        );
        expect(inv.routeHints).toEqual(fields.routeHints ?? []);
        expect(inv.features.bits()).toEqual(fields.features?.bits() ?? []);
        expect(inv.paymentMetadata).toEqual(fields.paymentMetadata);
        expect(inv.ignoredFields).toEqual([]);
        // Deterministic signing: the same fields give the same string.
        expect(encodeInvoice(fields, specSigner)).toBe(text);
      }),
      { seed: FC_SEED, numRuns: 60 },
    );
  });

  it('signs through KeysInterface.signInvoice, so the payee is the node id', () => {
    const keys = new KeysManager(new Uint8Array(32).fill(3), 1_700_000_000, 0, {
      getRandomValues: null,
    });
    const text = encodeInvoice(basic({ payeeNodeId: hex.encode(keys.getNodeId()) }), (p) =>
      keys.signInvoice(p),
    );
    const inv = decodeInvoice(text);
    expect(inv.payeeNodeId).toBe(hex.encode(keys.getNodeId()));
    expect(inv.payeeNodeIdFrom).toBe('n_field');
    const recovered = decodeInvoice(encodeInvoice(basic(), (p) => keys.signInvoice(p)));
    expect(recovered.payeeNodeId).toBe(hex.encode(keys.getNodeId()));
  });

  it('hands the signer the hrp bytes followed by the packed data words', () => {
    let seen: Uint8Array | undefined;
    const text = encodeInvoice(basic(), (p) => {
      seen = p;
      return specSigner(p);
    });
    expect(seen).toEqual(decodeInvoice(text).signedData);
    expect(new TextDecoder().decode(seen!.subarray(0, 4))).toBe('lnbc');
  });

  it('omits an empty feature vector and writes amounts in their shortest form', () => {
    const text = encodeInvoice(
      basic({ features: Features.empty(), amountMsat: 250_000_000n }),
      specSigner,
    );
    expect(text.startsWith('lnbc2500u1')).toBe(true);
    expect(decodeInvoice(text).taggedFields.some((f) => f.type === 'features')).toBe(false);
  });

  it('refuses fields a writer must not produce', () => {
    const misuse = (fields: InvoiceFields, sign = specSigner): void => {
      expect(() => encodeInvoice(fields, sign)).toThrow(
        expect.objectContaining({ code: 'APIMisuse' }),
      );
    };
    const { description: _d, ...noDescription } = basic();
    misuse(noDescription);
    misuse(basic({ descriptionHash: '00'.repeat(32) }));
    misuse(basic({ paymentHash: 'abcd' }));
    misuse(basic({ paymentSecret: 'zz'.repeat(32) }));
    misuse(basic({ description: 'x'.repeat(640) }));
    misuse(basic({ description: '\ud800' }));
    misuse(basic({ amountMsat: 0n }));
    misuse(basic({ timestamp: 2 ** 35 }));
    misuse(basic({ timestamp: -1 }));
    misuse(basic({ expirySecs: -1 }));
    misuse(basic({ expirySecs: 1.5 }));
    misuse(basic({ minFinalCltvExpiryDelta: Number.MAX_SAFE_INTEGER + 1 }));
    misuse(basic({ fallbacks: [{ version: 0, program: new Uint8Array(21) }] }));
    misuse(basic({ fallbacks: [{ version: 19, program: new Uint8Array(20) }] }));
    misuse(basic({ routeHints: [[]] }));
    misuse(
      basic({
        routeHints: [
          [
            {
              pubkey: '02',
              shortChannelId: 1n,
              feeBaseMsat: 0,
              feeProportionalMillionths: 0,
              cltvExpiryDelta: 0,
            },
          ],
        ],
      }),
    );
    misuse(basic({ network: 'litecoin' as Network }));
    // A signer for another key than the n field names.
    misuse(basic({ payeeNodeId: hex.encode(crypto.getPublicKey(new Uint8Array(32).fill(9))) }));
    misuse(basic(), () => ({ signature: new Uint8Array(63), recoveryId: 0 }));
    misuse(basic(), (p) => ({ ...specSigner(p), recoveryId: 4 }));
  });

  it('a 639-byte description fits exactly', () => {
    const text = encodeInvoice(basic({ description: 'x'.repeat(639) }), specSigner);
    expect(decodeInvoice(text).description).toHaveLength(639);
  });
});

describe('secretKeySigner', () => {
  it('refuses an invalid key', () => {
    expect(() => secretKeySigner(new Uint8Array(32))).toThrow(
      expect.objectContaining({ code: 'APIMisuse' }),
    );
  });
});

describe('fallback addresses', () => {
  const bitcoinjsNetwork = {
    bitcoin: { bech32: 'bc', pubKeyHash: 0x00, scriptHash: 0x05 },
    testnet: { bech32: 'tb', pubKeyHash: 0x6f, scriptHash: 0xc4 },
    signet: { bech32: 'tb', pubKeyHash: 0x6f, scriptHash: 0xc4 },
    regtest: { bech32: 'bcrt', pubKeyHash: 0x6f, scriptHash: 0xc4 },
  } as const;

  it('writes the address bitcoinjs-lib writes, on every network, and parses it back', () => {
    fc.assert(
      fc.property(fc.constantFrom(...NETWORKS), fallback, (network, { version, program }) => {
        const ours = makeFallbackAddress(version, program, network, crypto);
        const n = bitcoinjsNetwork[network];
        const theirs =
          version === 17
            ? btcAddress.toBase58Check(program, n.pubKeyHash)
            : version === 18
              ? btcAddress.toBase58Check(program, n.scriptHash)
              : btcAddress.toBech32(program, version, n.bech32);
        expect(ours.address).toBe(theirs);
        const back = parseFallbackAddress(ours.address, network, crypto);
        expect(back.version).toBe(version);
        expect(back.program).toEqual(program);
        expect(back.type).toBe(ours.type);
      }),
      { seed: FC_SEED, numRuns: 200 },
    );
  });

  it('names the standard types', () => {
    const t = (v: number, len: number): string =>
      makeFallbackAddress(v, new Uint8Array(len), 'bitcoin', crypto).type;
    expect([t(17, 20), t(18, 20), t(0, 20), t(0, 32), t(1, 32), t(1, 20), t(2, 32)]).toEqual([
      'p2pkh',
      'p2sh',
      'p2wpkh',
      'p2wsh',
      'p2tr',
      'witness',
      'witness',
    ]);
  });

  it('refuses addresses of another network or the wrong bech32 variant', () => {
    const misuse = (address: string, network: Network): void => {
      expect(() => parseFallbackAddress(address, network, crypto)).toThrow(
        expect.objectContaining({ code: 'APIMisuse' }),
      );
    };
    misuse('bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4', 'testnet');
    misuse('1RustyRX2oai4EYYDpQGWvEL62BBGqN9T', 'testnet');
    misuse('mk2QpYatsKicvFVuTAQLBryyccRXMUaGHP', 'bitcoin');
    misuse('bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5', 'bitcoin');
    // Version 1 written with bech32 (BIP 350 requires bech32m), from BIP 350's invalid list.
    misuse('bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd', 'bitcoin');
    misuse('not an address', 'bitcoin');
    expect(parseFallbackAddress('mk2QpYatsKicvFVuTAQLBryyccRXMUaGHP', 'signet', crypto).type).toBe(
      'p2pkh',
    );
  });
});

describe('isExpired and descriptionMatches', () => {
  it('expires once timestamp + expiry has passed', () => {
    const inv = { timestamp: 1_000, expirySecs: 60 };
    expect(isExpired(inv, 1_059)).toBe(false);
    expect(isExpired(inv, 1_060)).toBe(false);
    expect(isExpired(inv, 1_061)).toBe(true);
    expect(isExpired(decodeInvoice(encodeInvoice(basic(), specSigner)), 1_700_003_601)).toBe(true);
    expect(() => isExpired(inv, Number.NaN)).toThrow(
      expect.objectContaining({ code: 'APIMisuse' }),
    );
  });

  it('matches a description against its hash, UTF-8 encoded', () => {
    const description = 'ナンセンス 1杯';
    const descriptionHash = hex.encode(crypto.sha256(new TextEncoder().encode(description)));
    const { description: _d, ...rest } = basic();
    const inv = decodeInvoice(encodeInvoice({ ...rest, descriptionHash }, specSigner));
    expect(descriptionMatches(inv, description)).toBe(true);
    expect(descriptionMatches(inv, 'ナンセンス 2杯')).toBe(false);
    expect(descriptionMatches(decodeInvoice(encodeInvoice(basic(), specSigner)), 'a coffee')).toBe(
      false,
    );
  });
});
