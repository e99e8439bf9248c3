/**
 * A small Bitcoin script encoder: the opcodes BOLT 3 scripts use, minimal data pushes and
 * minimal number pushes. Minimal encodings matter because segwit v0 policy (MINIMALDATA) rejects
 * anything else, and because both peers must build byte-identical scripts to agree on the
 * P2WSH hashes they sign.
 */
import { concatBytes } from '../../util/bytes.js';
import { APIMisuseError } from '../../util/errors.js';

/** The opcodes used by BOLT 3 scripts and by the standard output templates. */
export const Opcode = {
  OP_0: 0x00,
  OP_PUSHDATA1: 0x4c,
  OP_PUSHDATA2: 0x4d,
  OP_1: 0x51,
  OP_2: 0x52,
  OP_16: 0x60,
  OP_NOTIF: 0x64,
  OP_IF: 0x63,
  OP_ELSE: 0x67,
  OP_ENDIF: 0x68,
  OP_DROP: 0x75,
  OP_IFDUP: 0x73,
  OP_DUP: 0x76,
  OP_SWAP: 0x7c,
  OP_SIZE: 0x82,
  OP_EQUAL: 0x87,
  OP_EQUALVERIFY: 0x88,
  OP_HASH160: 0xa9,
  OP_CHECKSIG: 0xac,
  OP_CHECKSIGVERIFY: 0xad,
  OP_CHECKMULTISIG: 0xae,
  OP_CHECKLOCKTIMEVERIFY: 0xb1,
  OP_CHECKSEQUENCEVERIFY: 0xb2,
  OP_RETURN: 0x6a,
} as const;
export type Opcode = (typeof Opcode)[keyof typeof Opcode];

/** One element of a script being built: an opcode, or bytes to push. */
export type ScriptChunk = number | Uint8Array;

/** The smallest push of `data` (direct push up to 75 bytes, then PUSHDATA1/PUSHDATA2). */
function pushData(data: Uint8Array): Uint8Array {
  const n = data.length;
  let head: number[];
  if (n <= 75) head = [n];
  else if (n <= 0xff) head = [Opcode.OP_PUSHDATA1, n];
  else if (n <= 0xffff) head = [Opcode.OP_PUSHDATA2, n & 0xff, n >> 8];
  else throw new APIMisuseError(`script push: ${n} bytes exceeds the 65535-byte limit`);
  const out = new Uint8Array(head.length + n);
  out.set(head, 0);
  out.set(data, head.length);
  return out;
}

/**
 * Encodes a non-negative integer as a minimal CScriptNum (little-endian, with a sign byte when
 * the top bit is set). 144 becomes `90 00`, 500 becomes `f4 01`.
 */
export function scriptNumBytes(value: number): Uint8Array {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new APIMisuseError(`script number: expected a non-negative integer, got ${value}`);
  }
  const bytes: number[] = [];
  let v = value;
  while (v > 0) {
    bytes.push(v & 0xff);
    v = Math.floor(v / 256);
  }
  if (bytes.length > 0 && (bytes[bytes.length - 1]! & 0x80) !== 0) bytes.push(0);
  return Uint8Array.from(bytes);
}

/**
 * The chunk that pushes the number `value` minimally: OP_0 or OP_1..OP_16 for small values,
 * otherwise a data push of its CScriptNum encoding (MINIMALDATA, BIP 62 rule 3).
 */
export function pushNumber(value: number): ScriptChunk {
  if (value === 0) return Opcode.OP_0;
  if (Number.isInteger(value) && value >= 1 && value <= 16) return Opcode.OP_1 + value - 1;
  return scriptNumBytes(value);
}

/** Serializes chunks into script bytes; every `Uint8Array` chunk becomes a minimal push. */
export function compileScript(chunks: readonly ScriptChunk[]): Uint8Array {
  return concatBytes(
    ...chunks.map((c) => (typeof c === 'number' ? Uint8Array.of(c) : pushData(c))),
  );
}
