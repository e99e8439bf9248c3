/**
 * A Bitcoin script interpreter for tests: checks that a serialized transaction would pass
 * Bitcoin Core's script verification (and, given heights, its lock-time rules), so our
 * transaction builders are proven against consensus and standardness rules rather than
 * against themselves.
 *
 * It runs bitcore-lib's port of Core's interpreter with every known divergence from Core
 * corrected (the list is in `bitcore-interpreter.ts`; the script flow in
 * `script-interpreter-verify.ts`) and libsecp256k1 (WASM) for signatures.
 * `script-interpreter.test.ts` proves it on Core's own vectors (script_tests.json,
 * tx_valid.json, tx_invalid.json) before any other test relies on it. On one core it checks
 * roughly 2,000 P2WPKH inputs or 850 P2WSH 2-of-2 inputs per second.
 *
 * Taproot (BIP 341/342) is supported but proven only by Core's five tapscript vectors; every
 * boltkit transaction today is segwit v0.
 *
 * What it does not check: mempool policy beyond script flags (dust, standard output types,
 * witness size limits, fee rate, package/CPFP rules), coinbase maturity, and whether the spent
 * outputs exist. Check those where they matter (BOLT 3 dust limits, anchor CPFP).
 *
 * Errors are strings. Script failures use Core's script error names (`EVAL_FALSE`, `NULLFAIL`,
 * `UNSATISFIED_LOCKTIME`, `SIG_DER`, …; Core's `ScriptErrorString` without `SCRIPT_ERR_`).
 * Transaction-level failures use Core's reject reasons (`bad-txns-inputs-duplicate`,
 * `bad-txns-nonfinal`, `non-BIP68-final`, `bad-txns-in-belowout`) or `tx-decode-failed`.
 *
 * @example
 *   const r = verifyInput(signedTxBytes, 0, [{ scriptPubKey: fundingSpk, valueSat: 10_000n }]);
 *   expect(r).toEqual({ ok: true });
 */
import { ScriptFlags } from './bitcore-interpreter.js';
import type { CheckerContext } from './bitcore-interpreter.js';
import type { SighashCache } from './script-interpreter-sighash.js';
import {
  checkSequenceLocks,
  checkTransaction,
  decodeTx,
  isFinalTx,
  lockTimeNeedsTime,
} from './script-interpreter-tx.js';
import type { Tx } from './script-interpreter-tx.js';
import { verifyScript } from './script-interpreter-verify.js';

export { ScriptFlags };
export type { ScriptFlagName } from './bitcore-interpreter.js';

/** The output an input spends. */
export interface Prevout {
  readonly scriptPubKey: Uint8Array;
  readonly valueSat: bigint;
}

export type VerifyResult = { ok: true } | { ok: false; error: string };
export type VerifyTxResult = { ok: true } | { ok: false; error: string; inputIndex?: number };

/** Core's MANDATORY_SCRIPT_VERIFY_FLAGS: the consensus rules in force today. */
export const ConsensusFlags: number =
  ScriptFlags.P2SH |
  ScriptFlags.DERSIG |
  ScriptFlags.NULLDUMMY |
  ScriptFlags.CHECKLOCKTIMEVERIFY |
  ScriptFlags.CHECKSEQUENCEVERIFY |
  ScriptFlags.WITNESS |
  ScriptFlags.TAPROOT;

/**
 * Core's STANDARD_SCRIPT_VERIFY_FLAGS (policy/policy.h): what a node applies before relaying a
 * transaction. A transaction that fails these is not relayed even if it is consensus-valid, so
 * everything boltkit broadcasts must pass them.
 */
export const StandardFlags: number =
  ConsensusFlags |
  ScriptFlags.STRICTENC |
  ScriptFlags.MINIMALDATA |
  ScriptFlags.DISCOURAGE_UPGRADABLE_NOPS |
  ScriptFlags.CLEANSTACK |
  ScriptFlags.MINIMALIF |
  ScriptFlags.NULLFAIL |
  ScriptFlags.LOW_S |
  ScriptFlags.DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM |
  ScriptFlags.WITNESS_PUBKEYTYPE |
  ScriptFlags.CONST_SCRIPTCODE |
  ScriptFlags.DISCOURAGE_UPGRADABLE_TAPROOT_VERSION |
  ScriptFlags.DISCOURAGE_OP_SUCCESS |
  ScriptFlags.DISCOURAGE_UPGRADABLE_PUBKEYTYPE;

function decode(tx: Uint8Array): Tx | string {
  try {
    return decodeTx(tx);
  } catch (e) {
    return `tx-decode-failed: ${e instanceof Error ? e.message : String(e)}`;
  }
}

function checkPrevouts(tx: Tx, prevouts: readonly Prevout[]): void {
  if (prevouts.length !== tx.inputs.length) {
    throw new Error(
      `prevouts: expected one per input (${tx.inputs.length}), got ${prevouts.length}`,
    );
  }
}

function verifyDecodedInput(
  tx: Tx,
  inputIndex: number,
  prevouts: readonly Prevout[],
  flags: number,
  cache: SighashCache,
): string | undefined {
  const input = tx.inputs[inputIndex]!;
  const prevout = prevouts[inputIndex]!;
  const ctx: CheckerContext = {
    tx,
    inputIndex,
    amountSat: prevout.valueSat,
    spent: prevouts,
    cache,
  };
  return verifyScript(input.scriptSig, prevout.scriptPubKey, input.witness, flags, ctx);
}

