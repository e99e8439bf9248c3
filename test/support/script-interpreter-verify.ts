/**
 * Core's `VerifyScript`, `VerifyWitnessProgram` and `ExecuteWitnessScript`: how scriptSig,
 * scriptPubKey, P2SH redeem scripts and witnesses fit together (BIP 16, 141, 143, 341, 342).
 * bitcore's own version of this flow checked CLEANSTACK against the stack left by the scriptSig
 * and crashed on some inputs; this one follows Core step by step and runs each script on the
 * corrected interpreter (`bitcore-interpreter.ts`).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { ScriptFlags, SigVersion, checkSchnorr, evalScript } from './bitcore-interpreter.js';
import type { CheckerContext, TapscriptData } from './bitcore-interpreter.js';
import {
  Op,
  isP2sh,
  isPushOnly,
  parseScript,
  pushData,
  witnessProgram,
} from './script-interpreter-script.js';
import { Writer } from './script-interpreter-tx.js';
import { tapleafHash, verifyTaprootCommitment } from './script-interpreter-sig.js';

const MAX_SCRIPT_ELEMENT_SIZE = 520;
const MAX_STACK_SIZE = 1000;
const ANNEX_TAG = 0x50;
const TAPROOT_LEAF_MASK = 0xfe;
const TAPROOT_LEAF_TAPSCRIPT = 0xc0;
const TAPROOT_CONTROL_BASE_SIZE = 33;
const TAPROOT_CONTROL_NODE_SIZE = 32;
const TAPROOT_CONTROL_MAX_SIZE = TAPROOT_CONTROL_BASE_SIZE + TAPROOT_CONTROL_NODE_SIZE * 128;
const VALIDATION_WEIGHT_OFFSET = 50;
/** The pay-to-anchor program (`OP_1 <0x4e73>`), exempt from the upgradable-program policy. */
const ANCHOR_PROGRAM = Uint8Array.of(0x4e, 0x73);

