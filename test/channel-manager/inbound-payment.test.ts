// Stateless inbound payments (src/channel-manager/payments/inbound-payment.ts): the hash and
// secret made from the inbound payment key verify back to what the invoice asked for, any change
// to either (or another key) is refused, the layout is pinned, and bad arguments are typed errors.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_INBOUND_PAYMENT_AMOUNT_MSAT,
  type InboundPaymentKeys,
  createInboundPayment,
  createInboundPaymentForHash,
  deriveInboundPaymentKeys,
  isInboundPaymentExpired,
  meetsInboundPaymentAmount,
  verifyInboundPayment,
} from '../../src/channel-manager/payments/inbound-payment.js';
import { nobleBackend as crypto } from '../../src/crypto/noble.js';
import { HARDENED, derivePath, masterKeyFromSeed } from '../../src/keys/bip32.js';
import { KeysManager } from '../../src/keys/keys-manager.js';
import { fromHex, toHex } from '../../src/util/bytes.js';
import { ErrorCode } from '../../src/util/errors.js';

const SEED = fromHex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');
const NOW = 1_700_000_000;

const keysFromSeed = (seed: Uint8Array, secs = NOW): KeysManager =>
  new KeysManager(seed, secs, 0, { getRandomValues: null });

const KEYS = deriveInboundPaymentKeys(keysFromSeed(SEED).getInboundPaymentKeyMaterial());
const OTHER_KEYS = deriveInboundPaymentKeys(
  keysFromSeed(new Uint8Array(32).fill(7)).getInboundPaymentKeyMaterial(),
);
const RANDOM = new Uint8Array(32).fill(0x42);
const HASH = crypto.sha256(Uint8Array.of(1, 2, 3));

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

/** Every copy of `bytes` with one byte changed, each byte flipped in every bit. */
function* oneByteChanges(bytes: Uint8Array): Generator<Uint8Array> {
  for (let i = 0; i < bytes.length; i++) {
    for (const mask of [0x01, 0x80, 0xff]) {
      const b = bytes.slice();
      b[i]! ^= mask;
      yield b;
    }
  }
}

describe('inbound payment key material', () => {
  it("KeysManager derives it from the seed alone: HMAC-SHA256(m/5' secret, 'inbound_payment_key')", () => {
    const a = keysFromSeed(SEED).getInboundPaymentKeyMaterial();
    // The same seed started at another time gives the same key: invoices survive restarts.
    expect(keysFromSeed(SEED, NOW + 1000).getInboundPaymentKeyMaterial()).toEqual(a);
    const m5 = derivePath(masterKeyFromSeed(SEED, crypto), [HARDENED + 5], crypto).secretKey;
    const label = Uint8Array.from('inbound_payment_key', (c) => c.charCodeAt(0));
    expect(a).toEqual(crypto.hmacSha256(m5, label));
    // Pinned (also computed with bitcore-lib's BIP 32): changing it would orphan every invoice
    // issued before.
    expect(toHex(a)).toBe('4558f8221adf325493754964eaf35cdffe7ff6aa8142d0c902fb853d9d3fe2ed');
    expect(a).toHaveLength(32);
  });

  it('differs per seed and is returned as a copy', () => {
    const km = keysFromSeed(SEED);
    const a = km.getInboundPaymentKeyMaterial();
    a.fill(0);
    expect(km.getInboundPaymentKeyMaterial()).not.toEqual(a);
    expect(keysFromSeed(new Uint8Array(32).fill(7)).getInboundPaymentKeyMaterial()).not.toEqual(
      km.getInboundPaymentKeyMaterial(),
    );
  });

  it('derives four distinct sub-keys, none equal to the key material', () => {
    const material = new Uint8Array(32).fill(9);
    const k = deriveInboundPaymentKeys(material);
    const all = [material, k.metadataKey, k.nonceKey, k.preimageKey, k.forHashKey].map(toHex);
    expect(new Set(all).size).toBe(5);
  });
});

