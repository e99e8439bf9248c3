/**
 * The test chain's mempool and the rules a transaction must pass to enter the next block: its
 * inputs exist and are unspent (in the chain, or in the mempool for the mempool), coinbase
 * maturity, nLockTime and BIP 68 locks at the next block's height and median time past, and
 * every input's scripts through the script interpreter (`script-interpreter.ts`). Not checked:
 * dust, fee rates, standard output types, replacement (BIP 125) and packages; a conflict is
 * always rejected, never replaced.
 */
import { Transaction } from 'bitcoinjs-lib';
import type { OutPoint } from '../../src/chain/outpoint.js';
import { parseOutPoint } from '../../src/chain/outpoint.js';
import { hashToDisplayHex } from '../../src/chain/txid.js';
import { APIMisuseError } from '../../src/util/errors.js';
import { verifyTransaction } from './script-interpreter.js';

/** Confirmations a coinbase output needs before it can be spent. */
export const COINBASE_MATURITY = 100;

/** Why the mempool (or a block) refused a transaction. */
export const MempoolRejectReason = {
  Malformed: 'Malformed',
  Coinbase: 'Coinbase',
  AlreadyInMempool: 'AlreadyInMempool',
  AlreadyConfirmed: 'AlreadyConfirmed',
  /** An input names an output that does not exist (or not any more, after a reorg). */
  MissingInputs: 'MissingInputs',
  /** An input is already spent by a confirmed transaction. */
  InputSpent: 'InputSpent',
  /** An input is already spent by another mempool transaction. */
  MempoolConflict: 'MempoolConflict',
  ImmatureCoinbase: 'ImmatureCoinbase',
  /** nLockTime not reached at the next block. */
  NonFinal: 'NonFinal',
  /** A BIP 68 relative lock (nSequence) not reached at the next block. */
  NonBip68Final: 'NonBip68Final',
  /** Outputs worth more than the inputs. */
  InsufficientValue: 'InsufficientValue',
  /** An input's scripts fail; `inputIndex` says which. */
  ScriptFailure: 'ScriptFailure',
  /** Any other consensus check (duplicate inputs, no outputs, value out of range). */
  Invalid: 'Invalid',
} as const;
export type MempoolRejectReason = (typeof MempoolRejectReason)[keyof typeof MempoolRejectReason];

export type Rejection = {
  readonly accepted: false;
  readonly reason: MempoolRejectReason;
  /** The interpreter's or the chain's own reason string, for messages. */
  readonly detail: string;
  readonly txid?: string;
  readonly inputIndex?: number;
  /** For `MempoolConflict` and `InputSpent`: the transaction already spending the input. */
  readonly conflictingTxid?: string;
};
export type SubmitResult = { readonly accepted: true; readonly txid: string } | Rejection;

/** Thrown by the throwing variants (`broadcast`, `mineBlocks` with transactions). */
export class TxRejectedError extends APIMisuseError {
  readonly result: Rejection;
  constructor(result: Rejection) {
    super(`transaction ${result.txid ?? '?'} rejected: ${result.reason} (${result.detail})`);
    this.result = result;
  }
}

/** An unspent output. `height` is undefined for an output of a mempool transaction. */
export interface Coin {
  readonly outpoint: OutPoint;
  readonly valueSat: bigint;
  readonly scriptPubKey: Uint8Array;
  readonly height: number | undefined;
  readonly coinbase: boolean;
}

/** A parsed transaction as the chain keeps it. */
export interface ChainTx {
  readonly bytes: Uint8Array;
  readonly txid: string;
  readonly tx: Transaction;
  /** `txid:index` of each spent output (none for a coinbase). */
  readonly spends: readonly string[];
}

/** A coin as the chain stores it, keyed by `txid:index`. */
export interface CoinEntry {
  readonly valueSat: bigint;
  readonly scriptPubKey: Uint8Array;
  readonly height: number | undefined;
  readonly coinbase: boolean;
}

