/**
 * Transaction and block ids. Bitcoin hashes are double SHA-256 values that every explorer, RPC
 * and LDK API shows byte-reversed ("display order"). boltkit's public API uses that display
 * order as lowercase hex, so a txid printed by boltkit is the one a block explorer shows; the
 * raw byte order appears only inside serialized transactions and blocks.
 */
import type { CryptoBackend } from '../crypto/backend.js';
import { nobleBackend } from '../crypto/noble.js';
import { fromHex, toHex } from '../util/bytes.js';
import { DecodeError } from '../util/errors.js';
import { legacySerialization, readTxLayout } from './tx-layout.js';

/** SHA256(SHA256(data)), the hash behind txids, wtxids, block hashes and merkle nodes. */
export function sha256d(data: Uint8Array, crypto: CryptoBackend = nobleBackend): Uint8Array {
  return crypto.sha256(crypto.sha256(data));
}

/** Display-order lowercase hex of a 32-byte hash held in internal (serialized) byte order. */
export function hashToDisplayHex(hash: Uint8Array): string {
  if (!(hash instanceof Uint8Array) || hash.length !== 32) {
    throw new DecodeError(`hash: expected 32 bytes, got ${describeLength(hash)}`);
  }
  return toHex(hash.slice().reverse());
}

/**
 * Parses a display-order hex id (a txid or block hash) into internal byte order. Accepts only 64
 * lowercase hex characters, so each id has one spelling; throws `DecodeError` otherwise.
 */
export function displayHexToHash(hex: string, what = 'hash'): Uint8Array {
  return fromHex(parseHashHex(hex, what), 32, what).reverse();
}

/**
 * Checks that `value` is a hash id as boltkit spells one (64 lowercase hex characters, display
 * order) and returns it. Throws `DecodeError` naming `what` otherwise.
 */
export function parseHashHex(value: unknown, what: string): string {
  if (typeof value !== 'string' || !/^[0-9a-f]{64}$/.test(value)) {
    throw new DecodeError(`${what}: expected 64 lowercase hex characters`);
  }
  return value;
}

/** `parseHashHex` for a txid. */
export function parseTxid(value: unknown): string {
  return parseHashHex(value, 'txid');
}

/** `parseHashHex` for a block hash. */
export function parseBlockHash(value: unknown): string {
  return parseHashHex(value, 'block hash');
}

/**
 * The txid of a serialized transaction (with or without witnesses): the double SHA-256 of its
 * legacy serialization, in display order. Throws `DecodeError` if the bytes are not exactly one
 * transaction.
 */
export function computeTxid(tx: Uint8Array, crypto: CryptoBackend = nobleBackend): string {
  return hashToDisplayHex(sha256d(legacySerialization(tx, wholeTx(tx)), crypto));
}

/** The BIP 141 wtxid (hash of the full serialization), in display order. */
export function computeWtxid(tx: Uint8Array, crypto: CryptoBackend = nobleBackend): string {
  wholeTx(tx);
  return hashToDisplayHex(sha256d(tx, crypto));
}

function wholeTx(tx: Uint8Array): ReturnType<typeof readTxLayout> {
  const layout = readTxLayout(tx, 0);
  if (layout.end !== tx.length) {
    throw new DecodeError(`transaction: ${tx.length - layout.end} trailing bytes`);
  }
  return layout;
}

function describeLength(value: unknown): string {
  return value instanceof Uint8Array ? `length=${value.length}` : typeof value;
}
