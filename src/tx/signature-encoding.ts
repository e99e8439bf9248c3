/**
 * Signatures travel in two encodings. Lightning messages carry 64-byte compact `r || s`
 * (BOLT 2 `signature`, BOLT 1 "Fundamental Types"), which is also what `CryptoBackend.sign`
 * returns; Bitcoin witnesses carry strict DER (BIP 66) followed by one sighash-type byte. These
 * helpers convert between the two and reject anything malformed with a typed error.
 */
import { DecodeError } from '../util/errors.js';

/** Sighash types BOLT 3 uses, plus the flags they are built from. */
export const SighashType = {
  All: 0x01,
  None: 0x02,
  Single: 0x03,
  AnyoneCanPay: 0x80,
  /** SIGHASH_SINGLE|SIGHASH_ANYONECANPAY: the counterparty's signature on anchor-channel HTLC
   * transactions, so the broadcaster can add inputs and outputs to pay the fee (BOLT 3). */
  SingleAnyoneCanPay: 0x83,
} as const;
export type SighashType = (typeof SighashType)[keyof typeof SighashType];

/** True for the six sighash types Bitcoin defines (ALL, NONE, SINGLE, each with or without
 * ANYONECANPAY). */
export function isDefinedSighashType(type: number): boolean {
  const base = type & 0x7f;
  return (type === base || type === (base | 0x80)) && base >= 1 && base <= 3;
}

function checkCompact(signature: unknown): Uint8Array {
  if (!(signature instanceof Uint8Array) || signature.length !== 64) {
    const got = signature instanceof Uint8Array ? `length=${signature.length}` : typeof signature;
    throw new DecodeError(`signature: expected a 64-byte compact signature, got ${got}`);
  }
  return signature;
}

/** Minimal DER INTEGER body for a 32-byte big-endian unsigned value. */
function derInteger(value: Uint8Array): Uint8Array {
  let start = 0;
  while (start < value.length - 1 && value[start] === 0) start++;
  const pad = (value[start]! & 0x80) !== 0 ? 1 : 0;
  const out = new Uint8Array(pad + value.length - start);
  out.set(value.subarray(start), pad);
  return out;
}

/**
 * DER-encodes a compact signature: `30 len 02 rlen r 02 slen s`, each integer minimal and
 * positive. Throws `DecodeError` unless the input is 64 bytes with non-zero `r` and `s`.
 */
export function compactToDer(signature: Uint8Array): Uint8Array {
  checkCompact(signature);
  const rBytes = signature.subarray(0, 32);
  const sBytes = signature.subarray(32, 64);
  if (rBytes.every((b) => b === 0) || sBytes.every((b) => b === 0)) {
    throw new DecodeError('signature: r and s must be non-zero');
  }
  const r = derInteger(rBytes);
  const s = derInteger(sBytes);
  const out = new Uint8Array(6 + r.length + s.length);
  out[0] = 0x30;
  out[1] = 4 + r.length + s.length;
  out[2] = 0x02;
  out[3] = r.length;
  out.set(r, 4);
  out[4 + r.length] = 0x02;
  out[5 + r.length] = s.length;
  out.set(s, 6 + r.length);
  return out;
}

/** Reads one strict-DER INTEGER at `off` into 32 bytes; returns it and the next offset. */
function readDerInteger(der: Uint8Array, off: number, what: string): [Uint8Array, number] {
  if (der[off] !== 0x02) throw new DecodeError(`signature: ${what} is not a DER INTEGER`);
  const len = der[off + 1];
  if (len === undefined || len === 0) throw new DecodeError(`signature: ${what} has no length`);
  const start = off + 2;
  const end = start + len;
  if (end > der.length) throw new DecodeError(`signature: ${what} runs past the end`);
  const body = der.subarray(start, end);
  if ((body[0]! & 0x80) !== 0) throw new DecodeError(`signature: ${what} is negative`);
  if (len > 1 && body[0] === 0 && (body[1]! & 0x80) === 0) {
    throw new DecodeError(`signature: ${what} is not minimally encoded`);
  }
  const value = body[0] === 0 ? body.subarray(1) : body;
  if (value.length > 32) throw new DecodeError(`signature: ${what} is longer than 32 bytes`);
  const out = new Uint8Array(32);
  out.set(value, 32 - value.length);
  if (out.every((b) => b === 0)) throw new DecodeError(`signature: ${what} is zero`);
  return [out, end];
}

/**
 * Parses a strict DER signature (BIP 66 rules, no sighash byte) into 64-byte compact form.
 * Throws `DecodeError` for anything else. Does not check that `s` is low; verification does.
 */
export function derToCompact(der: Uint8Array): Uint8Array {
  if (!(der instanceof Uint8Array)) throw new DecodeError('signature: expected Uint8Array');
  if (der.length < 8 || der.length > 72) {
    throw new DecodeError(`signature: DER length ${der.length} outside [8, 72]`);
  }
  if (der[0] !== 0x30 || der[1] !== der.length - 2) {
    throw new DecodeError('signature: bad DER SEQUENCE header');
  }
  const [r, afterR] = readDerInteger(der, 2, 'r');
  const [s, afterS] = readDerInteger(der, afterR, 's');
  if (afterS !== der.length) throw new DecodeError('signature: trailing bytes after s');
  const out = new Uint8Array(64);
  out.set(r, 0);
  out.set(s, 32);
  return out;
}

/** The witness form of a signature: DER followed by the sighash-type byte. */
export function encodeScriptSignature(
  signature: Uint8Array,
  sighashType: number = SighashType.All,
): Uint8Array {
  if (!isDefinedSighashType(sighashType)) {
    throw new DecodeError(`signature: undefined sighash type 0x${sighashType.toString(16)}`);
  }
  const der = compactToDer(signature);
  const out = new Uint8Array(der.length + 1);
  out.set(der, 0);
  out[der.length] = sighashType;
  return out;
}

/** Splits a witness signature into its compact signature and sighash type (`DecodeError` on
 * malformed input or an undefined sighash type). */
export function decodeScriptSignature(bytes: Uint8Array): {
  signature: Uint8Array;
  sighashType: number;
} {
  if (!(bytes instanceof Uint8Array) || bytes.length < 9) {
    throw new DecodeError('signature: too short for DER plus a sighash byte');
  }
  const sighashType = bytes[bytes.length - 1]!;
  if (!isDefinedSighashType(sighashType)) {
    throw new DecodeError(`signature: undefined sighash type 0x${sighashType.toString(16)}`);
  }
  return { signature: derToCompact(bytes.subarray(0, bytes.length - 1)), sighashType };
}
