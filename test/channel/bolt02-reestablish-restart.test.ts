// BOLT 2 "Message Retransmission" after a restart: a channel restored from bytes saved while the
// connection was up is told of the new connection only (it never saw the old one drop). It must
// still forget what that connection left unfinished, the peer's unsigned updates first, or the
// peer's retransmission of them would arrive twice and fail the channel.
import { describe, expect, it } from 'vitest';
import {
  deserializeChannel,
  serializeChannel,
} from '../../src/channel-manager/channel/serialize.js';
import { ChannelPhase } from '../../src/channel-manager/channel/state.js';
import { ChannelPair, type TestNode } from '../support/channel-pair.js';

/** `node` restarts from its bytes now; its peer sees a disconnection; both connect again. */
function restartAndReconnect(pair: ChannelPair, node: TestNode): void {
  node.channel = deserializeChannel(serializeChannel(node.channel), node.options);
  const peer = pair.other(node);
  node.outbox.length = 0;
  peer.outbox.length = 0;
  peer.absorb(peer.channel.peerDisconnected());
  for (const n of [pair.a, pair.b]) n.absorb(n.channel.peerConnected());
  pair.expectDeliver(pair.a, 'channel_reestablish');
  pair.expectDeliver(pair.b, 'channel_reestablish');
}

describe('BOLT 2 reestablish after a restart from a connected state', () => {
  it("drops the peer's unsigned update, which the peer then sends again", () => {
    const pair = ChannelPair.ready();
    const h = pair.addHtlc(pair.a, 10_000_000n, 1);
    pair.a.absorb(pair.a.channel.sendCommitment());
    pair.expectDeliver(pair.a, 'update_add_htlc');
    expect(pair.b.channel.state.updates.theirProposed).toHaveLength(1);
    restartAndReconnect(pair, pair.b);
    expect(pair.b.channel.state.updates.theirProposed).toEqual([]);
    // (channel_ready first: no commitment was exchanged since it, so BOLT 2 repeats it.)
    expect(pair.a.pending()).toEqual(['channel_ready', 'update_add_htlc', 'commitment_signed']);
    pair.deliverAll();
    expect(pair.b.takeEvents()).toMatchObject([{ type: 'HtlcReceived', htlcId: h.htlcId }]);
    pair.b.absorb(pair.b.channel.claimHtlc(h.htlcId, h.preimage));
    pair.b.absorb(pair.b.channel.sendCommitment());
    pair.expectDeliver(pair.b, 'update_fulfill_htlc');
    // Now a restarts holding b's unsigned fulfil.
    restartAndReconnect(pair, pair.a);
    expect(pair.b.pending()).toEqual(['update_fulfill_htlc', 'commitment_signed']);
    pair.deliverAll();
    for (const node of [pair.a, pair.b]) {
      expect(node.channel.phase).toBe(ChannelPhase.ChannelReady);
      expect(node.channel.state.holderCommitment!.spec.htlcs).toEqual([]);
    }
    expect(pair.b.channel.state.holderCommitment!.spec.toHolderMsat).toBe(10_000_000n);
  });

  it('a connection after a connection is a reconnection even without a restart', () => {
    const pair = ChannelPair.ready();
    pair.addHtlc(pair.a, 10_000_000n, 2);
    pair.expectDeliver(pair.a, 'update_add_htlc');
    pair.a.outbox.length = 0;
    pair.a.absorb(pair.a.channel.peerDisconnected());
    pair.a.absorb(pair.a.channel.peerConnected());
    // b never saw the disconnection.
    pair.b.absorb(pair.b.channel.peerConnected());
    expect(pair.b.channel.state.updates.theirProposed).toEqual([]);
    pair.expectDeliver(pair.a, 'channel_reestablish');
    pair.expectDeliver(pair.b, 'channel_reestablish');
    pair.a.absorb(pair.a.channel.sendCommitment());
    pair.deliverAll();
    expect(pair.b.takeEvents().map((e) => e.type)).toEqual(['HtlcReceived']);
  });
});
