import { describe, expect, it } from 'vitest';
import type { Event } from '../../src/events/event.js';
import { createNetwork, type NetNode } from '../support/node-network.js';

function closedEvent(events: readonly Event[], channelId: string): Event | undefined {
  return events.find((e) => e.type === 'ChannelClosed' && e.channelId === channelId);
}

function ready(): {
  a: NetNode;
  b: NetNode;
  channelId: string;
  net: ReturnType<typeof createNetwork>;
} {
  const net = createNetwork(2);
  const [a, b] = [net.nodes[0]!, net.nodes[1]!];
  const channelId = net.openChannel(a, b, 300_000n, 50_000_000n);
  a.takeEvents();
  b.takeEvents();
  return { net, a, b, channelId };
}

describe('ChannelManager closure reasons', () => {
  it('a cooperative close is locally initiated on the side that called closeChannel only', () => {
    for (const starter of [0, 1]) {
      const { net, a, b, channelId } = ready();
      const [closer, peer] = starter === 0 ? [a, b] : [b, a];
      closer.manager.closeChannel(channelId, peer.nodeId);
      net.deliverAll();
      expect(closedEvent(closer.takeEvents(), channelId)).toMatchObject({
        reason: { type: 'CooperativeClosure', locallyInitiated: true },
      });
      expect(closedEvent(peer.takeEvents(), channelId)).toMatchObject({
        reason: { type: 'CooperativeClosure', locallyInitiated: false },
      });
    }
  });

  it('the initiator of a cooperative close is remembered across a restart', () => {
    const { net, a, b, channelId } = ready();
    a.manager.closeChannel(channelId, b.nodeId);
    a.restart();
    // The restarted manager still sends its shutdown once reconnected.
    net.disconnect(a, b);
    net.connect(a, b);
    net.connect(b, a);
    net.deliverAll();
    expect(closedEvent(a.takeEvents(), channelId)).toMatchObject({
      reason: { type: 'CooperativeClosure', locallyInitiated: true },
    });
    expect(closedEvent(b.takeEvents(), channelId)).toMatchObject({
      reason: { type: 'CooperativeClosure', locallyInitiated: false },
    });
  });

  it('a host force close reports HolderForceClosed when the monitor write completes later', () => {
    const { net, a, b, channelId } = ready();
    a.persist.async = true;
    a.manager.forceCloseBroadcastingLatestTxn(channelId, b.nodeId);
    // The event waits for the monitor write; the peer's reaction does not change the reason.
    expect(closedEvent(a.takeEvents(), channelId)).toBeUndefined();
    net.deliverAll();
    net.disconnect(a, b);
    a.persist.async = false;
    a.completePersistence();
    expect(closedEvent(a.takeEvents(), channelId)).toMatchObject({
      reason: { type: 'HolderForceClosed' },
    });
    expect(closedEvent(b.takeEvents(), channelId)).toMatchObject({
      reason: { type: 'CounterpartyForceClosed' },
    });
  });

  it('a pending HolderForceClosed survives a restart before the monitor write completes', () => {
    const { a, b, channelId } = ready();
    a.persist.async = true;
    a.manager.forceCloseBroadcastingLatestTxn(channelId, b.nodeId);
    expect(closedEvent(a.takeEvents(), channelId)).toBeUndefined();
    const bytes = a.manager.serialize();
    a.restart(bytes);
    a.persist.async = false;
    a.completePersistence();
    expect(closedEvent(a.takeEvents(), channelId)).toMatchObject({
      reason: { type: 'HolderForceClosed' },
    });
  });
});