/** What the rules need from the chain. */
export interface ChainState {
  readonly height: number;
  readonly scriptFlags: number;
  medianTimePast(height: number): number;
  utxo(key: string): CoinEntry | undefined;
  /** The confirmed transaction that spent `key`, if any. */
  spentInChain(key: string): string | undefined;
  isConfirmed(txid: string): boolean;
}

/** Coins available to a transaction, and who spent the ones that are not. */
export interface CoinView {
  coin(key: string): CoinEntry | undefined;
  spender(key: string): { txid: string; confirmed: boolean } | undefined;
}

/** Parses a serialized transaction; throws (bitcoinjs-lib's error) when malformed. */
export function parseTx(bytes: Uint8Array): ChainTx {
  const tx = Transaction.fromBuffer(bytes);
  return {
    bytes: Uint8Array.from(bytes),
    txid: tx.getId(),
    tx,
    spends: tx.isCoinbase() ? [] : tx.ins.map((i) => `${hashToDisplayHex(i.hash)}:${i.index}`),
  };
}

/** `parseTx`, with failure as a `Malformed` rejection. */
export function tryParseTx(bytes: Uint8Array): ChainTx | Rejection {
  try {
    return parseTx(bytes);
  } catch (e) {
    return reject('Malformed', e instanceof Error ? e.message : String(e));
  }
}

export function reject(
  reason: MempoolRejectReason,
  detail: string,
  extra: { txid?: string; inputIndex?: number; conflictingTxid?: string } = {},
): Rejection {
  return { accepted: false, reason, detail, ...extra };
}

export function coinOf(out: { value: bigint; script: Uint8Array }): CoinEntry {
  return { valueSat: out.value, scriptPubKey: out.script, height: undefined, coinbase: false };
}

/** Every rule a transaction must pass to enter the next block, with coins from `view`. */
export function checkTx(t: ChainTx, view: CoinView, chain: ChainState): SubmitResult {
  const txid = t.txid;
  if (t.tx.isCoinbase()) return reject('Coinbase', 'coinbase outside a block', { txid });
  if (chain.isConfirmed(txid)) return reject('AlreadyConfirmed', 'txn-already-known', { txid });
  if (new Set(t.spends).size !== t.spends.length) {
    return reject('Invalid', 'bad-txns-inputs-duplicate', { txid });
  }
  const spendHeight = chain.height + 1;
  const coins: CoinEntry[] = [];
  for (const [inputIndex, key] of t.spends.entries()) {
    const coin = view.coin(key);
    if (coin === undefined) {
      const spender = view.spender(key);
      if (spender === undefined) {
        return reject('MissingInputs', `missing-inputs ${key}`, { txid, inputIndex });
      }
      return reject(
        spender.confirmed ? 'InputSpent' : 'MempoolConflict',
        `${key} spent by ${spender.txid}`,
        { txid, inputIndex, conflictingTxid: spender.txid },
      );
    }
    if (coin.coinbase && spendHeight - coin.height! < COINBASE_MATURITY) {
      return reject('ImmatureCoinbase', 'bad-txns-premature-spend-of-coinbase', {
        txid,
        inputIndex,
      });
    }
    coins.push(coin);
  }
  // Unconfirmed parents count as confirmed in the next block, as in Core.
  const prevoutHeights = coins.map((c) => c.height ?? spendHeight);
  const r = verifyTransaction(
    t.bytes,
    coins.map((c) => ({ scriptPubKey: c.scriptPubKey, valueSat: c.valueSat })),
    {
      flags: chain.scriptFlags,
      spendHeight,
      spendMedianTimePast: chain.medianTimePast(chain.height),
      prevoutHeights,
      prevoutMedianTimePasts: prevoutHeights.map((h) => chain.medianTimePast(h - 1)),
    },
  );
  if (r.ok) return { accepted: true, txid };
  if (r.inputIndex !== undefined) {
    return reject('ScriptFailure', r.error, { txid, inputIndex: r.inputIndex });
  }
  const reasons: Record<string, MempoolRejectReason> = {
    'bad-txns-nonfinal': 'NonFinal',
    'non-BIP68-final': 'NonBip68Final',
    'bad-txns-in-belowout': 'InsufficientValue',
  };
  return reject(reasons[r.error] ?? 'Invalid', r.error, { txid });
}

