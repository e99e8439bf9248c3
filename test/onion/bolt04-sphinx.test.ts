// BOLT 4 Sphinx packets: bolt04/onion-test.json (5 hops, variable-length payloads) built byte
// for byte and peeled hop by hop, the bad-onion failures each hop reports, and 20-hop routes.
import { describe, expect, it } from 'vitest';
import { createNodeCryptoBackend } from '../../src/node/crypto-backend.js';
import { FailureCode } from '../../src/onion/failure-codes.js';
import { constructOnionPacket, PAYMENT_ONION_LENGTH } from '../../src/onion/packet.js';
import { peelOnion, type PeelResult } from '../../src/onion/peel.js';
import { computeOnionHopSecrets } from '../../src/onion/shared-secrets.js';
import type { CryptoBackend } from '../../src/crypto/backend.js';
import { crypto, ecdhOf, hex, keyOf, loadVector, toHex, withoutLengthPrefix } from './helpers.js';

interface OnionTest {
  generate: {
    session_key: string;
    associated_data: string;
    hops: { pubkey: string; payload: string }[];
  };
  onion: string;
  decode: string[];
}

const v = loadVector('bolt04/onion-test.json') as OnionTest;
const sessionKey = hex(v.generate.session_key);
const ad = hex(v.generate.associated_data);
const hops = v.generate.hops.map((h) => ({
  nodeId: hex(h.pubkey),
  payload: withoutLengthPrefix(hex(h.payload)),
}));
const backends: [string, CryptoBackend][] = [
  ['noble', crypto],
  ['node-openssl', createNodeCryptoBackend()],
];

function expectKind<K extends PeelResult['kind']>(
  r: PeelResult,
  kind: K,
): Extract<PeelResult, { kind: K }> {
  expect(r.kind).toBe(kind);
  return r as Extract<PeelResult, { kind: K }>;
}

describe('BOLT 4 onion-test.json', () => {
  for (const [name, backend] of backends) {
    it(`builds the onion byte for byte (${name})`, () => {
      const { packet, sharedSecrets } = constructOnionPacket(hops, sessionKey, ad, {
        crypto: backend,
      });
      expect(packet.length).toBe(PAYMENT_ONION_LENGTH);
      expect(toHex(packet)).toBe(v.onion);
      expect(sharedSecrets.length).toBe(5);
    });

    it(`peels every hop to its payload (${name})`, () => {
      let packet = hex(v.onion);
      const secrets = computeOnionHopSecrets(
        sessionKey,
        hops.map((h) => h.nodeId),
        backend,
      );
      v.decode.forEach((sk, i) => {
        const r = peelOnion(packet, ecdhOf(hex(sk), backend), ad, { crypto: backend });
        const last = i === v.decode.length - 1;
        const peeled = last ? expectKind(r, 'final') : expectKind(r, 'forward');
        expect(toHex(peeled.payload)).toBe(toHex(hops[i]!.payload));
        expect(toHex(peeled.sharedSecret)).toBe(toHex(secrets.sharedSecrets[i]!));
        if (peeled.kind === 'forward') {
          expect(toHex(peeled.nextPacket.subarray(1, 34))).toBe(
            toHex(secrets.ephemeralPublicKeys[i + 1]!),
          );
          packet = peeled.nextPacket;
        }
      });
    });
  }

  it('the hop keys match the shared secrets of onion-error-test.json', () => {
    const e = loadVector('bolt04/onion-error-test.json') as {
      generate: { hops: { hop_shared_secret: string }[] };
    };
    const { sharedSecrets } = computeOnionHopSecrets(
      sessionKey,
      hops.map((h) => h.nodeId),
    );
    expect(sharedSecrets.map(toHex)).toEqual(e.generate.hops.map((h) => h.hop_shared_secret));
  });
});

