import { describe, expect, it } from 'vitest';
import { preimageOf } from '../support/channel-pair.js';
import { heldOnion } from '../support/held-onion.js';
import { createNetwork } from '../support/node-network.js';

const code = (c: string): unknown => expect.objectContaining({ code: c });

describe('ChannelManager persistence and peers', () => {
  it('restarts from the serialized manager and monitors, keeps pending events, and reestablishes', () => {
    const net = createNetwork(2);
    const [a, b] = [net.nodes[0]!, net.nodes[1]!];
    const channelId = net.openChannel(a, b, 400_000n);
    expect(a.manager.getAndClearNeedsPersistence()).toBe(true);
    // Events not drained before the restart survive it.
    const before = a.manager.getAndClearPendingEvents();
    a.restart();
    net.disconnect(a, b);
    expect(a.manager.getAndClearPendingEvents()).toEqual([]);
    net.connect(a, b);
    net.connect(b, a);
    net.deliverAll();
    expect(a.manager.listUsableChannels().map((c) => c.channelId)).toEqual([channelId]);
    expect(b.manager.listUsableChannels()).toHaveLength(1);
    expect(before.map((e) => e.type)).toContain('ChannelReady');

    // An HTLC through the internal hooks after the restart.
    const { preimage, paymentHash } = preimageOf(1);
    const htlcId = a.manager.internalSendHtlc(channelId, {
      amountMsat: 5_000_000n,
      paymentHash,
      cltvExpiry: net.chain.height + 100,
      onionRoutingPacket: heldOnion(b.nodeId, paymentHash, 5_000_000n, net.chain.height + 100),
    });
    net.deliverAll();
    const received = b.manager.internalTakeHtlcEvents().find((e) => e.type === 'HtlcReceived');
    expect(received).toMatchObject({ htlcId, amountMsat: 5_000_000n });
    b.manager.internalClaimHtlc(channelId, htlcId, preimage);
    net.deliverAll();
    expect(a.manager.internalTakeHtlcEvents().map((e) => e.type)).toContain('HtlcFulfilled');
    expect(b.manager.listChannels()[0]!.balanceMsat).toBe(5_000_000n);
  });

  it('pending events round-trip through the manager serialization', () => {
    const net = createNetwork(2);
    const [a, b] = [net.nodes[0]!, net.nodes[1]!];
    a.manager.createChannel(b.nodeId, 100_000n, 0n, 9n);
    net.deliverAll();
    const bytes = a.manager.serialize();
    const events = a.manager.getAndClearPendingEvents();
    a.restart(bytes);
    expect(a.manager.getAndClearPendingEvents()).toEqual(events);
  });

  it('a manager older than its monitor closes the channel from the monitor state', () => {
    const net = createNetwork(2);
    const [a, b] = [net.nodes[0]!, net.nodes[1]!];
    const channelId = net.openChannel(a, b, 400_000n, 100_000_000n);
    const stale = a.manager.serialize();
    const { paymentHash } = preimageOf(2);
    a.manager.internalSendHtlc(channelId, {
      amountMsat: 2_000_000n,
      paymentHash,
      cltvExpiry: net.chain.height + 100,
      onionRoutingPacket: heldOnion(b.nodeId, paymentHash, 2_000_000n, net.chain.height + 100),
    });
    net.deliverAll();
    a.restart(stale);
    const closed = a.manager.getAndClearPendingEvents().filter((e) => e.type === 'ChannelClosed');
    expect(closed).toMatchObject([{ channelId, reason: { type: 'OutdatedChannelManager' } }]);
    expect(a.manager.listChannels()).toHaveLength(0);
    const broadcast = net.chain.mempoolTxids();
    expect(broadcast.length).toBeGreaterThan(0);
    net.connectBlocks(1);
    for (const txid of broadcast) expect(net.chain.getConfirmations(txid)).toBe(1);
  });

  it('refuses to start without the monitor of a funded channel', () => {
    const net = createNetwork(2);
    const [a, b] = [net.nodes[0]!, net.nodes[1]!];
    net.openChannel(a, b, 400_000n);
    const bytes = a.manager.serialize();
    a.persist.stored.clear();
    expect(() => a.restart(bytes)).toThrow(code('ChannelUnavailable'));
  });

  it('InProgress monitor writes hold messages until channelMonitorUpdated', () => {
    const net = createNetwork(2);
    const [a, b] = [net.nodes[0]!, net.nodes[1]!];
    const channelId = net.openChannel(a, b, 400_000n);
    b.persist.async = true;
    const { paymentHash } = preimageOf(3);
    a.manager.internalSendHtlc(channelId, {
      amountMsat: 3_000_000n,
      paymentHash,
      cltvExpiry: net.chain.height + 100,
      onionRoutingPacket: heldOnion(b.nodeId, paymentHash, 3_000_000n, net.chain.height + 100),
    });
    net.deliverAll();
    // b's revoke_and_ack waits for its monitor write.
    expect(b.persist.pending.length).toBeGreaterThan(0);
    expect(a.manager.internalChannel(channelId).state.pendingRevocation).toBeDefined();
    b.persist.async = false;
    b.completePersistence();
    net.deliverAll();
    b.completePersistence();
    net.deliverAll();
    expect(a.manager.internalChannel(channelId).state.pendingRevocation).toBeUndefined();
    expect(b.manager.internalTakeHtlcEvents().map((e) => e.type)).toContain('HtlcReceived');
  });

  it('a hostile peer gets its channel closed while another peer keeps its channel', () => {
    const net = createNetwork(3);
    const [a, b, c] = [net.nodes[0]!, net.nodes[1]!, net.nodes[2]!];
    const ab = net.openChannel(a, b, 400_000n);
    const ac = net.openChannel(a, c, 400_000n);
    a.takeEvents();
    // b sends a revoke_and_ack out of the blue.
    a.manager.handleChannelMessage(b.nodeId, {
      type: 'revoke_and_ack',
      channelId: b.manager.internalChannel(ab).state.channelId,
      perCommitmentSecret: new Uint8Array(32).fill(7),
      nextPerCommitmentPoint:
        a.manager.internalChannel(ab).state.holderParams.pubkeys.fundingPubkey,
    });
    expect(a.takeEvents().find((e) => e.type === 'ChannelClosed')).toMatchObject({
      channelId: ab,
      reason: { type: 'ProcessingError' },
    });
    net.deliverAll();
    expect(a.manager.listUsableChannels().map((d) => d.channelId)).toEqual([ac]);
    // An unknown channel id gets an error back.
    a.manager.handleChannelMessage(c.nodeId, {
      type: 'update_fee',
      channelId: new Uint8Array(32).fill(9),
      feerateSatPerKw: 1000,
    });
    expect(a.manager.getAndClearPendingMessages().map((m) => m.message.type)).toEqual(['error']);
  });
});
