/**
 * A `CryptoBackend` for Node.js: OpenSSL (`node:crypto`) for SHA-256, HMAC, RIPEMD-160 and
 * ChaCha20(-Poly1305), about ten times the speed of the pure-JS AEAD on large messages, and
 * libsecp256k1 for curve operations when the optional native addon (npm `secp256k1` 4.x) is
 * installed and built. Anything OpenSSL or the addon cannot do here falls back to noble, so the
 * backend works on every Node install and passes the same suite as `nobleBackend`.
 *
 * Node hands back `Buffer`s; every method returns a plain `Uint8Array` that owns its memory (a
 * small `Buffer` may sit in Node's shared pool, which a caller must never see).
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  getHashes,
  type CipherChaCha20Poly1305Options,
} from 'node:crypto';
import { createRequire } from 'node:module';
import type { CryptoBackend } from '../crypto/backend.js';
import { nobleBackend } from '../crypto/noble.js';
import { CryptoError } from '../util/errors.js';

/** Which secp256k1 implementation a Node backend runs on. */
export type Secp256k1Implementation = 'libsecp256k1-native' | 'noble';

/** A `CryptoBackend` that also says which curve implementation it loaded. */
export interface NodeCryptoBackend extends CryptoBackend {
  readonly secp256k1: Secp256k1Implementation;
}

export interface NodeCryptoBackendOptions {
  /**
   * Use the native libsecp256k1 addon (npm `secp256k1`) for curve operations when it can be
   * loaded. Default true; when the addon is missing or was not built, noble is used silently
   * (check `secp256k1` on the result).
   */
  nativeSecp256k1?: boolean;
}

/** The part of the `secp256k1` 4.x API (its native `bindings` entry) this backend uses. */
interface NativeSecp256k1 {
  privateKeyVerify(sk: Uint8Array): boolean;
  privateKeyTweakAdd(sk: Uint8Array, tweak: Uint8Array): Uint8Array;
  privateKeyTweakMul(sk: Uint8Array, tweak: Uint8Array): Uint8Array;
  publicKeyVerify(pk: Uint8Array): boolean;
  publicKeyCreate(sk: Uint8Array, compressed: boolean): Uint8Array;
  publicKeyConvert(pk: Uint8Array, compressed: boolean): Uint8Array;
  publicKeyCombine(pks: Uint8Array[], compressed: boolean): Uint8Array;
  publicKeyTweakMul(pk: Uint8Array, tweak: Uint8Array, compressed: boolean): Uint8Array;
  ecdsaSign(digest: Uint8Array, sk: Uint8Array): { signature: Uint8Array; recid: number };
  ecdsaVerify(sig: Uint8Array, digest: Uint8Array, pk: Uint8Array): boolean;
  ecdsaRecover(sig: Uint8Array, recid: number, digest: Uint8Array, compressed: boolean): Uint8Array;
  ecdh(pk: Uint8Array, sk: Uint8Array): Uint8Array;
}

const AEAD = 'chacha20-poly1305';
const TAG_LENGTH = 16;
const AEAD_OPTIONS: CipherChaCha20Poly1305Options = { authTagLength: TAG_LENGTH };

/** A plain `Uint8Array` with the bytes of `buf`, copying only when `buf` shares its memory. */
function plain(buf: Uint8Array): Uint8Array {
  if (buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength) {
    return new Uint8Array(buf.buffer, 0, buf.byteLength);
  }
  return new Uint8Array(buf);
}

function checkLength(bytes: Uint8Array, length: number, what: string): void {
  if (!(bytes instanceof Uint8Array) || bytes.length !== length) {
    throw new CryptoError(`${what}: expected ${length} bytes`);
  }
}

/** Whether this Node's OpenSSL can hash RIPEMD-160 (OpenSSL 3 may keep it in the legacy provider). */
function opensslHasRipemd160(): boolean {
  try {
    return getHashes().includes('ripemd160') && createHash('ripemd160').digest().length === 20;
  } catch {
    return false;
  }
}

function sha256(data: Uint8Array): Uint8Array {
  return plain(createHash('sha256').update(data).digest());
}

function ripemd160(data: Uint8Array): Uint8Array {
  return plain(createHash('ripemd160').update(data).digest());
}

type SymmetricPart = Pick<
  CryptoBackend,
  | 'sha256'
  | 'ripemd160'
  | 'hash160'
  | 'hmacSha256'
  | 'aeadEncrypt'
  | 'aeadEncryptInto'
  | 'aeadDecrypt'
  | 'chacha20'
>;
type CurvePart = Omit<CryptoBackend, keyof SymmetricPart | 'name'>;

