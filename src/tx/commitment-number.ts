/**
 * The 48-bit commitment number, obscured in every commitment transaction's locktime and
 * sequence. Obscuring hides how many updates a channel had from chain observers; both peers know
 * the factor (it comes from the two payment basepoints), so either can read the number back from
 * a broadcast commitment to find which state (and, if revoked, which secret) it was.
 *
 * BOLT 3 "Commitment Transaction".
 */
import type { CryptoBackend } from '../crypto/backend.js';
import { nobleBackend } from '../crypto/noble.js';
import { MAX_COMMITMENT_NUMBER } from '../keys/per-commitment-secret.js';
import { concatBytes } from '../util/bytes.js';
import { APIMisuseError } from '../util/errors.js';
import { assertUint } from './validation.js';
import { assertCompressedKeyShape } from './scripts/keys-shape.js';

/** Commitment numbers are 48 bits: 0 … 2^48 − 1 (one definition, in the keys layer). */
export { MAX_COMMITMENT_NUMBER };

/**
 * The lower 48 bits of SHA256(opener payment_basepoint || accepter payment_basepoint). The order
 * is by role in channel opening (`open_channel` first), not by who broadcasts.
 */
export function commitmentObscuringFactor(
  openerPaymentBasepoint: Uint8Array,
  accepterPaymentBasepoint: Uint8Array,
  crypto: CryptoBackend = nobleBackend,
): number {
  assertCompressedKeyShape(openerPaymentBasepoint, 'openerPaymentBasepoint');
  assertCompressedKeyShape(accepterPaymentBasepoint, 'accepterPaymentBasepoint');
  const h = crypto.sha256(concatBytes(openerPaymentBasepoint, accepterPaymentBasepoint));
  let v = 0;
  for (let i = 26; i < 32; i++) v = v * 256 + h[i]!;
  return v;
}

/** The obscured commitment number's placement: locktime `0x20` + low 24 bits, sequence
 * `0x80` + high 24 bits. */
export function obscuredCommitmentFields(
  commitmentNumber: number,
  obscuringFactor: number,
): { locktime: number; sequence: number } {
  assertUint(commitmentNumber, MAX_COMMITMENT_NUMBER, 'commitmentNumber');
  assertUint(obscuringFactor, MAX_COMMITMENT_NUMBER, 'obscuringFactor');
  const obscured = BigInt(commitmentNumber) ^ BigInt(obscuringFactor);
  const low = Number(obscured & 0xffffffn);
  const high = Number(obscured >> 24n);
  return { locktime: (0x20000000 | low) >>> 0, sequence: (0x80000000 | high) >>> 0 };
}

/**
 * Reads the commitment number back from a commitment transaction's locktime and input
 * sequence. Throws `APIMisuseError` when the marker bytes (0x20, 0x80) are absent, i.e. the
 * transaction is not a commitment transaction.
 */
export function commitmentNumberFromFields(
  locktime: number,
  sequence: number,
  obscuringFactor: number,
): number {
  if (locktime >>> 24 !== 0x20 || sequence >>> 24 !== 0x80) {
    throw new APIMisuseError('locktime/sequence do not carry an obscured commitment number');
  }
  const obscured = (BigInt(sequence & 0xffffff) << 24n) | BigInt(locktime & 0xffffff);
  return Number(
    obscured ^ BigInt(assertUint(obscuringFactor, MAX_COMMITMENT_NUMBER, 'obscuringFactor')),
  );
}
