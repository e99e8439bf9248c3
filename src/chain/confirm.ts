/**
 * Transaction-by-transaction chain notifications (LDK `Confirm`), for hosts whose chain source
 * reports individual transactions (Electrum, Esplora) rather than whole blocks. Pair it with
 * `Filter` to learn what to watch. Block-fetching hosts use `Listen` instead.
 */
import type { TransactionData } from './listen.js';

/** A transaction whose confirmation a component still tracks, as `getRelevantTxids` lists it. */
export interface RelevantTxid {
  /** Display-order lowercase hex txid. */
  readonly txid: string;
  /** Height of the block that confirmed it. */
  readonly height: number;
  /** Display-order lowercase hex hash of that block. */
  readonly blockHash: string;
}

/**
 * Implemented by boltkit components, called by the host's chain source.
 *
 * What the host must do, in chain order:
 * - `transactionsConfirmed` for every registered transaction (`Filter.registerTx`) and every
 *   transaction spending a registered output, earlier blocks first, parents before children
 *   within a block. One block's transactions may come in several calls.
 * - `transactionUnconfirmed` for each txid from `getRelevantTxids` that is no longer in the best
 *   chain, or now sits in a different block. All unconfirmations of a reorganization come before
 *   any reconfirmation; a moved transaction is unconfirmed, then confirmed again in its new block.
 * - `bestBlockUpdated` whenever the tip changes; intermediate tips may be skipped.
 *
 * Persistence and restart: the components track what they were told; persist them as they
 * request. After a restart, call `getRelevantTxids` again and resynchronize from there.
 */
export interface Confirm {
  /**
   * Transactions confirmed in the block with this 80-byte header at `height`. `txdata` may hold
   * any subset of the block's transactions; irrelevant ones are ignored. Must not name a block
   * that is no longer in the chain as of the last `bestBlockUpdated`.
   */
  transactionsConfirmed(header: Uint8Array, txdata: TransactionData, height: number): void;
  /** The transaction (display-order hex txid) was reorganized out of the chain. */
  transactionUnconfirmed(txid: string): void;
  /** The best chain now ends at the block with this 80-byte header, at `height`. */
  bestBlockUpdated(header: Uint8Array, height: number): void;
  /**
   * Transactions confirmed but not yet deep enough to ignore a reorganization, with the block
   * each was confirmed in. If one is no longer in that block of the best chain, the host must
   * call `transactionUnconfirmed` for it. Idempotent between the other calls.
   */
  getRelevantTxids(): RelevantTxid[];
}
