// Shared helpers for the BOLT 4 tests: vector loading, hex, and node keys whose ECDH goes
// through a function, as a host signer provides it.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CryptoBackend } from '../../src/crypto/backend.js';
import { nobleBackend } from '../../src/crypto/noble.js';
import type { NodeEcdh } from '../../src/onion/peel.js';
import { fromHex, toHex } from '../../src/util/bytes.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'vectors');

export function loadVector(name: string): unknown {
  return JSON.parse(readFileSync(join(dir, name), 'utf8'));
}

export const hex = (s: string): Uint8Array => fromHex(s);
export { toHex };

export const crypto: CryptoBackend = nobleBackend;

/** The ECDH a host signer holding `secretKey` offers. */
export function ecdhOf(secretKey: Uint8Array, backend: CryptoBackend = crypto): NodeEcdh {
  return (publicKey) => backend.ecdh(secretKey, publicKey);
}

/** A deterministic 32-byte secret key: `byte` repeated. */
export function keyOf(byte: number): Uint8Array {
  return new Uint8Array(32).fill(byte);
}

/** Strips the BigSize length prefix the onion-test.json payloads carry. */
export function withoutLengthPrefix(framed: Uint8Array): Uint8Array {
  const first = framed[0]!;
  const prefix = first < 0xfd ? 1 : first === 0xfd ? 3 : first === 0xfe ? 5 : 9;
  return framed.slice(prefix);
}