describe('stateless inbound payments', () => {
  it('round-trips with an amount and a min final CLTV delta, and gives the preimage', () => {
    const { paymentHash, paymentSecret } = createInboundPayment(KEYS, {
      amountMsat: 123_456_789n,
      expirySecs: 3600,
      nowSeconds: NOW,
      minFinalCltvExpiryDelta: 144,
      randomBytes: RANDOM,
    });
    expect(paymentHash).toHaveLength(32);
    expect(paymentSecret).toHaveLength(32);
    const v = verifyInboundPayment(KEYS, paymentHash, paymentSecret);
    expect(v).toEqual({
      kind: 'stateless',
      paymentPreimage: expect.any(Uint8Array) as unknown,
      minAmountMsat: 123_456_789n,
      expiresAtSeconds: NOW + 3600,
      minFinalCltvExpiryDelta: 144,
    });
    expect(crypto.sha256(v!.paymentPreimage!)).toEqual(paymentHash);
  });

  it('round-trips without an amount and without a delta', () => {
    const { paymentHash, paymentSecret } = createInboundPayment(KEYS, {
      expirySecs: 60,
      nowSeconds: 0,
      randomBytes: RANDOM,
    });
    const v = verifyInboundPayment(KEYS, paymentHash, paymentSecret);
    expect(v?.kind).toBe('stateless');
    expect(v?.minAmountMsat).toBeUndefined();
    expect(v?.minFinalCltvExpiryDelta).toBeUndefined();
    expect(v?.expiresAtSeconds).toBe(60);
    expect(crypto.sha256(v!.paymentPreimage!)).toEqual(paymentHash);
  });

  it('keeps the edges of every field: the largest amount, a delta of 0, the last expiry', () => {
    const maxExpiry = 2 ** 48 - 1;
    const { paymentHash, paymentSecret } = createInboundPayment(KEYS, {
      amountMsat: MAX_INBOUND_PAYMENT_AMOUNT_MSAT,
      expirySecs: 1,
      nowSeconds: maxExpiry - 1,
      minFinalCltvExpiryDelta: 0,
      randomBytes: RANDOM,
    });
    const v = verifyInboundPayment(KEYS, paymentHash, paymentSecret);
    expect(v?.minAmountMsat).toBe(MAX_INBOUND_PAYMENT_AMOUNT_MSAT);
    expect(v?.minFinalCltvExpiryDelta).toBe(0);
    expect(v?.expiresAtSeconds).toBe(maxExpiry);
    const w = createInboundPayment(KEYS, {
      amountMsat: 1n,
      expirySecs: 1,
      nowSeconds: 0,
      minFinalCltvExpiryDelta: 0xffff,
      randomBytes: RANDOM,
    });
    expect(verifyInboundPayment(KEYS, w.paymentHash, w.paymentSecret)).toMatchObject({
      minAmountMsat: 1n,
      minFinalCltvExpiryDelta: 0xffff,
    });
  });

  it('is deterministic in the random input, and differs for other random bytes', () => {
    const params = { amountMsat: 1000n, expirySecs: 3600, nowSeconds: NOW, randomBytes: RANDOM };
    const a = createInboundPayment(KEYS, params);
    expect(createInboundPayment(KEYS, params)).toEqual(a);
    const b = createInboundPayment(KEYS, { ...params, randomBytes: new Uint8Array(32).fill(1) });
    expect(b.paymentHash).not.toEqual(a.paymentHash);
    expect(b.paymentSecret.subarray(0, 16)).not.toEqual(a.paymentSecret.subarray(0, 16));
    // The nonce does not publish the random bytes themselves.
    expect(a.paymentSecret.subarray(0, 16)).not.toEqual(RANDOM.subarray(0, 16));
  });

  it('pins the construction for fixed key material and inputs', () => {
    // The secret layout is a promise to invoices already issued: it must not drift. These values
    // were computed apart from boltkit, from the module comment's description alone.
    const keys = deriveInboundPaymentKeys(new Uint8Array(32).fill(1));
    const r = createInboundPayment(keys, {
      amountMsat: 50_000n,
      expirySecs: 7200,
      nowSeconds: NOW,
      minFinalCltvExpiryDelta: 40,
      randomBytes: new Uint8Array(32).fill(2),
    });
    expect(toHex(r.paymentHash)).toBe(
      '695f4f4568203c2c35e4cfda4c6832407b9f4a3b49a1216896892b6b8ceca016',
    );
    expect(toHex(r.paymentSecret)).toBe(
      'e2c23a82faf75ca114088e2c48ab9010e3d3009ee7e4391fa3e5806b8cef4772',
    );
    const s = createInboundPaymentForHash(keys, new Uint8Array(32).fill(3), {
      expirySecs: 60,
      nowSeconds: NOW,
    });
    expect(toHex(s)).toBe('8e29ce5181eefb41c3c2a31d8131cf3669d11bb448bd8be8bb67a9761dc7062a');
  });

  it('hides the metadata: the same invoice parameters give unrelated secrets', () => {
    const a = createInboundPayment(KEYS, { expirySecs: 1, nowSeconds: 0, randomBytes: RANDOM });
    const b = createInboundPayment(KEYS, {
      expirySecs: 1,
      nowSeconds: 0,
      randomBytes: new Uint8Array(32).fill(0x43),
    });
    expect(a.paymentSecret.subarray(16)).not.toEqual(b.paymentSecret.subarray(16));
  });
});