function castToBool(item: Uint8Array): boolean {
  for (let i = 0; i < item.length; i++) {
    if (item[i] !== 0) return !(i === item.length - 1 && item[i] === 0x80);
  }
  return false;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Core's `IsValidFlagCombination`: CLEANSTACK needs P2SH and WITNESS, WITNESS needs P2SH. */
export function isValidFlagCombination(flags: number): boolean {
  if ((flags & ScriptFlags.CLEANSTACK) !== 0) {
    if (
      (flags & (ScriptFlags.P2SH | ScriptFlags.WITNESS)) !==
      (ScriptFlags.P2SH | ScriptFlags.WITNESS)
    ) {
      return false;
    }
  }
  if ((flags & ScriptFlags.WITNESS) !== 0 && (flags & ScriptFlags.P2SH) === 0) return false;
  return true;
}

function executeWitnessScript(
  stack: Buffer[],
  script: Uint8Array,
  flags: number,
  sigversion: SigVersion,
  ctx: CheckerContext,
  tap?: TapscriptData,
): string | undefined {
  if (sigversion === SigVersion.TAPSCRIPT) {
    // BIP 342: an OP_SUCCESSx anywhere makes the spend valid, unless an earlier push is broken.
    for (const op of parseScript(script)) {
      if (op.invalid) return 'BAD_OPCODE';
      if (isOpSuccess(op.opcode)) {
        return (flags & ScriptFlags.DISCOURAGE_OP_SUCCESS) !== 0
          ? 'DISCOURAGE_OP_SUCCESS'
          : undefined;
      }
    }
    if (stack.length > MAX_STACK_SIZE) return 'STACK_SIZE';
  }
  if (stack.some((item) => item.length > MAX_SCRIPT_ELEMENT_SIZE)) return 'PUSH_SIZE';
  const error = evalScript(stack, script, flags, ctx, sigversion, tap);
  if (error !== undefined) return error;
  // Witness scripts must leave exactly one element (an implied CLEANSTACK).
  if (stack.length !== 1) return 'CLEANSTACK';
  if (!castToBool(stack[0]!)) return 'EVAL_FALSE';
  return undefined;
}

/** BIP 342's OP_SUCCESSx opcodes. */
export function isOpSuccess(op: number): boolean {
  return (
    op === 80 ||
    op === 98 ||
    (op >= 126 && op <= 129) ||
    (op >= 131 && op <= 134) ||
    (op >= 137 && op <= 138) ||
    (op >= 141 && op <= 142) ||
    (op >= 149 && op <= 153) ||
    (op >= 187 && op <= 254)
  );
}

function witnessSize(witness: readonly Uint8Array[]): number {
  const w = new Writer().compactSize(witness.length);
  for (const item of witness) w.varBytes(item);
  return w.finish().length;
}

function verifyWitnessProgram(
  witness: readonly Uint8Array[],
  version: number,
  program: Uint8Array,
  flags: number,
  ctx: CheckerContext,
  isP2shWrapped: boolean,
): string | undefined {
  const stack = witness.map((item) => Buffer.from(item));
  if (version === 0) {
    if (program.length === 32) {
      if (stack.length === 0) return 'WITNESS_PROGRAM_WITNESS_EMPTY';
      const script = stack.pop()!;
      if (!equal(sha256(script), program)) return 'WITNESS_PROGRAM_MISMATCH';
      return executeWitnessScript(stack, script, flags, SigVersion.WITNESS_V0, ctx);
    }
    if (program.length === 20) {
      if (stack.length !== 2) return 'WITNESS_PROGRAM_MISMATCH';
      const script = Uint8Array.of(
        Op.OP_DUP,
        Op.OP_HASH160,
        ...pushData(program),
        Op.OP_EQUALVERIFY,
        Op.OP_CHECKSIG,
      );
      return executeWitnessScript(stack, script, flags, SigVersion.WITNESS_V0, ctx);
    }
    return 'WITNESS_PROGRAM_WRONG_LENGTH';
  }
  if (version === 1 && program.length === 32 && !isP2shWrapped) {
    if ((flags & ScriptFlags.TAPROOT) === 0) return undefined;
    if (stack.length === 0) return 'WITNESS_PROGRAM_WITNESS_EMPTY';
    let annexHash: Uint8Array | undefined;
    const last = stack[stack.length - 1]!;
    if (stack.length >= 2 && last.length > 0 && last[0] === ANNEX_TAG) {
      const annex = stack.pop()!;
      annexHash = sha256(new Writer().varBytes(annex).finish());
    }
    if (stack.length === 1) return checkSchnorr(ctx, stack[0]!, program, annexHash, undefined);
    const control = stack.pop()!;
    const script = stack.pop()!;
    if (
      control.length < TAPROOT_CONTROL_BASE_SIZE ||
      control.length > TAPROOT_CONTROL_MAX_SIZE ||
      (control.length - TAPROOT_CONTROL_BASE_SIZE) % TAPROOT_CONTROL_NODE_SIZE !== 0
    ) {
      return 'TAPROOT_WRONG_CONTROL_SIZE';
    }
    const leafVersion = control[0]! & TAPROOT_LEAF_MASK;
    const leafHash = tapleafHash(leafVersion, script);
    if (!verifyTaprootCommitment(control, program, leafHash)) return 'WITNESS_PROGRAM_MISMATCH';
    if (leafVersion === TAPROOT_LEAF_TAPSCRIPT) {
      const tap: TapscriptData = {
        annexHash,
        tapleafHash: leafHash,
        validationWeightLeft: witnessSize(witness) + VALIDATION_WEIGHT_OFFSET,
      };
      return executeWitnessScript(stack, script, flags, SigVersion.TAPSCRIPT, ctx, tap);
    }
    if ((flags & ScriptFlags.DISCOURAGE_UPGRADABLE_TAPROOT_VERSION) !== 0) {
      return 'DISCOURAGE_UPGRADABLE_TAPROOT_VERSION';
    }
    return undefined;
  }
  if (version === 1 && !isP2shWrapped && equal(program, ANCHOR_PROGRAM)) return undefined;
  if ((flags & ScriptFlags.DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM) !== 0) {
    return 'DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM';
  }
  // Unknown versions and sizes are anyone-can-spend, for future soft forks.
  return undefined;
}

/**
 * Core's `VerifyScript` for one input. Returns `undefined` when the input's scripts pass, or
 * Core's error name. Throws for an invalid flag combination (Core asserts).
 */
export function verifyScript(
  scriptSig: Uint8Array,
  scriptPubKey: Uint8Array,
  witness: readonly Uint8Array[],
  flags: number,
  ctx: CheckerContext,
): string | undefined {
  if (!isValidFlagCombination(flags)) {
    throw new Error(`invalid script flag combination 0x${flags.toString(16)}`);
  }
  if ((flags & ScriptFlags.SIGPUSHONLY) !== 0 && !isPushOnly(scriptSig)) return 'SIG_PUSHONLY';
  const stack: Buffer[] = [];
  let error = evalScript(stack, scriptSig, flags, ctx, SigVersion.BASE);
  if (error !== undefined) return error;
  const stackCopy = (flags & ScriptFlags.P2SH) !== 0 ? stack.slice() : [];
  error = evalScript(stack, scriptPubKey, flags, ctx, SigVersion.BASE);
  if (error !== undefined) return error;
  if (stack.length === 0 || !castToBool(stack[stack.length - 1]!)) return 'EVAL_FALSE';

  let hadWitness = false;
  let finalStack = stack;
  const program = (flags & ScriptFlags.WITNESS) !== 0 ? witnessProgram(scriptPubKey) : undefined;
  if (program !== undefined) {
    hadWitness = true;
    if (scriptSig.length !== 0) return 'WITNESS_MALLEATED';
    error = verifyWitnessProgram(witness, program.version, program.program, flags, ctx, false);
    if (error !== undefined) return error;
    // Bypass the CLEANSTACK check below: the legacy stack of a witness spend is not clean.
    finalStack = stack.slice(0, 1);
  }

  if ((flags & ScriptFlags.P2SH) !== 0 && isP2sh(scriptPubKey)) {
    if (!isPushOnly(scriptSig)) return 'SIG_PUSHONLY';
    const p2shStack = stackCopy;
    const redeemScript = p2shStack.pop()!;
    error = evalScript(p2shStack, redeemScript, flags, ctx, SigVersion.BASE);
    if (error !== undefined) return error;
    if (p2shStack.length === 0 || !castToBool(p2shStack[p2shStack.length - 1]!)) {
      return 'EVAL_FALSE';
    }
    finalStack = p2shStack;
    const nested = (flags & ScriptFlags.WITNESS) !== 0 ? witnessProgram(redeemScript) : undefined;
    if (nested !== undefined) {
      hadWitness = true;
      // The scriptSig must be exactly one push of the redeem script (BIP 141 P2SH-P2WSH).
      if (!equal(scriptSig, pushData(redeemScript))) return 'WITNESS_MALLEATED_P2SH';
      error = verifyWitnessProgram(witness, nested.version, nested.program, flags, ctx, true);
      if (error !== undefined) return error;
      finalStack = p2shStack.slice(0, 1);
    }
  }

  if ((flags & ScriptFlags.CLEANSTACK) !== 0 && finalStack.length !== 1) return 'CLEANSTACK';
  if ((flags & ScriptFlags.WITNESS) !== 0 && !hadWitness && witness.length > 0) {
    return 'WITNESS_UNEXPECTED';
  }
  return undefined;
}
