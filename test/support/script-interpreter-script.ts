/**
 * Script bytes as Bitcoin Core reads them: one opcode at a time, where a push whose data runs
 * past the end of the script is an invalid opcode rather than a parse failure of the whole
 * script. The script interpreter helper (`script-interpreter.ts`) needs this exact reading: Core
 * only fails such a script when execution reaches the broken push, computes signature hashes
 * over the raw bytes, and never treats an OP_SUCCESSx byte as anything but a plain opcode
 * outside tapscript (BIP 342 gives OP_SUCCESSx its meaning only inside tapscript).
 */

/** Opcode numbers the helper refers to by name. */
export const Op = {
  OP_0: 0x00,
  OP_PUSHDATA1: 0x4c,
  OP_PUSHDATA2: 0x4d,
  OP_PUSHDATA4: 0x4e,
  OP_1NEGATE: 0x4f,
  OP_RESERVED: 0x50,
  OP_1: 0x51,
  OP_16: 0x60,
  OP_DUP: 0x76,
  OP_EQUAL: 0x87,
  OP_EQUALVERIFY: 0x88,
  OP_HASH160: 0xa9,
  OP_CODESEPARATOR: 0xab,
  OP_CHECKSIG: 0xac,
  OP_CHECKMULTISIG: 0xae,
  OP_CHECKMULTISIGVERIFY: 0xaf,
  OP_CHECKLOCKTIMEVERIFY: 0xb1,
  OP_CHECKSEQUENCEVERIFY: 0xb2,
} as const;

/** One operation of a script, with its byte range so signature hashes can use raw bytes. */
export interface ScriptOp {
  readonly opcode: number;
  /** The pushed bytes, for opcodes 0x00..0x4e (empty for OP_0). */
  readonly data: Uint8Array | undefined;
  /** Offset of the opcode byte. */
  readonly start: number;
  /** Offset just past this operation. */
  readonly end: number;
  /** True when a push runs past the end of the script (Core's GetOp fails here). */
  readonly invalid: boolean;
}

/**
 * Splits a script into operations the way Core's `GetScriptOp` does. Parsing stops at the first
 * push that runs past the end; that push is returned with `invalid: true` and covers the rest.
 */
export function parseScript(script: Uint8Array): ScriptOp[] {
  const ops: ScriptOp[] = [];
  let pc = 0;
  while (pc < script.length) {
    const start = pc;
    const opcode = script[pc++]!;
    if (opcode > Op.OP_PUSHDATA4) {
      ops.push({ opcode, data: undefined, start, end: pc, invalid: false });
      continue;
    }
    let size: number;
    if (opcode < Op.OP_PUSHDATA1) {
      size = opcode;
    } else {
      const width = opcode === Op.OP_PUSHDATA1 ? 1 : opcode === Op.OP_PUSHDATA2 ? 2 : 4;
      if (script.length - pc < width) {
        ops.push({ opcode, data: undefined, start, end: script.length, invalid: true });
        break;
      }
      size = 0;
      for (let i = width - 1; i >= 0; i--) size = size * 256 + script[pc + i]!;
      pc += width;
    }
    if (script.length - pc < size) {
      ops.push({ opcode, data: undefined, start, end: script.length, invalid: true });
      break;
    }
    ops.push({ opcode, data: script.slice(pc, pc + size), start, end: pc + size, invalid: false });
    pc += size;
  }
  return ops;
}

/** Byte offset just past the next operation starting at `pc`, or `undefined` when it is invalid. */
function nextOp(script: Uint8Array, pc: number): number | undefined {
  const opcode = script[pc]!;
  let p = pc + 1;
  if (opcode > Op.OP_PUSHDATA4) return p;
  let size = opcode;
  if (opcode >= Op.OP_PUSHDATA1) {
    const width = opcode === Op.OP_PUSHDATA1 ? 1 : opcode === Op.OP_PUSHDATA2 ? 2 : 4;
    if (script.length - p < width) return undefined;
    size = 0;
    for (let i = width - 1; i >= 0; i--) size = size * 256 + script[p + i]!;
    p += width;
  }
  return script.length - p < size ? undefined : p + size;
}

/** Core's `IsPushOnly`: every operation parses and is at most OP_16 (OP_RESERVED counts). */
export function isPushOnly(script: Uint8Array): boolean {
  for (const op of parseScript(script)) {
    if (op.invalid || op.opcode > Op.OP_16) return false;
  }
  return true;
}