describe('for-hash inbound payments', () => {
  it('round-trips with and without an amount, with no preimage', () => {
    const secret = createInboundPaymentForHash(KEYS, HASH, {
      amountMsat: 10_000n,
      expirySecs: 86_400,
      nowSeconds: NOW,
      minFinalCltvExpiryDelta: 18,
    });
    expect(verifyInboundPayment(KEYS, HASH, secret)).toEqual({
      kind: 'forHash',
      paymentPreimage: undefined,
      minAmountMsat: 10_000n,
      expiresAtSeconds: NOW + 86_400,
      minFinalCltvExpiryDelta: 18,
    });
    const anyAmount = createInboundPaymentForHash(KEYS, HASH, { expirySecs: 5, nowSeconds: NOW });
    expect(verifyInboundPayment(KEYS, HASH, anyAmount)).toEqual({
      kind: 'forHash',
      paymentPreimage: undefined,
      minAmountMsat: undefined,
      expiresAtSeconds: NOW + 5,
      minFinalCltvExpiryDelta: undefined,
    });
  });

  it('is deterministic, and bound to its hash', () => {
    const params = { amountMsat: 5n, expirySecs: 10, nowSeconds: NOW };
    const secret = createInboundPaymentForHash(KEYS, HASH, params);
    expect(createInboundPaymentForHash(KEYS, HASH, params)).toEqual(secret);
    const otherHash = crypto.sha256(Uint8Array.of(9));
    expect(createInboundPaymentForHash(KEYS, otherHash, params)).not.toEqual(secret);
    expect(verifyInboundPayment(KEYS, otherHash, secret)).toBeUndefined();
  });
});

describe('verification refuses what is not ours', () => {
  const stateless = createInboundPayment(KEYS, {
    amountMsat: 77_000n,
    expirySecs: 3600,
    nowSeconds: NOW,
    minFinalCltvExpiryDelta: 80,
    randomBytes: RANDOM,
  });
  const forHashSecret = createInboundPaymentForHash(KEYS, HASH, {
    amountMsat: 77_000n,
    expirySecs: 3600,
    nowSeconds: NOW,
  });

  it('any changed byte of the secret or the hash (stateless)', () => {
    let n = 0;
    for (const s of oneByteChanges(stateless.paymentSecret)) {
      expect(verifyInboundPayment(KEYS, stateless.paymentHash, s)).toBeUndefined();
      n++;
    }
    for (const h of oneByteChanges(stateless.paymentHash)) {
      expect(verifyInboundPayment(KEYS, h, stateless.paymentSecret)).toBeUndefined();
      n++;
    }
    expect(n).toBe(2 * 32 * 3);
  });

  it('any changed byte of the secret or the hash (for-hash)', () => {
    for (const s of oneByteChanges(forHashSecret)) {
      expect(verifyInboundPayment(KEYS, HASH, s)).toBeUndefined();
    }
    for (const h of oneByteChanges(HASH)) {
      expect(verifyInboundPayment(KEYS, h, forHashSecret)).toBeUndefined();
    }
  });

  it('keys from another seed', () => {
    expect(
      verifyInboundPayment(OTHER_KEYS, stateless.paymentHash, stateless.paymentSecret),
    ).toBeUndefined();
    expect(verifyInboundPayment(OTHER_KEYS, HASH, forHashSecret)).toBeUndefined();
  });

  it('a for-hash secret presented with the stateless hash, and the reverse', () => {
    expect(verifyInboundPayment(KEYS, stateless.paymentHash, forHashSecret)).toBeUndefined();
    expect(verifyInboundPayment(KEYS, HASH, stateless.paymentSecret)).toBeUndefined();
  });

  it('random secrets and hashes (property)', () => {
    const b32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
    fc.assert(
      fc.property(b32, b32, (hash, secret) => {
        expect(verifyInboundPayment(KEYS, hash, secret)).toBeUndefined();
      }),
      { numRuns: 200, seed: 11 },
    );
  });
});

describe('inbound payment round trip (property)', () => {
  it('any parameters verify back to themselves, for both kinds', () => {
    const b32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
    const params = fc.record({
      amountMsat: fc.option(fc.bigInt({ min: 1n, max: MAX_INBOUND_PAYMENT_AMOUNT_MSAT }), {
        nil: undefined,
      }),
      expirySecs: fc.integer({ min: 1, max: 10 * 365 * 86_400 }),
      nowSeconds: fc.integer({ min: 0, max: 2 ** 40 }),
      minFinalCltvExpiryDelta: fc.option(fc.integer({ min: 0, max: 0xffff }), { nil: undefined }),
    });
    fc.assert(
      fc.property(b32, params, b32, b32, (material, p, random, hash) => {
        const keys: InboundPaymentKeys = deriveInboundPaymentKeys(material);
        const expected = {
          minAmountMsat: p.amountMsat,
          expiresAtSeconds: p.nowSeconds + p.expirySecs,
          minFinalCltvExpiryDelta: p.minFinalCltvExpiryDelta,
        };
        const s = createInboundPayment(keys, { ...p, randomBytes: random });
        const v = verifyInboundPayment(keys, s.paymentHash, s.paymentSecret);
        expect(v).toMatchObject({ kind: 'stateless', ...expected });
        expect(crypto.sha256(v!.paymentPreimage!)).toEqual(s.paymentHash);
        const secret = createInboundPaymentForHash(keys, hash, p);
        expect(verifyInboundPayment(keys, hash, secret)).toEqual({
          kind: 'forHash',
          paymentPreimage: undefined,
          ...expected,
        });
      }),
      { numRuns: 150, seed: 7 },
    );
  });
});

