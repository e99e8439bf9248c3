/**
 * How boltkit gets transactions onto the network (LDK `BroadcasterInterface`). Funding,
 * cooperative and force closes, HTLC claims and justice transactions all leave through here.
 * BOLT 5 (on-chain handling) depends on these reaching miners in time.
 */

/**
 * Implemented by the host.
 *
 * What the host must do: hand each transaction to its Bitcoin node, Electrum or Esplora server
 * (or several), in the order given. When more than one is passed they form a package (a child
 * may spend a parent in the same call, as anchor fee bumps do), so submit them together where
 * the backend supports package relay, or parents first.
 *
 * Failure behaviour: the call must not throw and must not block; it may return before the
 * transactions are sent. boltkit rebroadcasts what still matters on later blocks and timer
 * ticks, so a host may drop a transaction its backend rejects (already confirmed, conflicting,
 * fee too low) after logging it. Nothing needs to be persisted.
 */
export interface BroadcasterInterface {
  /** Fully signed, serialized transactions (with witnesses). */
  broadcastTransactions(txs: readonly Uint8Array[]): void;
}
