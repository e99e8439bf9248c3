// The conformance suite every CryptoBackend runs: known answers from the RFCs and the BOLT 8
// vectors, algebraic consistency of the curve operations, and typed errors for bad input.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { CryptoBackend } from '../../src/crypto/backend.js';
import { fromHex, toHex } from '../../src/util/bytes.js';
import { ErrorCode } from '../../src/util/errors.js';

const here = dirname(fileURLToPath(import.meta.url));
const bolt08 = JSON.parse(readFileSync(join(here, '../vectors/bolt08-transport.json'), 'utf8')) as {
  initiator: {
    keys: { rs_pub: string; ls_priv: string; e_priv: string };
    intermediate: {
      act1: { ss: string };
      act2: { re: string; ss: string };
      act3: { ss: string };
    };
  }[];
};

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const N_HEX = 'fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141';
const N = BigInt(`0x${N_HEX}`);
const G_COMPRESSED = '0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798';

function scalar(v: bigint): Uint8Array {
  return fromHex(v.toString(16).padStart(64, '0'));
}

/** The same bytes inside a larger buffer at an odd offset, as a Node read buffer would hold them. */
function offset(bytes: Uint8Array): Uint8Array {
  const big = new Uint8Array(bytes.length + 7).fill(0xa5);
  big.set(bytes, 3);
  return big.subarray(3, 3 + bytes.length);
}

/** Every returned array must be a plain Uint8Array (never a Buffer) that owns its bytes. */
function expectPlain(out: Uint8Array): void {
  expect(Object.getPrototypeOf(out)).toBe(Uint8Array.prototype);
  expect(out.byteOffset).toBe(0);
  expect(out.byteLength).toBe(out.buffer.byteLength);
}

function expectCryptoError(fn: () => unknown): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, 'expected a CryptoError').toBeDefined();
  expect((thrown as { code?: unknown }).code).toBe(ErrorCode.CryptoError);
}

