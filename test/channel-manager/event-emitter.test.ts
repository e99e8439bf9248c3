// The ChannelManager's 'event' emitter: every event the host will drain with
// getAndClearPendingEvents is emitted once, when it is queued, in the same order; events read
// back with a restarted manager were emitted by the one that queued them and are not emitted
// again.
import { describe, expect, it } from 'vitest';
import type { ChannelManager } from '../../src/channel-manager/channel-manager.js';
import type { Event } from '../../src/events/event.js';
import { createNetwork, type NetNode } from '../support/node-network.js';

/** Records what `manager` emits. */
function listen(manager: ChannelManager): Event[] {
  const emitted: Event[] = [];
  manager.on('event', (e) => emitted.push(e));
  return emitted;
}

/** Everything `node` drained so far (the harness keeps it in `events`), after a last drain. */
function drained(node: NetNode): Event[] {
  node.takeEvents();
  return node.events;
}

describe("ChannelManager 'event' emitter", () => {
  it('emits each event once, in the order getAndClearPendingEvents returns them', () => {
    const net = createNetwork(3);
    const [a, b, c] = [net.nodes[0]!, net.nodes[1]!, net.nodes[2]!];
    const emitted = new Map([a, b, c].map((n) => [n, listen(n.manager)]));
    const ab = net.openChannel(a, b, 300_000n, 50_000_000n);
    const ac = net.openChannel(a, c, 300_000n);
    // A cooperative close of a–b, and a force close of a–c whose monitor write on c is in
    // progress: c's ChannelClosed comes out (and is emitted) only once the write completes.
    a.manager.closeChannel(ab, b.nodeId);
    net.deliverAll();
    c.persist.async = true;
    c.manager.forceCloseBroadcastingLatestTxn(ac, a.nodeId);
    net.deliverAll();
    expect(c.takeEvents().map((e) => e.type)).not.toContain('ChannelClosed');
    expect(emitted.get(c)!.map((e) => e.type)).not.toContain('ChannelClosed');
    c.persist.async = false;
    c.completePersistence();
    net.connectBlocks(1);
    for (const n of [a, b, c]) {
      const all = drained(n);
      // The very same objects, in the same order, each once.
      expect(emitted.get(n)!).toHaveLength(all.length);
      for (const [i, e] of all.entries()) expect(emitted.get(n)![i]).toBe(e);
      expect(new Set(all).size).toBe(all.length);
    }
    expect(drained(a).map((e) => e.type)).toEqual([
      'FundingGenerationReady',
      'ChannelPending',
      'ChannelReady',
      'FundingGenerationReady',
      'ChannelPending',
      'ChannelReady',
      'ChannelClosed',
      'ChannelClosed',
    ]);
    for (const n of [b, c]) {
      expect(drained(n).map((e) => e.type)).toEqual([
        'ChannelPending',
        'ChannelReady',
        'ChannelClosed',
      ]);
    }
  });

  it('does not emit again the pending events a restarted manager reads back', () => {
    const net = createNetwork(2);
    const [a, b] = [net.nodes[0]!, net.nodes[1]!];
    const before = listen(a.manager);
    a.manager.createChannel(b.nodeId, 100_000n, 0n, 9n);
    net.deliverAll();
    expect(before.map((e) => e.type)).toEqual(['FundingGenerationReady']);
    a.restart();
    const after = listen(a.manager);
    expect(a.manager.getAndClearPendingEvents()).toEqual(before);
    expect(after).toEqual([]);
    // New events on the restarted manager are emitted as usual.
    net.disconnect(a, b);
    expect(after.map((e) => e.type)).toEqual(['ChannelClosed']);
    expect(a.manager.getAndClearPendingEvents()).toEqual(after);
  });
});
