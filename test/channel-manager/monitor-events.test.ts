// The manager's handling of its Watch's monitor events, end to end over the test chain: an
// HTLC left unresolved past its deadline, the peer's commitment confirming, and a Watch that
// fails for good.
import { describe, expect, it } from 'vitest';
import { ChannelMonitorUpdateStatus } from '../../src/chain/watch.js';
import type { Event } from '../../src/events/event.js';
import { fromHex, toHex } from '../../src/util/bytes.js';
import { preimageOf } from '../support/channel-pair.js';
import { heldOnion } from '../support/held-onion.js';
import { createNetwork, type NetNode, type Network } from '../support/node-network.js';

function closedEvent(events: readonly Event[], channelId: string): Event | undefined {
  return events.find((e) => e.type === 'ChannelClosed' && e.channelId === channelId);
}

function ready(): { net: Network; a: NetNode; b: NetNode; channelId: string } {
  const net = createNetwork(2);
  const [a, b] = [net.nodes[0]!, net.nodes[1]!];
  const channelId = net.openChannel(a, b, 300_000n, 50_000_000n);
  a.takeEvents();
  b.takeEvents();
  return { net, a, b, channelId };
}

function fundingOutpoint(node: NetNode): { txid: string; index: number } {
  return node.manager.listChannels()[0]!.fundingTxo!;
}

describe('ChannelManager monitor events', () => {
  it('an offered HTLC left unresolved past its deadline force-closes with HTLCsTimedOut', () => {
    const { net, a, b, channelId } = ready();
    const outpoint = fundingOutpoint(a);
    const cltvExpiry = net.chain.height + 20;
    a.manager.internalSendHtlc(channelId, {
      amountMsat: 3_000_000n,
      paymentHash: preimageOf(7).paymentHash,
      cltvExpiry,
      onionRoutingPacket: heldOnion(b.nodeId, preimageOf(7).paymentHash, 3_000_000n, cltvExpiry),
    });
    net.deliverAll();
    expect(b.manager.internalTakeHtlcEvents().map((e) => e.type)).toContain('HtlcReceived');
    // The peer neither claims nor fails it; up to the grace period nothing happens.
    net.connectBlocks(cltvExpiry + 2 - net.chain.height);
    expect(closedEvent(a.takeEvents(), channelId)).toBeUndefined();
    expect(net.chain.isSpent(outpoint)).toBe(false);
    net.connectBlocks(1);
    expect(closedEvent(a.takeEvents(), channelId)).toMatchObject({
      reason: { type: 'HTLCsTimedOut' },
      counterpartyNodeId: b.nodeId,
    });
    expect(a.manager.listChannels()).toHaveLength(0);
    // Our commitment went to the chain, which accepted it (it spends the funding output).
    expect(net.chain.isSpent(outpoint)).toBe(true);
    const spender = net.chain.getSpendingTxid(outpoint)!;
    expect(net.chain.inMempool(spender)).toBe(true);
  });

  it("the peer's commitment confirming closes the channel; later messages get an error", () => {
    const { net, a, b, channelId } = ready();
    const outpoint = fundingOutpoint(a);
    // The peer goes to chain without telling us.
    net.disconnect(a, b);
    b.manager.forceCloseBroadcastingLatestTxn(channelId, a.nodeId);
    b.manager.getAndClearPendingMessages();
    const commitmentTxid = net.chain.getSpendingTxid(outpoint)!;
    expect(commitmentTxid).toBeDefined();
    expect(closedEvent(a.takeEvents(), channelId)).toBeUndefined();
    net.connectBlocks(1);
    expect(net.chain.getConfirmations(commitmentTxid)).toBe(1);
    expect(closedEvent(a.takeEvents(), channelId)).toMatchObject({
      reason: { type: 'CommitmentTxConfirmed' },
      counterpartyNodeId: b.nodeId,
      channelCapacitySat: 300_000n,
    });
    expect(a.manager.listChannels()).toHaveLength(0);
    // Reconnected, the channel sends no channel_reestablish; any message for it gets an error.
    a.manager.getAndClearPendingMessages();
    net.connect(a, b);
    expect(a.manager.getAndClearPendingMessages()).toEqual([]);
    a.manager.handleChannelMessage(b.nodeId, {
      type: 'update_fee',
      channelId: fromHex(channelId, 32),
      feerateSatPerKw: 2_000,
    });
    const out = a.manager.getAndClearPendingMessages();
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ nodeId: b.nodeId, message: { type: 'error' } });
    const m = out[0]!.message;
    if (m.type !== 'error') throw new Error('expected error');
    expect(toHex(m.channelId)).toBe(channelId);
    expect(new TextDecoder().decode(m.data)).toBe('awaiting unilateral close');
    expect(closedEvent(a.takeEvents(), channelId)).toBeUndefined();
  });

  it('a Watch failing for good stops the channel', () => {
    const { net, a, b, channelId } = ready();
    a.persist.updatePersistedChannel = () => ChannelMonitorUpdateStatus.UnrecoverableError;
    a.manager.internalSendHtlc(channelId, {
      amountMsat: 3_000_000n,
      paymentHash: preimageOf(8).paymentHash,
      cltvExpiry: net.chain.height + 100,
      onionRoutingPacket: heldOnion(
        b.nodeId,
        preimageOf(8).paymentHash,
        3_000_000n,
        net.chain.height + 100,
      ),
    });
    // The commitment_signed waits for a write that never completes.
    const held = a.manager.getAndClearPendingMessages().map((m) => m.message.type);
    expect(held).toEqual(['update_add_htlc']);
    // The host sees the channel listed but not usable, and no ChannelClosed; host calls on it
    // are refused, and the peer's messages for it are ignored.
    expect(a.manager.listChannels().map((c) => [c.channelId, c.isUsable])).toEqual([
      [channelId, false],
    ]);
    expect(a.manager.listUsableChannels()).toEqual([]);
    expect(closedEvent(a.takeEvents(), channelId)).toBeUndefined();
    const unavailable = expect.objectContaining({ code: 'ChannelUnavailable' });
    expect(() => {
      a.manager.closeChannel(channelId, b.nodeId);
    }).toThrow(unavailable);
    expect(() => {
      a.manager.forceCloseBroadcastingLatestTxn(channelId, b.nodeId);
    }).toThrow(unavailable);
    a.manager.handleChannelMessage(b.nodeId, {
      type: 'update_fee',
      channelId: fromHex(channelId, 32),
      feerateSatPerKw: 2_000,
    });
    a.manager.timerTickOccurred();
    net.connectBlocks(1);
    expect(a.manager.getAndClearPendingMessages()).toEqual([]);
    expect(a.takeEvents()).toEqual([]);
  });
});