/**
 * OpenSSL's AEAD. Node hands the ciphertext back in a new buffer, so writing it into `output` is
 * the one copy a BOLT 8 frame needs; a caller assembling a frame saves a second one.
 */
function aeadEncryptInto(
  key: Uint8Array,
  nonce: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
  output: Uint8Array,
): void {
  checkLength(key, 32, 'aead key');
  checkLength(nonce, 12, 'aead nonce');
  checkLength(output, plaintext.length + TAG_LENGTH, 'aead output');
  const cipher = createCipheriv(AEAD, key, nonce, AEAD_OPTIONS);
  // Leaving out an empty AAD saves a native call per message (BOLT 8 frames have none).
  if (aad.length > 0) cipher.setAAD(aad, { plaintextLength: plaintext.length });
  const body = cipher.update(plaintext);
  cipher.final();
  output.set(body, 0);
  output.set(cipher.getAuthTag(), body.length);
}

/** OpenSSL implementations of the hash and symmetric half of the interface. */
function opensslPart(): SymmetricPart {
  const rmd = opensslHasRipemd160()
    ? ripemd160
    : (data: Uint8Array) => nobleBackend.ripemd160(data);
  return {
    sha256,
    ripemd160: rmd,
    hash160: (data) => rmd(sha256(data)),
    hmacSha256: (key, data) => plain(createHmac('sha256', key).update(data).digest()),

    aeadEncrypt(key, nonce, plaintext, aad) {
      const out = new Uint8Array(plaintext.length + TAG_LENGTH);
      aeadEncryptInto(key, nonce, plaintext, aad, out);
      return out;
    },
    aeadEncryptInto,
    aeadDecrypt(key, nonce, ciphertext, aad) {
      checkLength(key, 32, 'aead key');
      checkLength(nonce, 12, 'aead nonce');
      if (ciphertext.length < TAG_LENGTH) return null;
      const split = ciphertext.length - TAG_LENGTH;
      const decipher = createDecipheriv(AEAD, key, nonce, AEAD_OPTIONS);
      decipher.setAuthTag(ciphertext.subarray(split));
      if (aad.length > 0) decipher.setAAD(aad, { plaintextLength: split });
      const body = decipher.update(ciphertext.subarray(0, split));
      try {
        // The tag is checked here; until then `body` is unauthenticated and must not escape.
        decipher.final();
      } catch {
        return null;
      }
      return plain(body);
    },
    chacha20(key, nonce, data) {
      checkLength(key, 32, 'chacha20 key');
      checkLength(nonce, 12, 'chacha20 nonce');
      // OpenSSL takes a 16-byte IV: the 32-bit block counter (little-endian, 0 here), then the nonce.
      const iv = new Uint8Array(16);
      iv.set(nonce, 4);
      const cipher = createCipheriv('chacha20', key, iv);
      const out = cipher.update(data);
      cipher.final();
      return plain(out);
    },
  };
}

/** Loads the native addon, or `undefined` when it is not installed or not built. */
function loadNative(): NativeSecp256k1 | undefined {
  try {
    const require = createRequire(import.meta.url);
    // `secp256k1/bindings` is the native entry only; the package main would fall back to a
    // pure-JS elliptic build, which is slower than noble.
    const mod: unknown = require('secp256k1/bindings');
    if (typeof mod === 'object' && mod !== null && 'ecdsaSign' in mod) {
      return mod as NativeSecp256k1;
    }
  } catch {
    // Not installed or not built: noble it is.
  }
  return undefined;
}

/** Runs a native call, turning its untyped `Error` into a `CryptoError`. */
function guard<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof CryptoError) throw e;
    throw new CryptoError(`${what}: ${e instanceof Error ? e.message : 'failed'}`, { cause: e });
  }
}

/**
 * libsecp256k1 accepts the "hybrid" 65-byte encodings (prefix 06/07) that noble and BOLT peers
 * do not; only 02/03 (33 bytes) and 04 (65 bytes) are public keys here.
 */
function isStandardEncoding(pk: Uint8Array): boolean {
  if (!(pk instanceof Uint8Array)) return false;
  if (pk.length === 33) return pk[0] === 2 || pk[0] === 3;
  return pk.length === 65 && pk[0] === 4;
}

function publicKey(pk: Uint8Array, what: string): Uint8Array {
  if (!isStandardEncoding(pk)) throw new CryptoError(`${what}: not a valid secp256k1 point`);
  return pk;
}

function digest32(digest: Uint8Array): Uint8Array {
  checkLength(digest, 32, 'digest');
  return digest;
}