/** Runs the whole suite against `backend` inside a `describe` named after it. */
export function runBackendSuite(backend: CryptoBackend, label = backend.name): void {
  const b = backend;
  const one = scalar(1n);
  const two = scalar(2n);
  const seven = scalar(7n);

  describe(`CryptoBackend conformance: ${label}`, () => {
    describe('hashes', () => {
      it('sha256 (FIPS 180-2 examples)', () => {
        expect(toHex(b.sha256(ascii('abc')))).toBe(
          'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
        );
        expect(toHex(b.sha256(new Uint8Array(0)))).toBe(
          'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
        );
        expect(toHex(b.sha256(offset(ascii('abc'))))).toBe(toHex(b.sha256(ascii('abc'))));
        expectPlain(b.sha256(ascii('abc')));
      });

      it('hmacSha256 (RFC 4231 test cases 1, 2 and 6)', () => {
        expect(toHex(b.hmacSha256(new Uint8Array(20).fill(0x0b), ascii('Hi There')))).toBe(
          'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
        );
        expect(toHex(b.hmacSha256(ascii('Jefe'), ascii('what do ya want for nothing?')))).toBe(
          '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
        );
        const longKey = new Uint8Array(131).fill(0xaa);
        const data = ascii('Test Using Larger Than Block-Size Key - Hash Key First');
        expect(toHex(b.hmacSha256(longKey, data))).toBe(
          '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
        );
        expect(toHex(b.hmacSha256(offset(longKey), offset(data)))).toBe(
          '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
        );
        expectPlain(b.hmacSha256(longKey, data));
      });

      it('ripemd160 (the RIPEMD-160 paper examples)', () => {
        expect(toHex(b.ripemd160(new Uint8Array(0)))).toBe(
          '9c1185a5c5e9fc54612808977ee8f548b2258d31',
        );
        expect(toHex(b.ripemd160(ascii('abc')))).toBe('8eb208f7e05d987a9b044a8e98c6b087f15a0bfc');
        expect(toHex(b.ripemd160(ascii('message digest')))).toBe(
          '5d0689ef49d2fae572b881b123a85ffa21595f36',
        );
        expectPlain(b.ripemd160(ascii('abc')));
      });

      it('hash160 of the generator (the BIP 173 P2WPKH example program)', () => {
        expect(toHex(b.hash160(fromHex(G_COMPRESSED)))).toBe(
          '751e76e8199196d454941c45d1b3a323f1433bd6',
        );
        expectPlain(b.hash160(fromHex(G_COMPRESSED)));
      });
    });

    describe('keys', () => {
      it('derives and re-encodes public keys', () => {
        expect(toHex(b.getPublicKey(one))).toBe(G_COMPRESSED);
        expect(toHex(b.getPublicKey(offset(one)))).toBe(G_COMPRESSED);
        const full = b.decompressPublicKey(fromHex(G_COMPRESSED));
        expect(full.length).toBe(65);
        expect(full[0]).toBe(4);
        expect(toHex(b.compressPublicKey(full))).toBe(G_COMPRESSED);
        for (const out of [b.getPublicKey(one), full, b.compressPublicKey(full)]) expectPlain(out);
      });

      it('validates secret and public keys without throwing', () => {
        expect(b.isValidSecretKey(one)).toBe(true);
        expect(b.isValidSecretKey(scalar(N - 1n))).toBe(true);
        expect(b.isValidSecretKey(scalar(0n))).toBe(false);
        expect(b.isValidSecretKey(fromHex(N_HEX))).toBe(false);
        expect(b.isValidSecretKey(new Uint8Array(31).fill(1))).toBe(false);
        expect(b.isValidPublicKey(fromHex(G_COMPRESSED))).toBe(true);
        expect(b.isValidPublicKey(b.decompressPublicKey(fromHex(G_COMPRESSED)))).toBe(true);
        expect(b.isValidPublicKey(new Uint8Array(33))).toBe(false);
        expect(b.isValidPublicKey(fromHex(G_COMPRESSED).subarray(1))).toBe(false);
        // x = 5 is not on the curve.
        expect(b.isValidPublicKey(scalarKey(5n))).toBe(false);
        // The hybrid 65-byte encoding (06/07) is not a public key anywhere in Lightning.
        const hybrid = b.decompressPublicKey(fromHex(G_COMPRESSED));
        hybrid[0] = 6;
        expect(b.isValidPublicKey(hybrid)).toBe(false);
        const wrongPrefix = fromHex(G_COMPRESSED);
        wrongPrefix[0] = 4;
        expect(b.isValidPublicKey(wrongPrefix)).toBe(false);
      });

      it('throws CryptoError for invalid keys', () => {
        expectCryptoError(() => b.getPublicKey(scalar(0n)));
        expectCryptoError(() => b.getPublicKey(fromHex(N_HEX)));
        expectCryptoError(() => b.getPublicKey(new Uint8Array(31).fill(1)));
        expectCryptoError(() => b.compressPublicKey(new Uint8Array(33)));
        expectCryptoError(() => b.decompressPublicKey(scalarKey(5n)));
        expectCryptoError(() => b.ecdh(one, new Uint8Array(33)));
        expectCryptoError(() => b.ecdh(scalar(0n), fromHex(G_COMPRESSED)));
        expectCryptoError(() => b.ecdh(new Uint8Array(33).fill(1), fromHex(G_COMPRESSED)));
        expectCryptoError(() => b.sign(new Uint8Array(32), scalar(0n)));
        expectCryptoError(() => b.sign(new Uint8Array(31), one));
        expectCryptoError(() => b.signRecoverable(new Uint8Array(32), fromHex(N_HEX)));
        expectCryptoError(() => b.pointAdd(fromHex(G_COMPRESSED), new Uint8Array(33)));
        expectCryptoError(() => b.pointMultiply(new Uint8Array(33), two));
        expectCryptoError(() => b.pointMultiply(fromHex(G_COMPRESSED), scalar(0n)));
        expectCryptoError(() => b.pointMultiply(fromHex(G_COMPRESSED), fromHex(N_HEX)));
        expectCryptoError(() => b.privateAdd(scalar(0n), one));
        expectCryptoError(() => b.privateAdd(one, fromHex(N_HEX)));
        expectCryptoError(() => b.privateMultiply(one, scalar(0n)));
        expectCryptoError(() => b.privateMultiply(new Uint8Array(31).fill(1), two));
      });
    });

    describe('ecdh', () => {
      const v = bolt08.initiator[0]!;
      it('matches the BOLT 8 handshake shared secrets', () => {
        // act one: es = ECDH(e.priv, rs); act two: ee = ECDH(e.priv, re); act three: se = ECDH(s.priv, re)
        const e = fromHex(v.keys.e_priv);
        const re = fromHex(v.intermediate.act2.re);
        expect(toHex(b.ecdh(e, fromHex(v.keys.rs_pub)))).toBe(v.intermediate.act1.ss);
        expect(toHex(b.ecdh(e, re))).toBe(v.intermediate.act2.ss);
        expect(toHex(b.ecdh(fromHex(v.keys.ls_priv), re))).toBe(v.intermediate.act3.ss);
        expect(toHex(b.ecdh(offset(e), offset(re)))).toBe(v.intermediate.act2.ss);
        // An uncompressed key is the same point.
        expect(toHex(b.ecdh(e, b.decompressPublicKey(re)))).toBe(v.intermediate.act2.ss);
        expectPlain(b.ecdh(e, re));
      });

      it('is symmetric', () => {
        const a = scalar(0x1234n);
        const c = scalar(0xabcdefn);
        expect(b.ecdh(a, b.getPublicKey(c))).toEqual(b.ecdh(c, b.getPublicKey(a)));
      });
    });

    describe('ecdsa', () => {
      const digest = b.sha256(ascii('Satoshi Nakamoto'));
      // RFC 6979 deterministic nonces with low-S: the widely published secp256k1 examples.
      const known: [Uint8Array, string][] = [
        [
          one,
          '934b1ea10a4b3c1757e2b0c017d0b6143ce3c9a7e6a4a49860d7a6ab210ee3d8' +
            '2442ce9d2b916064108014783e923ec36b49743e2ffa1c4496f01a512aafd9e5',
        ],
        [
          scalar(N - 1n),
          'fd567d121db66e382991534ada77a6bd3106f0a1098c231e47993447cd6af2d0' +
            '6b39cd0eb1bc8603e159ef5c20a5c8ad685a45b06ce9bebed3f153d10d93bed5',
        ],
      ];

      it('signs deterministically (RFC 6979, low-S)', () => {
        for (const [sk, sig] of known) {
          expect(toHex(b.sign(digest, sk))).toBe(sig);
          expect(toHex(b.sign(offset(digest), offset(sk)))).toBe(sig);
          expect(b.verify(fromHex(sig), digest, b.getPublicKey(sk))).toBe(true);
        }
        expectPlain(b.sign(digest, one));
      });

      it('verify is false for high-S, a wrong key or digest, and malformed input', () => {
        const sig = b.sign(digest, seven);
        const pub = b.getPublicKey(seven);
        expect(b.verify(sig, digest, pub)).toBe(true);
        expect(b.verify(offset(sig), offset(digest), offset(pub))).toBe(true);
        expect(b.verify(sig, digest, b.decompressPublicKey(pub))).toBe(true);
        const s = BigInt(`0x${toHex(sig.subarray(32))}`);
        const highS = new Uint8Array(64);
        highS.set(sig.subarray(0, 32), 0);
        highS.set(scalar(N - s), 32);
        expect(b.verify(highS, digest, pub)).toBe(false);
        expect(b.verify(sig, digest, b.getPublicKey(two))).toBe(false);
        expect(b.verify(sig, b.sha256(digest), pub)).toBe(false);
        expect(b.verify(sig.subarray(0, 63), digest, pub)).toBe(false);
        expect(b.verify(sig, digest.subarray(0, 31), pub)).toBe(false);
        expect(b.verify(sig, digest, new Uint8Array(33))).toBe(false);
        expect(b.verify(sig, digest, pub.subarray(0, 32))).toBe(false);
        expect(b.verify(new Uint8Array(64), digest, pub)).toBe(false);
        expect(b.verify(new Uint8Array(64).fill(0xff), digest, pub)).toBe(false);
        const rN = new Uint8Array(64);
        rN.set(fromHex(N_HEX), 0);
        rN.set(sig.subarray(32), 32);
        expect(b.verify(rN, digest, pub)).toBe(false);
      });

      it('signs recoverably and recovers the key', () => {
        for (const [sk, sig] of known) {
          const rec = b.signRecoverable(digest, sk);
          expect(toHex(rec.signature)).toBe(sig);
          expect([0, 1, 2, 3]).toContain(rec.recoveryId);
          expectPlain(rec.signature);
          const recovered = b.recoverPublicKey(rec.signature, rec.recoveryId, digest);
          expect(recovered).toEqual(b.getPublicKey(sk));
          expectPlain(recovered);
          // The other parity recovers some other key, or none.
          const other = rec.recoveryId ^ 1;
          try {
            expect(b.recoverPublicKey(rec.signature, other, digest)).not.toEqual(
              b.getPublicKey(sk),
            );
          } catch (e) {
            expect((e as { code?: unknown }).code).toBe(ErrorCode.CryptoError);
          }
        }
        expectCryptoError(() => b.recoverPublicKey(new Uint8Array(64), 0, digest));
        expectCryptoError(() => b.recoverPublicKey(b.sign(digest, one), 4, digest));
        expectCryptoError(() => b.recoverPublicKey(b.sign(digest, one), 0, new Uint8Array(31)));
      });
    });

    describe('point and scalar arithmetic', () => {
      const a = scalar(0x1234567890abcdefn);
      const c = scalar(N - 5n);
      const A = b.getPublicKey(a);
      const C = b.getPublicKey(c);

      it('privateAdd matches pointAdd: (a + c)G = aG + cG', () => {
        const sum = b.privateAdd(a, c);
        expectPlain(sum);
        expect(b.getPublicKey(sum)).toEqual(b.pointAdd(A, C));
        expect(b.pointAdd(A, C)).toEqual(b.pointAdd(C, A));
        expect(b.privateAdd(offset(a), offset(c))).toEqual(sum);
        expect(b.privateAdd(a, scalar(0n))).toEqual(a);
        // Wrapping past n, and the caller's key is never changed in place.
        const copy = c.slice();
        expect(b.privateAdd(c, scalar(10n))).toEqual(scalar(5n));
        expect(c).toEqual(copy);
        expectPlain(b.pointAdd(A, C));
      });

      it('privateMultiply matches pointMultiply: (a * c)G = c(aG)', () => {
        const product = b.privateMultiply(a, c);
        expectPlain(product);
        expect(b.getPublicKey(product)).toEqual(b.pointMultiply(A, c));
        expect(b.pointMultiply(C, a)).toEqual(b.pointMultiply(A, c));
        expect(b.pointMultiply(b.decompressPublicKey(A), c)).toEqual(b.pointMultiply(A, c));
        const copy = a.slice();
        expect(b.privateMultiply(a, one)).toEqual(a);
        expect(a).toEqual(copy);
        expect(b.pointMultiply(fromHex(G_COMPRESSED), two)).toEqual(b.getPublicKey(two));
        expectPlain(b.pointMultiply(A, c));
      });

      it('adding a point to its negation is refused', () => {
        expectCryptoError(() => b.pointAdd(b.getPublicKey(one), b.getPublicKey(scalar(N - 1n))));
        expectCryptoError(() => b.privateAdd(one, scalar(N - 1n)));
      });
    });

    describe('chacha20', () => {
      // RFC 8439 §2.8.2: the AEAD example.
      const key = Uint8Array.from({ length: 32 }, (_, i) => 0x80 + i);
      const nonce = fromHex('070000004041424344454647');
      const aad = fromHex('50515253c0c1c2c3c4c5c6c7');
      const plaintext = ascii(
        "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.",
      );
      const sealed =
        'd31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b' +
        '1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc' +
        '3ff4def08e4b7a9de576d26586cec64b6116' +
        '1ae10b594f09e26a7e902ecbd0600691';

      it('aeadEncrypt / aeadDecrypt (RFC 8439 §2.8.2)', () => {
        const out = b.aeadEncrypt(key, nonce, plaintext, aad);
        expect(toHex(out)).toBe(sealed);
        expectPlain(out);
        expect(
          toHex(b.aeadEncrypt(offset(key), offset(nonce), offset(plaintext), offset(aad))),
        ).toBe(sealed);
        const opened = b.aeadDecrypt(key, nonce, fromHex(sealed), aad);
        expect(opened).toEqual(plaintext);
        expectPlain(opened!);
        expect(
          b.aeadDecrypt(offset(key), offset(nonce), offset(fromHex(sealed)), offset(aad)),
        ).toEqual(plaintext);
      });

      it('aeadEncryptInto, where offered, writes the same bytes in place', () => {
        if (b.aeadEncryptInto === undefined) return;
        const frame = new Uint8Array(5 + plaintext.length + 16).fill(0xee);
        b.aeadEncryptInto(key, nonce, offset(plaintext), aad, frame.subarray(5));
        expect(toHex(frame.subarray(5))).toBe(sealed);
        expect(frame.subarray(0, 5)).toEqual(new Uint8Array(5).fill(0xee));
        const tagOnly = new Uint8Array(16);
        b.aeadEncryptInto(key, nonce, new Uint8Array(0), aad, tagOnly);
        expect(tagOnly).toEqual(b.aeadEncrypt(key, nonce, new Uint8Array(0), aad));
        expectCryptoError(() => {
          b.aeadEncryptInto!(key, nonce, plaintext, aad, new Uint8Array(plaintext.length + 15));
        });
        expectCryptoError(() => {
          b.aeadEncryptInto!(key.subarray(1), nonce, plaintext, aad, frame.subarray(5));
        });
      });

      it('aeadDecrypt returns null on any tampering', () => {
        const bad = fromHex(sealed);
        bad[bad.length - 1]! ^= 1;
        expect(b.aeadDecrypt(key, nonce, bad, aad)).toBeNull();
        const badBody = fromHex(sealed);
        badBody[0]! ^= 1;
        expect(b.aeadDecrypt(key, nonce, badBody, aad)).toBeNull();
        expect(b.aeadDecrypt(key, nonce, fromHex(sealed), aad.subarray(1))).toBeNull();
        expect(b.aeadDecrypt(key, new Uint8Array(12), fromHex(sealed), aad)).toBeNull();
        expect(b.aeadDecrypt(key, nonce, new Uint8Array(15), aad)).toBeNull();
      });

      it('seals an empty plaintext to a bare tag (the BOLT 8 act one MAC)', () => {
        const tag = b.aeadEncrypt(key, nonce, new Uint8Array(0), aad);
        expect(tag.length).toBe(16);
        expect(b.aeadDecrypt(key, nonce, tag, aad)).toEqual(new Uint8Array(0));
      });

      it('chacha20 keystream (RFC 8439 A.1 test vector 1, §2.4.2)', () => {
        const ks = b.chacha20(new Uint8Array(32), new Uint8Array(12), new Uint8Array(64));
        expect(toHex(ks)).toBe(
          '76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7' +
            'da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586',
        );
        expectPlain(ks);
        // §2.4.2 starts at block counter 1; ours starts at 0, so encrypt behind one skipped block.
        const k = Uint8Array.from({ length: 32 }, (_, i) => i);
        const data = new Uint8Array(64 + plaintext.length);
        data.set(plaintext, 64);
        const out = b.chacha20(k, fromHex('000000000000004a00000000'), data).subarray(64);
        expect(toHex(out)).toBe(
          '6e2e359a2568f98041ba0728dd0d6981e97e7aec1d4360c20a27afccfd9fae0b' +
            'f91b65c5524733ab8f593dabcd62b3571639d624e65152ab8f530c359f0861d8' +
            '07ca0dbf500d6a6156a38e088a22b65e52bc514d16ccf806818ce91ab7793736' +
            '5af90bbf74a35be6b40b8eedf2785e42874d',
        );
        expect(b.chacha20(k, fromHex('000000000000004a00000000'), new Uint8Array(0)).length).toBe(
          0,
        );
      });

      it('throws CryptoError for a wrong key or nonce length', () => {
        expectCryptoError(() => b.aeadEncrypt(key.subarray(1), nonce, plaintext, aad));
        expectCryptoError(() => b.aeadEncrypt(key, nonce.subarray(1), plaintext, aad));
        expectCryptoError(() => b.aeadDecrypt(key.subarray(1), nonce, fromHex(sealed), aad));
        expectCryptoError(() => b.aeadDecrypt(key, new Uint8Array(8), fromHex(sealed), aad));
        expectCryptoError(() => b.chacha20(key.subarray(1), nonce, plaintext));
        expectCryptoError(() => b.chacha20(key, new Uint8Array(8), plaintext));
      });
    });
  });
}

/** A compressed-key encoding of x (prefix 02), whether or not x is on the curve. */
function scalarKey(x: bigint): Uint8Array {
  const out = new Uint8Array(33);
  out[0] = 2;
  out.set(scalar(x), 1);
  return out;
}
