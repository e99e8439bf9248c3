/**
 * The encrypted message stream of BOLT 8 ("Lightning Message Specification", "Encrypting and
 * Sending Messages", "Receiving and Decrypting Messages", "Lightning Message Key Rotation").
 *
 * Every frame is `encrypt(2-byte big-endian length) || MAC` (18 bytes) followed by
 * `encrypt(body) || MAC` (length + 16 bytes). Each direction has its own key, nonce and a copy
 * of the final chaining key; each AEAD call uses the next nonce, and after 1000 uses of a key
 * the key and chaining key are replaced by `HKDF(ck, k)` and the nonce restarts at 0.
 */
import type { CryptoBackend } from '../crypto/backend.js';
import { APIMisuseError } from '../util/errors.js';
import { TransportError, TransportFailure } from './errors.js';
import { hkdf2 } from './hkdf.js';

/** BOLT 8: a message body is at most 65535 bytes, since its length travels in 2 bytes. */
export const MAX_MESSAGE_LENGTH = 65535;
/** Size of the Poly1305 tag after every encrypted part. */
export const MAC_LENGTH = 16;
/** Size of the encrypted length prefix of every frame: 2 bytes plus its MAC. */
export const LENGTH_HEADER_LENGTH: number = 2 + MAC_LENGTH;
/** BOLT 8: a key is rotated once it has been used this many times. */
export const KEY_ROTATION_INTERVAL = 1000;

const EMPTY = new Uint8Array(0);

/**
 * One direction's key, nonce and chaining key. The 12-byte nonce (32 zero bits, then the 64-bit
 * counter little-endian) lives in one buffer updated in place, so no call allocates one.
 */
export class CipherState {
  private key: Uint8Array;
  private chainingKey: Uint8Array;
  private counter = 0;
  private readonly nonce = new Uint8Array(12);
  private readonly crypto: CryptoBackend;

  /** Copies `key` and `chainingKey`, so the caller's arrays may be reused. */
  constructor(key: Uint8Array, chainingKey: Uint8Array, crypto: CryptoBackend) {
    this.key = key.slice();
    this.chainingKey = chainingKey.slice();
    this.crypto = crypto;
  }

  /**
   * Encrypts with an empty associated data under the next nonce, writing ciphertext || MAC into
   * `output` (plaintext length + 16 bytes), without an intermediate array when the backend can.
   */
  encryptInto(plaintext: Uint8Array, output: Uint8Array): void {
    if (this.crypto.aeadEncryptInto !== undefined) {
      this.crypto.aeadEncryptInto(this.key, this.nonce, plaintext, EMPTY, output);
    } else {
      output.set(this.crypto.aeadEncrypt(this.key, this.nonce, plaintext, EMPTY));
    }
    this.advance();
  }

  /** Decrypts under the next nonce; `null` when the MAC does not verify. */
  decrypt(ciphertext: Uint8Array): Uint8Array | null {
    const out = this.crypto.aeadDecrypt(this.key, this.nonce, ciphertext, EMPTY);
    this.advance();
    return out;
  }

  private advance(): void {
    this.counter++;
    if (this.counter === KEY_ROTATION_INTERVAL) {
      // BOLT 8 key rotation: ck', k' = HKDF(ck, k), then the nonce starts again at 0.
      [this.chainingKey, this.key] = hkdf2(this.crypto, this.chainingKey, this.key);
      this.counter = 0;
      this.nonce.fill(0);
      return;
    }
    // The counter stays below 1000, so only nonce bytes 4 and 5 (its low 16 bits) ever change.
    this.nonce[4] = this.counter & 0xff;
    this.nonce[5] = this.counter >>> 8;
  }
}

/** Encrypts outgoing messages into frames. */
export class MessageEncryptor {
  private readonly state: CipherState;
  private readonly lengthBytes = new Uint8Array(2);

  constructor(state: CipherState) {
    this.state = state;
  }

  /**
   * Encrypts one message into a frame of `18 + message.length + 16` bytes. Throws
   * `APIMisuseError` when the message is longer than 65535 bytes (BOLT 8 requires the sender
   * to refuse); the nonce does not advance then.
   */
  encrypt(message: Uint8Array): Uint8Array {
    if (message.length > MAX_MESSAGE_LENGTH) {
      throw new APIMisuseError(
        `message: expected at most ${MAX_MESSAGE_LENGTH} bytes, got length=${message.length}`,
      );
    }
    this.lengthBytes[0] = message.length >>> 8;
    this.lengthBytes[1] = message.length & 0xff;
    // One array for the whole frame; both parts are encrypted straight into it.
    const frame = new Uint8Array(LENGTH_HEADER_LENGTH + message.length + MAC_LENGTH);
    this.state.encryptInto(this.lengthBytes, frame.subarray(0, LENGTH_HEADER_LENGTH));
    this.state.encryptInto(message, frame.subarray(LENGTH_HEADER_LENGTH));
    return frame;
  }
}

/** Decrypts incoming frames, in two steps since the body length is only known after the first. */
export class MessageDecryptor {
  private readonly state: CipherState;

  constructor(state: CipherState) {
    this.state = state;
  }

  /**
   * Decrypts an 18-byte length header; returns the body length (the bytes to read next are that
   * plus 16). Throws `TransportError` when its MAC does not verify.
   */
  decryptLength(header: Uint8Array): number {
    const plain = this.state.decrypt(header);
    if (plain === null || plain.length !== 2) {
      throw new TransportError(
        TransportFailure.BadLengthMac,
        'transport: the MAC of a frame length does not verify',
      );
    }
    return (plain[0]! << 8) | plain[1]!;
  }

  /** Decrypts a body of `length + 16` bytes. Throws `TransportError` when its MAC does not verify. */
  decryptBody(body: Uint8Array): Uint8Array {
    const plain = this.state.decrypt(body);
    if (plain === null) {
      throw new TransportError(
        TransportFailure.BadMessageMac,
        'transport: the MAC of a frame body does not verify',
      );
    }
    return plain;
  }
}