/** Unconfirmed transactions, kept in an order where parents come before children. */
export class Mempool {
  readonly #chain: ChainState;
  readonly #txs = new Map<string, ChainTx>();
  /** Outpoint key to the mempool txid spending it. */
  readonly #spends = new Map<string, string>();

  constructor(chain: ChainState) {
    this.#chain = chain;
  }

  has(txid: string): boolean {
    return this.#txs.has(txid);
  }

  get(txid: string): ChainTx | undefined {
    return this.#txs.get(txid);
  }

  /** Parents before children. */
  txs(): ChainTx[] {
    return [...this.#txs.values()];
  }

  /** Chain coins not spent by the mempool, plus outputs of mempool transactions. */
  view(): CoinView {
    return {
      coin: (key) => {
        if (this.#spends.has(key)) return undefined;
        const confirmed = this.#chain.utxo(key);
        if (confirmed !== undefined) return confirmed;
        const { txid, index } = parseOutPoint(key);
        const out = this.#txs.get(txid)?.tx.outs[index];
        return out === undefined ? undefined : coinOf(out);
      },
      spender: (key) => {
        const inPool = this.#spends.get(key);
        if (inPool !== undefined) return { txid: inPool, confirmed: false };
        const confirmed = this.#chain.spentInChain(key);
        return confirmed === undefined ? undefined : { txid: confirmed, confirmed: true };
      },
    };
  }

  /** Checks and, when valid, adds a transaction. */
  submit(t: ChainTx): SubmitResult {
    if (this.#txs.has(t.txid)) {
      return reject('AlreadyInMempool', 'txn-already-in-mempool', { txid: t.txid });
    }
    const result = checkTx(t, this.view(), this.#chain);
    if (result.accepted) {
      this.#txs.set(t.txid, t);
      for (const key of t.spends) this.#spends.set(key, t.txid);
    }
    return result;
  }

  /** Removes a transaction and every mempool transaction spending its outputs. */
  evict(txid: string): void {
    const t = this.#txs.get(txid);
    if (t === undefined) return;
    this.#txs.delete(txid);
    for (const key of t.spends) this.#spends.delete(key);
    t.tx.outs.forEach((_, index) => {
      const child = this.#spends.get(`${txid}:${index}`);
      if (child !== undefined) this.evict(child);
    });
  }

  /** After a block: drops what it confirmed, and whatever conflicts with it (with children). */
  removeForBlock(txs: readonly ChainTx[]): void {
    for (const t of txs) {
      this.evict(t.txid);
      for (const key of t.spends) {
        const conflict = this.#spends.get(key);
        if (conflict !== undefined) this.evict(conflict);
      }
    }
  }

  /** Empties the mempool and returns what it held, parents first (for a reorganization). */
  drain(): ChainTx[] {
    const all = this.txs();
    this.#txs.clear();
    this.#spends.clear();
    return all;
  }
}

/**
 * Checks an explicit block body in order, each transaction against the chain and the ones before
 * it (not the mempool). Throws `TxRejectedError` at the first invalid one.
 */
export function checkBlockTxs(txs: readonly Uint8Array[], chain: ChainState): ChainTx[] {
  const created = new Map<string, CoinEntry>();
  const spent = new Map<string, string>();
  const view: CoinView = {
    coin: (key) => (spent.has(key) ? undefined : (chain.utxo(key) ?? created.get(key))),
    spender: (key) => {
      const txid = spent.get(key) ?? chain.spentInChain(key);
      return txid === undefined ? undefined : { txid, confirmed: true };
    },
  };
  return txs.map((bytes) => {
    const t = tryParseTx(bytes);
    if ('accepted' in t) throw new TxRejectedError(t);
    const r = checkTx(t, view, chain);
    if (!r.accepted) throw new TxRejectedError(r);
    for (const key of t.spends) spent.set(key, t.txid);
    t.tx.outs.forEach((o, index) => created.set(`${t.txid}:${index}`, coinOf(o)));
    return t;
  });
}
