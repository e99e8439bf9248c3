/**
 * What an invoice signature covers and how it is checked. BOLT 11 signs the SHA256 of the
 * human-readable part's bytes followed by the data part's words (timestamp and tagged fields,
 * not the signature) packed into bytes and zero-padded; the 65-byte signature is r || s || a
 * recovery id, so a payer learns the payee's node id from the signature when there is no `n`
 * field.
 *
 * See BOLT 11, "Data Part" and the `n` field reader requirements.
 */
import type { CryptoBackend } from '../crypto/backend.js';
import { nobleBackend } from '../crypto/noble.js';
import { APIMisuseError } from '../util/errors.js';
import { packWords, type Words } from './words.js';

/** A recoverable signature, as `KeysInterface.signInvoice` returns it. */
export interface RecoverableSignature {
  /** 64-byte compact signature (r || s). */
  readonly signature: Uint8Array;
  /** 0..3. */
  readonly recoveryId: number;
}

/**
 * Signs an invoice: given the preimage (human-readable part bytes || packed data words), returns
 * a recoverable signature of its SHA256 by the node key. `KeysInterface.signInvoice` has this
 * shape, so a host passes `(p) => keys.signInvoice(p)`; the signer hashes the preimage itself so
 * it sees what it signs.
 */
export type InvoiceSigner = (invoicePreimage: Uint8Array) => RecoverableSignature;

/** Half the secp256k1 group order: a signature with s above it is high-S. */
const HALF_ORDER = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;

/**
 * The bytes an invoice signature covers: the human-readable part (ASCII, as bech32 allows no
 * other characters) followed by `dataWords` packed MSB first and zero-padded to a byte.
 */
export function signingPreimage(hrp: string, dataWords: Words): Uint8Array {
  const packed = packWords(dataWords);
  const out = new Uint8Array(hrp.length + packed.length);
  for (let i = 0; i < hrp.length; i++) out[i] = hrp.charCodeAt(i) & 0xff;
  out.set(packed, hrp.length);
  return out;
}

/** True when the s half of a 64-byte compact signature is at most half the group order. */
export function isLowS(signature64: Uint8Array): boolean {
  let s = 0n;
  for (let i = 32; i < 64; i++) s = (s << 8n) | BigInt(signature64[i] ?? 0);
  return s <= HALF_ORDER;
}

/**
 * A signer over a raw 32-byte secret key, for tests and for hosts without a `KeysInterface`.
 * Signatures are RFC 6979 deterministic and low-S, so the same invoice always gets the same
 * signature. Throws `APIMisuseError` for an invalid key.
 */
export function secretKeySigner(
  secretKey: Uint8Array,
  crypto: CryptoBackend = nobleBackend,
): InvoiceSigner {
  if (!crypto.isValidSecretKey(secretKey)) {
    throw new APIMisuseError('secretKeySigner: expected a valid 32-byte secret key');
  }
  const key = secretKey.slice();
  return (preimage) => crypto.signRecoverable(crypto.sha256(preimage), key);
}
