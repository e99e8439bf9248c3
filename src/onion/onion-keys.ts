/**
 * BOLT 4 key generation and pseudo-random streams. Every key the onion uses is
 * `HMAC-SHA256(key = key-type name, message = 32-byte secret)`, where the key type is the ASCII
 * name without a terminating zero byte ("rho" is 3 bytes). Every stream is ChaCha20 under such a
 * key with the all-zero 96-bit nonce; a fixed nonce is safe because no key is used for two
 * streams.
 *
 * See BOLT 4, "Key Generation" and "Pseudo Random Byte Stream"; `ammagext` is from "Returning
 * Errors" (attribution data), `blinded_node_id` from "Route Blinding".
 */
import type { CryptoBackend } from '../crypto/backend.js';

/** The key types of BOLT 4, by the ASCII name that keys the HMAC. */
export const OnionKeyType = {
  /** Obfuscates the hop payloads (and encrypts `encrypted_recipient_data`). */
  Rho: 'rho',
  /** Keys the HMAC of the hop payloads. */
  Mu: 'mu',
  /** Keys the HMAC of a returned failure (and of attribution data). */
  Um: 'um',
  /** Seeds the random initial hop payloads, from the session key. */
  Pad: 'pad',
  /** Obfuscates a returned failure packet at each hop. */
  Ammag: 'ammag',
  /** Obfuscates the attribution data of a returned failure at each hop. */
  Ammagext: 'ammagext',
  /** Blinds a node id inside a blinded path. */
  BlindedNodeId: 'blinded_node_id',
} as const;
export type OnionKeyType = (typeof OnionKeyType)[keyof typeof OnionKeyType];

function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

const KEY_TYPE_BYTES: Readonly<Record<OnionKeyType, Uint8Array>> = {
  rho: ascii('rho'),
  mu: ascii('mu'),
  um: ascii('um'),
  pad: ascii('pad'),
  ammag: ascii('ammag'),
  ammagext: ascii('ammagext'),
  blinded_node_id: ascii('blinded_node_id'),
};

/** The 32-byte key of `keyType` for a 32-byte shared secret (or session key, for `pad`). */
export function deriveOnionKey(
  crypto: CryptoBackend,
  keyType: OnionKeyType,
  secret: Uint8Array,
): Uint8Array {
  return crypto.hmacSha256(KEY_TYPE_BYTES[keyType], secret);
}

const ZERO_NONCE = new Uint8Array(12);

/**
 * `data` XOR the ChaCha20 stream of `key` (zero nonce, counter 0), as a new array. Encrypting a
 * buffer with the raw stream cipher is exactly "apply the pseudo-random stream with XOR", so no
 * stream is materialised separately.
 */
export function xorStream(crypto: CryptoBackend, key: Uint8Array, data: Uint8Array): Uint8Array {
  return crypto.chacha20(key, ZERO_NONCE, data);
}

/** `length` bytes of the pseudo-random stream of `key`. */
export function generateStream(crypto: CryptoBackend, key: Uint8Array, length: number): Uint8Array {
  return crypto.chacha20(key, ZERO_NONCE, new Uint8Array(length));
}
