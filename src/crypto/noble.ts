/**
 * The default `CryptoBackend`: pure JavaScript on noble. Portable everywhere; see
 * ARCHITECTURE.md for how much faster the pluggable backends are.
 */
import * as secp from '@noble/secp256k1';
import { chacha20, chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { hmac } from '@noble/hashes/hmac.js';
import { ripemd160 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { CryptoError } from '../util/errors.js';
import type { CryptoBackend } from './backend.js';

// noble-secp256k1 needs synchronous hash slots for RFC 6979 signing; set them once, here.
secp.hashes.sha256 = sha256;
secp.hashes.hmacSha256 = (key, msg) => hmac(sha256, key, msg);

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

function bytesToBigint(b: Uint8Array): bigint {
  let v = 0n;
  for (const x of b) v = (v << 8n) | BigInt(x);
  return v;
}

function bigintTo32(v: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 31; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

function point(bytes: Uint8Array, what: string): secp.Point {
  try {
    return secp.Point.fromBytes(bytes);
  } catch (e) {
    throw new CryptoError(`${what}: not a valid secp256k1 point`, { cause: e });
  }
}

function scalar(bytes: Uint8Array, what: string, allowZero = false): bigint {
  if (!(bytes instanceof Uint8Array) || bytes.length !== 32) {
    throw new CryptoError(`${what}: expected 32 bytes`);
  }
  const v = bytesToBigint(bytes);
  if (v >= N || (!allowZero && v === 0n)) throw new CryptoError(`${what}: scalar out of range`);
  return v;
}

/** noble's own length errors are untyped; a wrong-length key or nonce is a `CryptoError` here. */
function fixedLength(bytes: Uint8Array, length: number, what: string): Uint8Array {
  if (!(bytes instanceof Uint8Array) || bytes.length !== length) {
    throw new CryptoError(`${what}: expected ${length} bytes`);
  }
  return bytes;
}

function secretKey(bytes: Uint8Array): Uint8Array {
  scalar(bytes, 'secret key');
  return bytes;
}

export const nobleBackend: CryptoBackend = {
  name: 'noble',
  sha256: (data) => sha256(data),
  ripemd160: (data) => ripemd160(data),
  hash160: (data) => ripemd160(sha256(data)),
  hmacSha256: (key, data) => hmac(sha256, key, data),

  isValidSecretKey(sk) {
    return sk instanceof Uint8Array && sk.length === 32 && secp.utils.isValidSecretKey(sk);
  },
  isValidPublicKey(pk) {
    if (!(pk instanceof Uint8Array) || (pk.length !== 33 && pk.length !== 65)) return false;
    try {
      secp.Point.fromBytes(pk).assertValidity();
      return true;
    } catch {
      return false;
    }
  },
  getPublicKey(sk) {
    return secp.getPublicKey(secretKey(sk), true);
  },
  compressPublicKey(pk) {
    return point(pk, 'public key').toBytes(true);
  },
  decompressPublicKey(pk) {
    return point(pk, 'public key').toBytes(false);
  },
  ecdh(sk, pk) {
    const shared = point(pk, 'public key').multiply(scalar(sk, 'secret key'));
    return sha256(shared.toBytes(true));
  },
  sign(digest, sk) {
    if (digest.length !== 32) throw new CryptoError('sign: digest must be 32 bytes');
    return secp.sign(digest, secretKey(sk), { prehash: false, lowS: true });
  },
  signRecoverable(digest, sk) {
    if (digest.length !== 32) throw new CryptoError('sign: digest must be 32 bytes');
    const rec = secp.sign(digest, secretKey(sk), {
      prehash: false,
      lowS: true,
      format: 'recovered',
    });
    const sig = secp.Signature.fromBytes(rec, 'recovered');
    return { signature: sig.toBytes('compact'), recoveryId: sig.recovery ?? 0 };
  },
  verify(sig, digest, pk) {
    try {
      if (sig.length !== 64 || digest.length !== 32) return false;
      return secp.verify(sig, digest, pk, { prehash: false, lowS: true });
    } catch {
      return false;
    }
  },
  recoverPublicKey(sig, recoveryId, digest) {
    fixedLength(digest, 32, 'recoverPublicKey: digest');
    try {
      const s = secp.Signature.fromBytes(sig, 'compact').addRecoveryBit(recoveryId);
      return secp.recoverPublicKey(s.toBytes('recovered'), digest, { prehash: false });
    } catch (e) {
      throw new CryptoError('recoverPublicKey: no public key recovers from this signature', {
        cause: e,
      });
    }
  },
  pointAdd(a, b) {
    const p = point(a, 'point a').add(point(b, 'point b'));
    if (p.is0()) throw new CryptoError('pointAdd: result is the point at infinity');
    return p.toBytes(true);
  },
  pointMultiply(p, tweak) {
    return point(p, 'point').multiply(scalar(tweak, 'tweak')).toBytes(true);
  },
  privateAdd(sk, tweak) {
    const v = (scalar(sk, 'secret key') + scalar(tweak, 'tweak', true)) % N;
    if (v === 0n) throw new CryptoError('privateAdd: result is zero');
    return bigintTo32(v);
  },
  privateMultiply(sk, tweak) {
    return bigintTo32((scalar(sk, 'secret key') * scalar(tweak, 'tweak')) % N);
  },
  aeadEncrypt(key, nonce, plaintext, aad) {
    fixedLength(key, 32, 'aead key');
    fixedLength(nonce, 12, 'aead nonce');
    return chacha20poly1305(key, nonce, aad).encrypt(plaintext);
  },
  aeadEncryptInto(key, nonce, plaintext, aad, output) {
    fixedLength(key, 32, 'aead key');
    fixedLength(nonce, 12, 'aead nonce');
    fixedLength(output, plaintext.length + 16, 'aead output');
    chacha20poly1305(key, nonce, aad).encrypt(plaintext, output);
  },
  aeadDecrypt(key, nonce, ciphertext, aad) {
    fixedLength(key, 32, 'aead key');
    fixedLength(nonce, 12, 'aead nonce');
    try {
      return chacha20poly1305(key, nonce, aad).decrypt(ciphertext);
    } catch {
      return null;
    }
  },
  chacha20(key, nonce, data) {
    fixedLength(key, 32, 'chacha20 key');
    fixedLength(nonce, 12, 'chacha20 nonce');
    return chacha20(key, nonce, data);
  },
};