describe('BOLT 4 bad onions at a hop', () => {
  const onion = hex(v.onion);
  const ecdh = ecdhOf(hex(v.decode[0]!));

  it('a version other than 0 is invalid_onion_version with the sha256 of the onion', () => {
    const bad = onion.slice();
    bad[0] = 1;
    const r = expectKind(peelOnion(bad, ecdh, ad), 'malformed');
    expect(r.failureCode).toBe(FailureCode.invalidOnionVersion);
    expect(r.failureCode).toBe(0x8000 | 0x4000 | 4);
    expect(toHex(r.sha256OfOnion)).toBe(toHex(crypto.sha256(bad)));
  });

  it('a public key off the curve is invalid_onion_key', () => {
    const bad = onion.slice();
    bad.fill(0xff, 2, 34); // x = 2^256 - 1 is not a field element
    const r = expectKind(peelOnion(bad, ecdh, ad), 'malformed');
    expect(r.failureCode).toBe(FailureCode.invalidOnionKey);
    expect(r.failureCode).toBe(0x8000 | 0x4000 | 6);
    expect(toHex(r.sha256OfOnion)).toBe(toHex(crypto.sha256(bad)));
  });

  it('a public key with a bad prefix is invalid_onion_key', () => {
    const bad = onion.slice();
    bad[1] = 0x04;
    expect(expectKind(peelOnion(bad, ecdh, ad), 'malformed').failureCode).toBe(
      FailureCode.invalidOnionKey,
    );
  });

  it('a flipped payload bit, HMAC bit or other associated data is invalid_onion_hmac', () => {
    for (const mutate of [
      (p: Uint8Array) => (p[500]! ^= 1),
      (p: Uint8Array) => (p[PAYMENT_ONION_LENGTH - 1]! ^= 0x80),
    ]) {
      const bad = onion.slice();
      mutate(bad);
      const r = expectKind(peelOnion(bad, ecdh, ad), 'malformed');
      expect(r.failureCode).toBe(FailureCode.invalidOnionHmac);
      expect(r.failureCode).toBe(0x8000 | 0x4000 | 5);
      expect(toHex(r.sha256OfOnion)).toBe(toHex(crypto.sha256(bad)));
    }
    const other = expectKind(peelOnion(onion, ecdh, new Uint8Array(32)), 'malformed');
    expect(other.failureCode).toBe(FailureCode.invalidOnionHmac);
  });

  it('the wrong node key is invalid_onion_hmac', () => {
    const r = expectKind(peelOnion(onion, ecdhOf(keyOf(0x77)), ad), 'malformed');
    expect(r.failureCode).toBe(FailureCode.invalidOnionHmac);
  });

  it('a packet of the wrong length is a typed API error', () => {
    expect(() => peelOnion(onion.subarray(1), ecdh, ad)).toThrow(
      expect.objectContaining({ code: 'APIMisuse' }),
    );
  });
});

describe('BOLT 4 long routes', () => {
  // Nodes with keys 1, 2, …; a forwarding payload of 26 bytes and a final one of 40.
  const route = (n: number) =>
    Array.from({ length: n }, (_, i) => ({
      secretKey: keyOf(i + 1),
      nodeId: crypto.getPublicKey(keyOf(i + 1)),
      payload: new Uint8Array(i === n - 1 ? 40 : 26).fill(i + 1),
    }));

  it('builds and peels a 20-hop route', () => {
    const r = route(20);
    let { packet } = constructOnionPacket(r, keyOf(0x55), ad);
    r.forEach((hop, i) => {
      const res = peelOnion(packet, ecdhOf(hop.secretKey), ad);
      expect(res.kind).toBe(i === r.length - 1 ? 'final' : 'forward');
      if (res.kind !== 'forward' && res.kind !== 'final') throw new Error('unreachable');
      expect(toHex(res.payload)).toBe(toHex(hop.payload));
      if (res.kind === 'forward') packet = res.nextPacket;
    });
  });

  it('refuses a route whose frames do not fit in 1300 bytes', () => {
    const r = route(21).map((h) => ({ ...h, payload: new Uint8Array(30).fill(1) }));
    // 21 frames of 1 + 30 + 32 = 63 bytes is 1323 bytes.
    expect(() => constructOnionPacket(r, keyOf(0x55), ad)).toThrow(
      expect.objectContaining({ code: 'RouteError' }),
    );
    expect(() => constructOnionPacket([], keyOf(0x55), ad)).toThrow(
      expect.objectContaining({ code: 'RouteError' }),
    );
  });

  it('uses exactly 1300 bytes when the frames fill the field', () => {
    // 20 frames of 1 + 32 + 32 = 65 bytes.
    const r = route(20).map((h) => ({ ...h, payload: new Uint8Array(32).fill(9) }));
    let { packet } = constructOnionPacket(r, keyOf(0x55), ad);
    for (const [i, hop] of r.entries()) {
      const res = peelOnion(packet, ecdhOf(hop.secretKey), ad);
      expect(res.kind).toBe(i === 19 ? 'final' : 'forward');
      if (res.kind === 'forward') packet = res.nextPacket;
    }
  });

  it('refuses bad keys and payloads with typed errors', () => {
    const r = route(2);
    const bad = (f: () => unknown) =>
      expect(f).toThrow(expect.objectContaining({ code: 'APIMisuse' }));
    bad(() => constructOnionPacket(r, new Uint8Array(32), ad));
    bad(() => constructOnionPacket([{ ...r[0]!, nodeId: new Uint8Array(33) }], keyOf(1), ad));
    bad(() => constructOnionPacket([{ ...r[0]!, payload: new Uint8Array(1) }], keyOf(1), ad));
    bad(() => constructOnionPacket([null as never], keyOf(1), ad));
  });
});