/** BIP 16 output template: OP_HASH160 <20 bytes> OP_EQUAL. */
export function isP2sh(script: Uint8Array): boolean {
  return (
    script.length === 23 &&
    script[0] === Op.OP_HASH160 &&
    script[1] === 0x14 &&
    script[22] === Op.OP_EQUAL
  );
}

/** BIP 141 witness program: a version opcode then one 2..40-byte push, nothing else. */
export function witnessProgram(
  script: Uint8Array,
): { version: number; program: Uint8Array } | undefined {
  if (script.length < 4 || script.length > 42) return undefined;
  const v = script[0]!;
  if (v !== Op.OP_0 && (v < Op.OP_1 || v > Op.OP_16)) return undefined;
  if (script[1]! + 2 !== script.length) return undefined;
  return { version: v === Op.OP_0 ? 0 : v - Op.OP_1 + 1, program: script.slice(2) };
}

/** Serializes a data push as `CScript() << data` does (smallest push opcode for the size). */
export function pushData(data: Uint8Array): Uint8Array {
  const n = data.length;
  let head: number[];
  if (n < Op.OP_PUSHDATA1) head = [n];
  else if (n <= 0xff) head = [Op.OP_PUSHDATA1, n];
  else if (n <= 0xffff) head = [Op.OP_PUSHDATA2, n & 0xff, n >>> 8];
  else head = [Op.OP_PUSHDATA4, n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24];
  const out = new Uint8Array(head.length + n);
  out.set(head, 0);
  out.set(data, head.length);
  return out;
}

/**
 * Core's `FindAndDelete`: removes every occurrence of `pattern` that starts on an operation
 * boundary, including occurrences that directly follow one another, and returns how many it
 * removed. Only legacy (pre-segwit) signature checks apply it.
 */
export function findAndDelete(
  script: Uint8Array,
  pattern: Uint8Array,
): { script: Uint8Array; found: number } {
  if (pattern.length === 0) return { script, found: 0 };
  const kept: number[] = [];
  let found = 0;
  let pc = 0;
  let copyFrom = 0;
  for (;;) {
    for (let i = copyFrom; i < pc; i++) kept.push(script[i]!);
    while (script.length - pc >= pattern.length && startsWith(script, pc, pattern)) {
      pc += pattern.length;
      found++;
    }
    copyFrom = pc;
    if (pc >= script.length) break;
    const next = nextOp(script, pc);
    if (next === undefined) break;
    pc = next;
  }
  if (found === 0) return { script, found };
  for (let i = copyFrom; i < script.length; i++) kept.push(script[i]!);
  return { script: Uint8Array.from(kept), found };
}

function startsWith(script: Uint8Array, at: number, pattern: Uint8Array): boolean {
  for (let i = 0; i < pattern.length; i++) if (script[at + i] !== pattern[i]) return false;
  return true;
}

/** Thrown when a stack item is read as a number but is too long or not minimally encoded. */
export class ScriptNumError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScriptNumError';
  }
}

/**
 * Reads a stack item as Core's `CScriptNum`: little-endian sign-magnitude, at most `maxSize`
 * bytes, and with `requireMinimal` no superfluous zero byte (which also rejects negative zero).
 */
export function decodeScriptNum(item: Uint8Array, requireMinimal: boolean, maxSize = 4): bigint {
  if (item.length > maxSize) throw new ScriptNumError('script number overflow');
  if (item.length === 0) return 0n;
  const last = item[item.length - 1]!;
  if (requireMinimal && (last & 0x7f) === 0) {
    if (item.length <= 1 || (item[item.length - 2]! & 0x80) === 0) {
      throw new ScriptNumError('non-minimally encoded script number');
    }
  }
  let v = 0n;
  for (let i = item.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(item[i]!);
  const signBit = 0x80n << BigInt(8 * (item.length - 1));
  return (v & signBit) !== 0n ? -(v & ~signBit) : v;
}

/** Encodes a number as `CScriptNum` serializes it (empty for zero). */
export function encodeScriptNum(value: bigint): Uint8Array {
  if (value === 0n) return new Uint8Array(0);
  const negative = value < 0n;
  let abs = negative ? -value : value;
  const out: number[] = [];
  while (abs > 0n) {
    out.push(Number(abs & 0xffn));
    abs >>= 8n;
  }
  const top = out.length - 1;
  if ((out[top]! & 0x80) !== 0) out.push(negative ? 0x80 : 0);
  else if (negative) out[top] = out[top]! | 0x80;
  return Uint8Array.from(out);
}