/** libsecp256k1 implementations of the curve half of the interface. */
function nativePart(lib: NativeSecp256k1): CurvePart {
  // Older libsecp256k1 builds tweak a zero secret key without complaint; check it here.
  const secret = (sk: Uint8Array): Uint8Array => {
    checkLength(sk, 32, 'secret key');
    if (!lib.privateKeyVerify(sk)) throw new CryptoError('secret key: scalar out of range');
    return sk;
  };
  return {
    isValidSecretKey: (sk) =>
      sk instanceof Uint8Array && sk.length === 32 && lib.privateKeyVerify(sk),
    isValidPublicKey: (pk) => isStandardEncoding(pk) && lib.publicKeyVerify(pk),
    getPublicKey: (sk) => guard('getPublicKey', () => lib.publicKeyCreate(secret(sk), true)),
    compressPublicKey: (pk) =>
      guard('compressPublicKey', () => lib.publicKeyConvert(publicKey(pk, 'public key'), true)),
    decompressPublicKey: (pk) =>
      guard('decompressPublicKey', () => lib.publicKeyConvert(publicKey(pk, 'public key'), false)),
    ecdh: (sk, pk) => guard('ecdh', () => lib.ecdh(publicKey(pk, 'public key'), secret(sk))),
    sign: (digest, sk) =>
      guard('sign', () => lib.ecdsaSign(digest32(digest), secret(sk)).signature),
    signRecoverable(digest, sk) {
      const { signature, recid } = guard('sign', () => lib.ecdsaSign(digest32(digest), secret(sk)));
      return { signature, recoveryId: recid };
    },
    verify(sig, digest, pk) {
      if (sig.length !== 64 || digest.length !== 32 || !isStandardEncoding(pk)) return false;
      try {
        // libsecp256k1 rejects high-S signatures itself.
        return lib.ecdsaVerify(sig, digest, pk);
      } catch {
        return false;
      }
    },
    recoverPublicKey: (sig, recoveryId, digest) =>
      guard('recoverPublicKey', () => {
        if (!Number.isInteger(recoveryId) || recoveryId < 0 || recoveryId > 3) {
          throw new CryptoError('recoveryId: expected 0..3');
        }
        return lib.ecdsaRecover(sig, recoveryId, digest32(digest), true);
      }),
    pointAdd: (a, b) =>
      guard('pointAdd', () =>
        lib.publicKeyCombine([publicKey(a, 'point a'), publicKey(b, 'point b')], true),
      ),
    pointMultiply: (p, tweak) =>
      guard('pointMultiply', () => lib.publicKeyTweakMul(publicKey(p, 'point'), tweak, true)),
    // The addon tweaks the secret key in place; always hand it a copy.
    privateAdd: (sk, tweak) =>
      guard('privateAdd', () => lib.privateKeyTweakAdd(secret(sk).slice(), tweak)),
    privateMultiply: (sk, tweak) =>
      guard('privateMultiply', () => lib.privateKeyTweakMul(secret(sk).slice(), tweak)),
  };
}

/** The curve half from noble, as `nobleBackend` has it. */
function noblePart(): CurvePart {
  const n = nobleBackend;
  return {
    isValidSecretKey: (sk) => n.isValidSecretKey(sk),
    isValidPublicKey: (pk) => n.isValidPublicKey(pk),
    getPublicKey: (sk) => n.getPublicKey(sk),
    compressPublicKey: (pk) => n.compressPublicKey(pk),
    decompressPublicKey: (pk) => n.decompressPublicKey(pk),
    ecdh: (sk, pk) => n.ecdh(sk, pk),
    sign: (digest, sk) => n.sign(digest, sk),
    signRecoverable: (digest, sk) => n.signRecoverable(digest, sk),
    verify: (sig, digest, pk) => n.verify(sig, digest, pk),
    recoverPublicKey: (sig, id, digest) => n.recoverPublicKey(sig, id, digest),
    pointAdd: (a, b) => n.pointAdd(a, b),
    pointMultiply: (p, tweak) => n.pointMultiply(p, tweak),
    privateAdd: (sk, tweak) => n.privateAdd(sk, tweak),
    privateMultiply: (sk, tweak) => n.privateMultiply(sk, tweak),
  };
}

/**
 * Builds a Node backend. The native addon is looked up once per call; hosts normally build one
 * backend at start-up and share it.
 */
export function createNodeCryptoBackend(options: NodeCryptoBackendOptions = {}): NodeCryptoBackend {
  const native = options.nativeSecp256k1 === false ? undefined : loadNative();
  return {
    name: 'node-openssl',
    secp256k1: native === undefined ? 'noble' : 'libsecp256k1-native',
    ...opensslPart(),
    ...(native === undefined ? noblePart() : nativePart(native)),
  };
}

/** The default Node backend: OpenSSL AEAD and hashes, native libsecp256k1 when available. */
export const nodeCryptoBackend: NodeCryptoBackend = createNodeCryptoBackend();
