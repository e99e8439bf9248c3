/**
 * The script notation of Bitcoin Core's test data (Core's `ParseScript` in core_read.cpp), used
 * by its script_tests.json and tx_valid/tx_invalid.json and handy for writing scripts in tests:
 *
 * - a decimal number is pushed as a script number (`0`, `1`..`16` and `-1` as their opcodes);
 * - `0x…` inserts the raw bytes as they are (not a push);
 * - `'text'` pushes the ASCII bytes;
 * - anything else is an opcode name, with or without `OP_` (`DUP`, `OP_CHECKSIG`).
 */
import { encodeScriptNum, pushData } from './script-interpreter-script.js';

/** Core's opcode names from OP_NOP (0x61) to OP_CHECKSIGADD (0xba), plus OP_RESERVED. */
const NAMES: readonly string[] = [
  'NOP VER IF NOTIF VERIF VERNOTIF ELSE ENDIF VERIFY RETURN TOALTSTACK FROMALTSTACK 2DROP 2DUP',
  '3DUP 2OVER 2ROT 2SWAP IFDUP DEPTH DROP DUP NIP OVER PICK ROLL ROT SWAP TUCK CAT SUBSTR LEFT',
  'RIGHT SIZE INVERT AND OR XOR EQUAL EQUALVERIFY RESERVED1 RESERVED2 1ADD 1SUB 2MUL 2DIV NEGATE',
  'ABS NOT 0NOTEQUAL ADD SUB MUL DIV MOD LSHIFT RSHIFT BOOLAND BOOLOR NUMEQUAL NUMEQUALVERIFY',
  'NUMNOTEQUAL LESSTHAN GREATERTHAN LESSTHANOREQUAL GREATERTHANOREQUAL MIN MAX WITHIN RIPEMD160',
  'SHA1 SHA256 HASH160 HASH256 CODESEPARATOR CHECKSIG CHECKSIGVERIFY CHECKMULTISIG',
  'CHECKMULTISIGVERIFY NOP1 CHECKLOCKTIMEVERIFY CHECKSEQUENCEVERIFY NOP4 NOP5 NOP6 NOP7 NOP8',
  'NOP9 NOP10 CHECKSIGADD',
]
  .join(' ')
  .split(' ');

const OPCODES: ReadonlyMap<string, number> = (() => {
  const map = new Map<string, number>([
    ['RESERVED', 0x50],
    ['OP_RESERVED', 0x50],
  ]);
  NAMES.forEach((name, i) => {
    map.set(name, 0x61 + i);
    map.set(`OP_${name}`, 0x61 + i);
  });
  return map;
})();

/** The opcode byte for a name such as `CHECKSIG` or `OP_CHECKSIG`, if Core knows it. */
export function opcodeByName(name: string): number | undefined {
  return OPCODES.get(name);
}

/** Parses Core's test script notation into script bytes. Throws on a token Core rejects. */
export function parseCoreAsm(text: string): Uint8Array {
  const out: number[] = [];
  for (const word of text.split(/[ \t\n]/)) {
    if (word === '') continue;
    if (/^-?\d+$/.test(word) && word !== '-') {
      const n = BigInt(word);
      if (n > 0xffffffffn || n < -0xffffffffn) throw new Error(`number out of range: ${word}`);
      if (n === -1n || (n >= 1n && n <= 16n)) out.push(0x50 + Number(n));
      else if (n === 0n) out.push(0);
      else out.push(...pushData(encodeScriptNum(n)));
    } else if (/^0x([0-9a-fA-F]{2})+$/.test(word)) {
      for (let i = 2; i < word.length; i += 2) out.push(parseInt(word.slice(i, i + 2), 16));
    } else if (word.length >= 2 && word.startsWith("'") && word.endsWith("'")) {
      out.push(...pushData(new TextEncoder().encode(word.slice(1, -1))));
    } else {
      const op = OPCODES.get(word);
      if (op === undefined) throw new Error(`unknown opcode in script: ${word}`);
      out.push(op);
    }
  }
  return Uint8Array.from(out);
}
