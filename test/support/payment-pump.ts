/**
 * Runs a `Network` of boltkit nodes as hosts run them, for payment tests: deliver messages,
 * drain every node's events, call `processPendingHtlcForwards` when asked, and (unless a node is
 * told to hold them) claim every `PaymentClaimable` with its preimage. Stops when a round
 * changes nothing; every event seen is kept per node.
 */
import type { Event } from '../../src/events/event.js';
import type { UserConfig } from '../../src/channel-manager/config.js';
import type { ChannelManager } from '../../src/channel-manager/channel-manager.js';
import { createNetwork, type Network, type NetNode } from './node-network.js';

export type EventOf<T extends Event['type']> = Extract<Event, { type: T }>;

export function ofType<T extends Event['type']>(events: readonly Event[], type: T): EventOf<T>[] {
  return events.filter((e): e is EventOf<T> => e.type === type);
}

/** A node as `pump` drives it: `NetNode` (direct messages) and `PipedNode` (PeerManagers) both are. */
export interface PumpNode {
  readonly nodeId: string;
  readonly manager: ChannelManager;
  takeEvents(): Event[];
}

/** A network `pump` can run: `Network` and `PipedNetwork` both are. */
export interface PumpNetwork<N extends PumpNode = PumpNode> {
  readonly nodes: readonly N[];
  deliverAll(): void;
}

export interface PumpOptions<N extends PumpNode = PumpNode> {
  /** Nodes that leave `PaymentClaimable` for the test to answer. */
  readonly hold?: readonly N[];
}

/** Pumps until quiet; returns the events each node raised meanwhile, by node id. */
export function pump<N extends PumpNode>(
  net: PumpNetwork<N>,
  options: PumpOptions<N> = {},
): Map<string, Event[]> {
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

/**
 * Nodes A, B and C with channels A–B and B–C of 1,000,000 sat each (B forwards), ready and
 * quiet. `configs` are the nodes' `UserConfig`s in that order.
 */
export function paymentLine(configs: readonly Partial<UserConfig>[] = []): {
  net: Network;
  a: NetNode;
  b: NetNode;
  c: NetNode;
  ab: string;
  bc: string;
} {
  const net = createNetwork(3, configs);
  const [a, b, c] = [net.nodes[0]!, net.nodes[1]!, net.nodes[2]!];
  const ab = net.openChannel(a, b, 1_000_000n);
  const bc = net.openChannel(b, c, 1_000_000n);
  pump(net);
  return { net, a, b, c, ab, bc };
}
