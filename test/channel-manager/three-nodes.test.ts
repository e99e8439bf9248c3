import { describe, expect, it } from 'vitest';
import { preimageOf } from '../support/channel-pair.js';
import { heldOnion } from '../support/held-onion.js';
import { createPipedNetwork, type PipedNetwork, type PipedNode } from '../support/piped-network.js';

/** `from` offers an HTLC on `channelId`, `to` claims it; both sides see it settle. */
function payOver(
  net: PipedNetwork,
  from: PipedNode,
  to: PipedNode,
  channelId: string,
  amountMsat: bigint,
  tag: number,
): void {
  const { preimage, paymentHash } = preimageOf(tag);
  const htlcId = from.manager.internalSendHtlc(channelId, {
    amountMsat,
    paymentHash,
    cltvExpiry: net.chain.height + 100,
    onionRoutingPacket: heldOnion(to.nodeId, paymentHash, amountMsat, net.chain.height + 100),
  });
  net.deliverAll();
  const received = to.manager.internalTakeHtlcEvents().find((e) => e.type === 'HtlcReceived');
  expect(received).toMatchObject({ htlcId, amountMsat });
  to.manager.internalClaimHtlc(channelId, htlcId, preimage);
  net.deliverAll();
  expect(from.manager.internalTakeHtlcEvents().map((e) => e.type)).toContain('HtlcFulfilled');
}

function usableIds(n: PipedNode): string[] {
  return n.manager
    .listUsableChannels()
    .map((c) => c.channelId)
    .sort();
}

function messagesIn(n: PipedNode, peer: PipedNode): number {
  const details = n.pm.listPeers().find((p) => p.nodeId === peer.nodeId);
  if (details === undefined) throw new Error(`${n.name} is not connected to ${peer.name}`);
  return details.messagesIn;
}

describe('three boltkit nodes over in-memory pipes', () => {
  it('two nodes open a channel through the PeerManagers and pay over it', () => {
    const net = createPipedNetwork(['a', 'b']);
    const [a, b] = [net.nodes[0]!, net.nodes[1]!];
    net.connect(a, b);
    const channelId = net.openChannel(a, b, 300_000n);
    expect(a.manager.listChannels()[0]!.channelType).toBe('anchors_zero_fee_htlc_tx');
    expect(usableIds(a)).toEqual([channelId]);
    expect(usableIds(b)).toEqual([channelId]);
    payOver(net, a, b, channelId, 4_000_000n, 1);
    expect(b.manager.listChannels()[0]!.balanceMsat).toBe(4_000_000n);
  });

  it('A–B (anchors) and B–C (static_remotekey): reconnect, cooperative and force close', () => {
    const net = createPipedNetwork(['a', 'b', 'c']);
    const [a, b, c] = [net.nodes[0]!, net.nodes[1]!, net.nodes[2]!];
    net.connect(a, b);
    net.connect(b, c);
    expect(a.pm.getPeerNodeIds()).toEqual([b.nodeId]);
    expect(c.pm.getPeerNodeIds()).toEqual([b.nodeId]);

    const ab = net.openChannel(a, b, 400_000n, { channelType: 'anchors' });
    const bc = net.openChannel(b, c, 300_000n, { channelType: 'static_remotekey' });
    const typeOf = (n: PipedNode, id: string): string | undefined =>
      n.manager.listChannels().find((ch) => ch.channelId === id)?.channelType;
    expect(typeOf(a, ab)).toBe('anchors_zero_fee_htlc_tx');
    expect(typeOf(b, ab)).toBe('anchors_zero_fee_htlc_tx');
    expect(typeOf(b, bc)).toBe('static_remotekey');
    expect(typeOf(c, bc)).toBe('static_remotekey');
    expect(usableIds(a)).toEqual([ab]);
    expect(usableIds(b)).toEqual([ab, bc].sort());
    expect(usableIds(c)).toEqual([bc]);

    // Both channels carry an HTLC end to end.
    payOver(net, a, b, ab, 10_000_000n, 2);
    payOver(net, b, c, bc, 7_000_000n, 3);

    // B drops C: the B–C channel stops being usable on both sides, A–B is not.
    const abBefore = messagesIn(a, b);
    net.disconnect(b, c);
    expect(usableIds(b)).toEqual([ab]);
    expect(usableIds(c)).toEqual([]);
    expect(usableIds(a)).toEqual([ab]);

    // C dials B again: channel_reestablish over the PeerManagers brings B–C back.
    net.connect(c, b);
    expect(usableIds(b)).toEqual([ab, bc].sort());
    expect(usableIds(c)).toEqual([bc]);
    payOver(net, b, c, bc, 2_000_000n, 4);
    expect(c.manager.listChannels()[0]!.balanceMsat).toBe(9_000_000n);
    // Nothing crossed the A–B connection meanwhile.
    expect(messagesIn(a, b)).toBe(abBefore);
    expect(a.takeEvents()).toEqual([]);
    expect(usableIds(a)).toEqual([ab]);

    // Cooperative close of A–B.
    a.manager.closeChannel(ab, b.nodeId);
    net.deliverAll();
    const coop = net.chain.mempoolTxids();
    expect(coop).toHaveLength(1);
    net.connectBlocks(1);
    expect(net.chain.getConfirmations(coop[0]!)).toBe(1);
    for (const n of [a, b]) {
      const closed = n.takeEvents().find((e) => e.type === 'ChannelClosed');
      expect(closed).toMatchObject({ channelId: ab, reason: { type: 'CooperativeClosure' } });
    }
    expect(a.manager.listChannels()).toEqual([]);
    expect(usableIds(b)).toEqual([bc]);

    // Force close of B–C by B; C learns of it through the error B sends.
    b.manager.forceCloseBroadcastingLatestTxn(bc, c.nodeId);
    net.deliverAll();
    expect(b.takeEvents().find((e) => e.type === 'ChannelClosed')).toMatchObject({
      channelId: bc,
      reason: { type: 'HolderForceClosed' },
    });
    expect(c.takeEvents().find((e) => e.type === 'ChannelClosed')).toMatchObject({
      channelId: bc,
      reason: { type: 'CounterpartyForceClosed' },
    });
    const force = net.chain.mempoolTxids();
    expect(force.length).toBeGreaterThan(0);
    net.connectBlocks(1);
    for (const txid of force) expect(net.chain.getConfirmations(txid)).toBe(1);
    expect(b.manager.listChannels()).toEqual([]);
    expect(c.manager.listChannels()).toEqual([]);

    // Every transaction any node broadcast reached the chain. The only refusals are the
    // closing transaction the second side broadcast again (already in the mempool) and C's own
    // commitment, which C broadcast on B's error and which lost to B's commitment spending the
    // same funding output.
    const results = net.nodes.flatMap((n) => n.broadcaster.results);
    expect(results.length).toBeGreaterThanOrEqual(6);
    const refused: string[] = [];
    for (const r of results) {
      if (r.accepted) {
        const onChain =
          net.chain.inMempool(r.txid) || net.chain.getConfirmations(r.txid) !== undefined;
        expect(onChain).toBe(true);
      } else if (r.reason === 'AlreadyInMempool') {
        expect(net.chain.getConfirmations(r.txid ?? '')).toBeGreaterThanOrEqual(1);
        refused.push(r.reason);
      } else {
        expect(r).toMatchObject({ reason: 'MempoolConflict' });
        expect(force).toContain(r.conflictingTxid);
        expect(c.broadcaster.results).toContain(r);
        refused.push(r.reason);
      }
    }
    expect(refused.sort()).toEqual(['AlreadyInMempool', 'MempoolConflict']);
  });
});
