// KeysManager: the pinned seed derivation (src/keys/DERIVATION.md), uniqueness of channel keys
// and random bytes, node-key operations, and typed errors.
import { describe, expect, it } from 'vitest';
import { nobleBackend as crypto } from '../../src/crypto/noble.js';
import { KeysManager } from '../../src/keys/keys-manager.js';
import { fromHex, toHex } from '../../src/util/bytes.js';
import { ErrorCode } from '../../src/util/errors.js';

const SEED = fromHex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');
const SECS = 1_700_000_000;
const NANOS = 123_456_789;

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

const seeded = (seed = SEED, secs = SECS, nanos = NANOS): KeysManager =>
  new KeysManager(seed, secs, nanos, { getRandomValues: null });

describe('KeysManager pinned derivation', () => {
  // These values must never change: a change means existing seeds no longer restore their keys.
  // The node id (m/0') and destination script (m/1') also match bitcore-lib's BIP 32 for this seed.
  it('derives the documented keys from a fixed seed', () => {
    const km = seeded();
    expect(toHex(km.getNodeId())).toBe(
      '0377318f8dba630b25a65856315807baed4cf56f26ea0117cd68945285dcdecc8f',
    );
    expect(toHex(km.getDestinationScript())).toBe('001486516baa0bced2968a0ca58c58c05938e716efa5');
    expect(toHex(km.getShutdownScriptpubkey())).toBe(
      '00147271360f6def46b1d50f533b3c494fde82686d3b',
    );
    const id = km.generateChannelKeysId(false, 1_000_000n, 42n);
    expect(toHex(id)).toBe('00000000075bcd15000000006553f1000000000000000000000000000000002a');
    const signer = km.deriveChannelSigner(1_000_000n, id);
    const pubkeys = Object.fromEntries(
      Object.entries(signer.pubkeys).map(([k, v]) => [k, toHex(v)]),
    );
    expect(pubkeys).toEqual({
      fundingPubkey: '02b4ae47da79d1885409890a503f5b294e0e22abdd7f9b65fcd08a1a63cd625acb',
      revocationBasepoint: '034a4fa687e9c6410e9f2a4386ebe7515a3623929549eaceb4ad70e0f7cdc3df84',
      paymentBasepoint: '03860f8bf6362149c3f4a6c12b5f22f9e8ab0d22dfc8dd347fccad84714d4d3869',
      delayedPaymentBasepoint: '0290ba8aaabf9f131799a99e2bf47c623aca933b07e95ff07f021e75c314c8d605',
      htlcBasepoint: '0221db8cb3c13e1faae9c5c510f2a9019c7038d5dad9fd35f0a600af5017f7bbfc',
    });
    expect(toHex(signer.getPerCommitmentPoint(0))).toBe(
      '026237246572f50d3d06263a21774ce81c4d4eb852416856cb58e21842f37ed7bd',
    );
    expect(toHex(km.getSecureRandomBytes())).toBe(
      '6a3dc5c0fc719c4b9d9fdd4f81cc75d2c96a38d26bf1ca429bcc142b988bfe33',
    );
  });

  it('restores the same keys from the same seed and channel keys id', () => {
    const first = seeded();
    const id = first.generateChannelKeysId(true, 50_000n, 7n);
    const later = seeded(SEED, SECS + 3600, 0);
    expect(toHex(later.getNodeId())).toBe(toHex(first.getNodeId()));
    const a = first.deriveChannelSigner(50_000n, id);
    const b = later.deriveChannelSigner(50_000n, id);
    expect(b.pubkeys).toEqual(a.pubkeys);
    expect(toHex(b.getPerCommitmentPoint(17))).toBe(toHex(a.getPerCommitmentPoint(17)));
    expect(toHex(b.channelKeysId)).toBe(toHex(id));
  });

  it('a different seed gives different keys', () => {
    const other = seeded(new Uint8Array(32).fill(9));
    expect(toHex(other.getNodeId())).not.toBe(toHex(seeded().getNodeId()));
  });
});