describe('amount and expiry helpers', () => {
  it('an invoice is expired only strictly after its expiry time', () => {
    const p = { expiresAtSeconds: 1000 };
    expect(isInboundPaymentExpired(p, 999)).toBe(false);
    expect(isInboundPaymentExpired(p, 1000)).toBe(false);
    expect(isInboundPaymentExpired(p, 1001)).toBe(true);
  });

  it('an amount meets the invoice when it is at least the minimum; any amount meets none', () => {
    expect(meetsInboundPaymentAmount({ minAmountMsat: 100n }, 99n)).toBe(false);
    expect(meetsInboundPaymentAmount({ minAmountMsat: 100n }, 100n)).toBe(true);
    expect(meetsInboundPaymentAmount({ minAmountMsat: 100n }, 250n)).toBe(true);
    expect(meetsInboundPaymentAmount({ minAmountMsat: undefined }, 1n)).toBe(true);
  });
});

describe('bad arguments are APIMisuse', () => {
  const base = { expirySecs: 60, nowSeconds: NOW, randomBytes: RANDOM };
  const cases: [string, () => unknown][] = [
    ['key material of 31 bytes', () => deriveInboundPaymentKeys(new Uint8Array(31))],
    ['key material not bytes', () => deriveInboundPaymentKeys('00' as unknown as Uint8Array)],
    ['amount 0', () => createInboundPayment(KEYS, { ...base, amountMsat: 0n })],
    ['amount negative', () => createInboundPayment(KEYS, { ...base, amountMsat: -1n })],
    ['amount 2^61', () => createInboundPayment(KEYS, { ...base, amountMsat: 1n << 61n })],
    [
      'amount as a number',
      () => createInboundPayment(KEYS, { ...base, amountMsat: 5 as unknown as bigint }),
    ],
    ['expiry 0', () => createInboundPayment(KEYS, { ...base, expirySecs: 0 })],
    ['expiry negative', () => createInboundPayment(KEYS, { ...base, expirySecs: -5 })],
    ['expiry fractional', () => createInboundPayment(KEYS, { ...base, expirySecs: 1.5 })],
    ['expiry NaN', () => createInboundPayment(KEYS, { ...base, expirySecs: Number.NaN })],
    ['now negative', () => createInboundPayment(KEYS, { ...base, nowSeconds: -1 })],
    [
      'expiry past 2^48',
      () => createInboundPayment(KEYS, { ...base, nowSeconds: 2 ** 48 - 10, expirySecs: 10 }),
    ],
    [
      'delta 65536',
      () => createInboundPayment(KEYS, { ...base, minFinalCltvExpiryDelta: 0x10000 }),
    ],
    ['delta negative', () => createInboundPayment(KEYS, { ...base, minFinalCltvExpiryDelta: -1 })],
    [
      'delta fractional',
      () => createInboundPayment(KEYS, { ...base, minFinalCltvExpiryDelta: 2.5 }),
    ],
    [
      'random bytes of 16',
      () => createInboundPayment(KEYS, { ...base, randomBytes: new Uint8Array(16) }),
    ],
    ['keys not derived', () => createInboundPayment({} as unknown as InboundPaymentKeys, base)],
    [
      'hash of 31 bytes (for-hash)',
      () => createInboundPaymentForHash(KEYS, new Uint8Array(31), base),
    ],
    [
      'expiry 0 (for-hash)',
      () => createInboundPaymentForHash(KEYS, HASH, { ...base, expirySecs: 0 }),
    ],
    ['verify: hash of 33 bytes', () => verifyInboundPayment(KEYS, new Uint8Array(33), HASH)],
    ['verify: secret of 16 bytes', () => verifyInboundPayment(KEYS, HASH, new Uint8Array(16))],
  ];
  for (const [name, fn] of cases) {
    it(name, () => {
      expect(codeOf(fn)).toBe(ErrorCode.APIMisuse);
    });
  }
});