/**
 * Runs one input's scripts (scriptSig, scriptPubKey, P2SH redeem script, witness) as Core's
 * `VerifyScript` does.
 *
 * @param tx the transaction, serialized with witnesses (BIP 144)
 * @param prevouts the output each input spends, one per input (taproot signatures commit to all)
 * @param flags script verification flags; `StandardFlags` unless given
 * @returns `{ ok: true }`, or `{ ok: false, error }` with Core's script error name
 * @throws Error when `prevouts` does not match the inputs, `inputIndex` is out of range, or the
 *   flag combination is one Core refuses (CLEANSTACK without P2SH and WITNESS)
 */
export function verifyInput(
  tx: Uint8Array,
  inputIndex: number,
  prevouts: readonly Prevout[],
  flags: number = StandardFlags,
): VerifyResult {
  const decoded = decode(tx);
  if (typeof decoded === 'string') return { ok: false, error: decoded };
  checkPrevouts(decoded, prevouts);
  if (!Number.isInteger(inputIndex) || inputIndex < 0 || inputIndex >= decoded.inputs.length) {
    throw new Error(`inputIndex ${inputIndex} out of range (${decoded.inputs.length} inputs)`);
  }
  const error = verifyDecodedInput(decoded, inputIndex, prevouts, flags, {});
  return error === undefined ? { ok: true } : { ok: false, error };
}

/** Options of `verifyTransaction`. */
export interface VerifyTxOptions {
  /** Script verification flags; `StandardFlags` unless given. */
  readonly flags?: number;
  /**
   * Height of the block the transaction would be mined in (the tip height + 1). When given,
   * nLockTime finality is checked (Core's `IsFinalTx`), and BIP 68 relative locks too when
   * `prevoutHeights` is given.
   */
  readonly spendHeight?: number;
  /**
   * Median time past of the block before `spendHeight` (BIP 113). Needed only for time-based
   * nLockTime or relative locks; the helper throws if such a lock is met without it.
   */
  readonly spendMedianTimePast?: number;
  /** Height of the block that confirmed each spent output, one per input (BIP 68). */
  readonly prevoutHeights?: readonly number[];
  /**
   * For time-based relative locks: median time past of the block before the one that
   * confirmed each spent output.
   */
  readonly prevoutMedianTimePasts?: readonly number[];
  /**
   * Check that the inputs pay for the outputs (`bad-txns-in-belowout`). On by default; Core's
   * transaction vectors turn it off because they give no amounts for legacy prevouts.
   */
  readonly checkInputValues?: boolean;
}

/**
 * Checks a whole transaction as a node would before accepting it: Core's `CheckTransaction`,
 * input values against output values, lock times when heights are given, then every input's
 * scripts.
 *
 * @returns `{ ok: true }`, or the first failure; script failures carry `inputIndex`
 * @throws Error on caller mistakes: `prevouts`/`prevoutHeights` not one per input, heights
 *   without `spendHeight`, or a time-based lock without times
 */
export function verifyTransaction(
  tx: Uint8Array,
  prevouts: readonly Prevout[],
  opts: VerifyTxOptions = {},
): VerifyTxResult {
  const decoded = decode(tx);
  if (typeof decoded === 'string') return { ok: false, error: decoded };
  checkPrevouts(decoded, prevouts);
  const reason = checkTransaction(decoded);
  if (reason !== undefined) return { ok: false, error: reason };

  if (opts.checkInputValues ?? true) {
    let valueIn = 0n;
    for (const p of prevouts) {
      if (p.valueSat < 0n || p.valueSat > 21_000_000n * 100_000_000n) {
        return { ok: false, error: 'bad-txns-inputvalues-outofrange' };
      }
      valueIn += p.valueSat;
    }
    const valueOut = decoded.outputs.reduce((sum, o) => sum + o.valueSat, 0n);
    if (valueIn < valueOut) return { ok: false, error: 'bad-txns-in-belowout' };
  }

  if (opts.prevoutHeights !== undefined) {
    if (opts.spendHeight === undefined) throw new Error('prevoutHeights needs spendHeight');
    if (opts.prevoutHeights.length !== decoded.inputs.length) {
      throw new Error('prevoutHeights: expected one per input');
    }
  }
  if (opts.spendHeight !== undefined) {
    if (lockTimeNeedsTime(decoded) && opts.spendMedianTimePast === undefined) {
      throw new Error('a time-based nLockTime needs spendMedianTimePast');
    }
    if (!isFinalTx(decoded, opts.spendHeight, opts.spendMedianTimePast ?? 0)) {
      return { ok: false, error: 'bad-txns-nonfinal' };
    }
    if (opts.prevoutHeights !== undefined) {
      const locked = checkSequenceLocks(
        decoded,
        opts.prevoutHeights,
        opts.prevoutMedianTimePasts,
        opts.spendHeight,
        opts.spendMedianTimePast,
      );
      if (locked !== undefined) return { ok: false, error: locked };
    }
  }

  const flags = opts.flags ?? StandardFlags;
  const cache: SighashCache = {};
  for (let i = 0; i < decoded.inputs.length; i++) {
    const error = verifyDecodedInput(decoded, i, prevouts, flags, cache);
    if (error !== undefined) return { ok: false, error, inputIndex: i };
  }
  return { ok: true };
}
