/**
 * The randomness behind `KeysInterface.getSecureRandomBytes`: a ChaCha20 stream keyed by a
 * seed-derived secret, one block per call under an incrementing counter, optionally hashed
 * together with fresh bytes from the platform (Web Crypto `getRandomValues`).
 *
 * The seed stream alone already never repeats, provided the key is unique per instance (the
 * `KeysManager` mixes its starting time in, as LDK does); the platform bytes protect against a
 * host that restarts with the same seed and starting time. Either source alone suffices.
 */
import type { CryptoBackend } from '../crypto/backend.js';
import { concatBytes } from '../util/bytes.js';
import { APIMisuseError, CryptoError } from '../util/errors.js';
import { assertLength } from './checks.js';

/** Fills `bytes` with platform randomness, like Web Crypto `crypto.getRandomValues`. */
export type GetRandomValues = (bytes: Uint8Array) => unknown;

/** The platform's `globalThis.crypto.getRandomValues` (Web Crypto), if it has one. */
export function platformGetRandomValues(): GetRandomValues | undefined {
  const webCrypto = (globalThis as { crypto?: { getRandomValues?: GetRandomValues } }).crypto;
  const fn = webCrypto?.getRandomValues;
  if (webCrypto === undefined || typeof fn !== 'function') return undefined;
  return (bytes) => fn.call(webCrypto, bytes);
}

const ZERO_BLOCK = new Uint8Array(32);

/** 32-byte outputs that never repeat; see the module comment. */
export class SeededRandomBytes {
  readonly #key: Uint8Array;
  readonly #crypto: CryptoBackend;
  readonly #getRandomValues: GetRandomValues | null;
  #counter = 0;

  /**
   * `key` is 32 secret bytes unique to this instance. `getRandomValues` is mixed into every
   * output, or `null` for outputs that depend on the key and counter only (reproducible tests).
   */
  constructor(key: Uint8Array, crypto: CryptoBackend, getRandomValues: GetRandomValues | null) {
    this.#key = assertLength(key, 32, 'key').slice();
    this.#crypto = crypto;
    if (getRandomValues !== null && typeof getRandomValues !== 'function') {
      throw new APIMisuseError('getRandomValues: expected a function or null');
    }
    this.#getRandomValues = getRandomValues;
  }

  /** The next 32 bytes. */
  next(): Uint8Array {
    if (this.#counter >= Number.MAX_SAFE_INTEGER) {
      throw new APIMisuseError('random byte stream exhausted');
    }
    const n = this.#counter++;
    const nonce = new Uint8Array(12);
    const view = new DataView(nonce.buffer);
    view.setUint32(4, Math.floor(n / 2 ** 32));
    view.setUint32(8, n >>> 0);
    const block = this.#crypto.chacha20(this.#key, nonce, ZERO_BLOCK);
    if (this.#getRandomValues === null) return block;
    const fresh = new Uint8Array(32);
    this.#getRandomValues(fresh);
    if (fresh.every((b) => b === 0)) {
      throw new CryptoError('getRandomValues left the buffer all zero');
    }
    return this.#crypto.sha256(concatBytes(block, fresh));
  }
}