describe('KeysManager uniqueness', () => {
  it('two managers from one seed with different start times never share channel keys', () => {
    const seen = new Set<string>();
    for (const [secs, nanos] of [
      [SECS, 0],
      [SECS, 1],
      [SECS + 1, 0],
    ] as const) {
      const km = seeded(SEED, secs, nanos);
      for (let i = 0; i < 8; i++) {
        const id = km.generateChannelKeysId(i % 2 === 0, 100_000n, 0n);
        const s = km.deriveChannelSigner(100_000n, id);
        for (const key of [toHex(id), ...Object.values(s.pubkeys).map(toHex)]) {
          expect(seen.has(key)).toBe(false);
          seen.add(key);
        }
      }
    }
    expect(seen.size).toBe(3 * 8 * 6);
  });

  it('channel keys ids carry the counter, the start time and the user channel id', () => {
    const km = seeded();
    const user = (1n << 127n) + 5n;
    km.generateChannelKeysId(false, 1n, 0n);
    const id = km.generateChannelKeysId(true, 1n, user);
    expect(toHex(id.subarray(0, 4))).toBe('00000001');
    expect(toHex(id.subarray(16))).toBe(user.toString(16).padStart(32, '0'));
  });

  it('getSecureRandomBytes never repeats (seed-only and with platform randomness)', () => {
    const seen = new Set<string>();
    const a = seeded();
    const b = seeded(SEED, SECS, NANOS + 1);
    const c = new KeysManager(SEED, SECS, NANOS);
    const d = new KeysManager(SEED, SECS, NANOS);
    for (let i = 0; i < 500; i++) {
      for (const km of [a, b, c, d]) {
        const r = km.getSecureRandomBytes();
        expect(r).toHaveLength(32);
        const h = toHex(r);
        expect(seen.has(h)).toBe(false);
        seen.add(h);
      }
    }
    // Seed-only streams are reproducible: same seed and start time, same bytes.
    expect(toHex(seeded().getSecureRandomBytes())).toBe(toHex(seeded().getSecureRandomBytes()));
  });

  it('uses an injected getRandomValues and rejects one that fills nothing', () => {
    let calls = 0;
    const km = new KeysManager(SEED, SECS, NANOS, {
      getRandomValues: (bytes) => {
        calls++;
        bytes.fill(calls);
      },
    });
    km.getSecureRandomBytes();
    expect(calls).toBe(1);
    const broken = new KeysManager(SEED, SECS, NANOS, { getRandomValues: () => undefined });
    expect(codeOf(() => broken.getSecureRandomBytes())).toBe(ErrorCode.CryptoError);
  });
});

describe('KeysManager node key operations', () => {
  const a = seeded();
  const b = seeded(new Uint8Array(32).fill(2));

  it('ecdh agrees on both sides (BOLT 8)', () => {
    expect(toHex(a.ecdh(b.getNodeId()))).toBe(toHex(b.ecdh(a.getNodeId())));
  });

  it('ecdh with a tweak multiplies the node secret first (blinded paths)', () => {
    const tweak = crypto.sha256(Uint8Array.of(42));
    const tweakedA = crypto.pointMultiply(a.getNodeId(), tweak);
    expect(toHex(a.ecdh(b.getNodeId(), tweak))).toBe(toHex(b.ecdh(tweakedA)));
    expect(toHex(a.ecdh(b.getNodeId(), tweak))).not.toBe(toHex(a.ecdh(b.getNodeId())));
  });

  it('gossip signatures verify with the node id', () => {
    const digest = crypto.sha256(Uint8Array.of(1, 2, 3));
    const sig = a.signGossipMessage(digest);
    expect(crypto.verify(sig, digest, a.getNodeId())).toBe(true);
  });

  it('invoice signatures recover the node id from sha256(preimage)', () => {
    const preimage = Uint8Array.from('lnbc1', (ch) => ch.charCodeAt(0));
    const { signature, recoveryId } = a.signInvoice(preimage);
    const digest = crypto.sha256(preimage);
    expect(toHex(crypto.recoverPublicKey(signature, recoveryId, digest))).toBe(
      toHex(a.getNodeId()),
    );
  });

  it('returns copies, so a caller cannot alter the manager', () => {
    const id = a.getNodeId();
    id.fill(0);
    expect(toHex(a.getNodeId())).not.toBe(toHex(id));
  });
});

describe('KeysManager typed errors', () => {
  const km = seeded();
  const offCurve = fromHex('02' + '00'.repeat(31) + '05');
  const cases: [string, string, () => unknown][] = [
    ['short seed', ErrorCode.APIMisuse, () => seeded(new Uint8Array(31))],
    ['long seed', ErrorCode.APIMisuse, () => seeded(new Uint8Array(64))],
    ['negative start', ErrorCode.APIMisuse, () => seeded(SEED, -1, 0)],
    ['nanos over u32', ErrorCode.APIMisuse, () => seeded(SEED, 0, 2 ** 32)],
    [
      'getRandomValues not a function',
      ErrorCode.APIMisuse,
      () => new KeysManager(SEED, 0, 0, { getRandomValues: 5 as unknown as null }),
    ],
    ['ecdh short key', ErrorCode.CryptoError, () => km.ecdh(new Uint8Array(32))],
    ['ecdh off-curve key', ErrorCode.CryptoError, () => km.ecdh(offCurve)],
    ['ecdh short tweak', ErrorCode.APIMisuse, () => km.ecdh(km.getNodeId(), new Uint8Array(31))],
    ['ecdh zero tweak', ErrorCode.CryptoError, () => km.ecdh(km.getNodeId(), new Uint8Array(32))],
    ['gossip digest length', ErrorCode.APIMisuse, () => km.signGossipMessage(new Uint8Array(33))],
    ['invoice not bytes', ErrorCode.APIMisuse, () => km.signInvoice('x' as unknown as Uint8Array)],
    ['user channel id', ErrorCode.APIMisuse, () => km.generateChannelKeysId(false, 1n, 1n << 128n)],
    ['negative value', ErrorCode.APIMisuse, () => km.generateChannelKeysId(false, -1n, 0n)],
    ['short keys id', ErrorCode.APIMisuse, () => km.deriveChannelSigner(1n, new Uint8Array(31))],
    ['destination id', ErrorCode.APIMisuse, () => km.getDestinationScript(new Uint8Array(1))],
  ];
  for (const [name, code, fn] of cases) {
    it(name, () => {
      expect(codeOf(fn)).toBe(code);
    });
  }
});
