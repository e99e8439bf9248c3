/**
 * Runs a `Network` of boltkit nodes as hosts run them, for payment tests: deliver messages,
 * drain every node's events, call `processPendingHtlcForwards` when asked, and (unless a node is
 * told to hold them) claim every `PaymentClaimable` with its preimage. Stops when a round
 * changes nothing; every event seen is kept per node.
 */
import type { Event } from '../../src/events/event.js';
import type { Network, NetNode } from './node-network.js';

export type EventOf<T extends Event['type']> = Extract<Event, { type: T }>;

export function ofType<T extends Event['type']>(events: readonly Event[], type: T): EventOf<T>[] {
  return events.filter((e): e is EventOf<T> => e.type === type);
}

export interface PumpOptions {
  /** Nodes that leave `PaymentClaimable` for the test to answer. */
  readonly hold?: readonly NetNode[];
}

/** Pumps until quiet; returns the events each node raised meanwhile, by node id. */
export function pump(net: Network, options: PumpOptions = {}): Map<string, Event[]> {
  const seen = new Map<string, Event[]>(net.nodes.map((n) => [n.nodeId, []]));
  for (let round = 0; round < 100; round++) {
    net.deliverAll();
    let active = false;
    for (const n of net.nodes) {
      const events = n.takeEvents();
      if (events.length === 0) continue;
      active = true;
      seen.get(n.nodeId)!.push(...events);
      if (events.some((e) => e.type === 'PendingHTLCsForwardable')) {
        n.manager.processPendingHtlcForwards();
      }
      if (options.hold?.includes(n) === true) continue;
      for (const e of ofType(events, 'PaymentClaimable')) {
        const preimage = e.purpose.paymentPreimage;
        if (preimage !== undefined) n.manager.claimFunds(preimage);
      }
    }
    if (!active) return seen;
  }
  throw new Error('pump: events keep coming');
}
