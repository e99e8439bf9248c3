/**
 * Block-by-block chain notifications (LDK `Listen`), for hosts that fetch whole blocks or
 * headers (bitcoind RPC, a block-fetching P2P client). Hosts that learn about single
 * transactions instead (Electrum, Esplora) use `Confirm`. `ChannelManager` and `ChainMonitor`
 * implement both; the host feeds each component one of the two, never both.
 */
import type { Block } from './block.js';

/**
 * Transactions of one block with their position in it: `[indexInBlock, serializedTx]`, in
 * block order. The index lets the receiver build a short channel id (BOLT 7).
 */
export type TransactionData = ReadonlyArray<readonly [number, Uint8Array]>;

/**
 * Implemented by boltkit components, called by the host's chain source.
 *
 * What the host must do: call in chain order, one block at a time, starting from the block after
 * the component's persisted `BestBlock`. On a reorganization, disconnect blocks from the tip down
 * to the fork point (each with its own header and height), then connect the new branch. Never
 * skip a block. Heights count from the genesis block at 0.
 *
 * Persistence: the components note the new tip in their state; persist them as they request.
 * Replaying a block already seen after a restart is harmless.
 */
export interface Listen {
  /**
   * A block was connected, with only the transactions a BIP 157/158 filter matched (see
   * `Filter`). Optional: a component that needs every transaction leaves it out, and a filtering
   * host must then use `Confirm` for it instead.
   */
  filteredBlockConnected?(header: Uint8Array, txdata: TransactionData, height: number): void;
  /** A whole block was connected at `height`. */
  blockConnected(block: Block, height: number): void;
  /** The block with this 80-byte header, at `height`, is no longer in the best chain. */
  blockDisconnected(header: Uint8Array, height: number): void;
}
