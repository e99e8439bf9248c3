/**
 * Telling a light-client chain source what to look for (LDK `Filter`). A host fetching whole
 * blocks does not need this; one using BIP 157/158 compact filters, Electrum or Esplora must
 * watch exactly what boltkit registers, or it will miss a funding confirmation or a
 * counterparty's commitment transaction (BOLT 5).
 */
import type { OutPoint } from './outpoint.js';

/** An output boltkit needs to see spent, with the script a script-indexed source can match. */
export interface WatchedOutput {
  readonly outpoint: OutPoint;
  readonly scriptPubKey: Uint8Array;
  /**
   * Display-order hex hash of the block that created the output, when known: the spend may be
   * in that same block, so the source must look there too.
   */
  readonly blockHash?: string;
}

/**
 * Implemented by a host whose chain source filters.
 *
 * What the host must do: from now on report (through `Confirm.transactionsConfirmed` or
 * `Listen.filteredBlockConnected`) every transaction with a registered txid and every transaction
 * spending a registered output, plus their in-block descendants. Registrations happen while
 * boltkit processes a block, so after a call the source must rescan the block in progress.
 *
 * Failure behaviour: calls come from inside boltkit (for example from `Watch.watchChannel`) and
 * must not block on I/O or throw: queue the new interest and process it later. Registrations are
 * not persisted by the host; boltkit registers them again when monitors are reloaded on start.
 */
export interface Filter {
  /**
   * Watch for `txid` (display-order hex) to confirm. `scriptPubKey` is one of its output scripts,
   * for sources that can only match scripts.
   */
  registerTx(txid: string, scriptPubKey: Uint8Array): void;
  /** Watch for any transaction spending `output.outpoint`. */
  registerOutput(output: WatchedOutput): void;
}
