// `Confirm.getRelevantTxids`: a funding transaction is listed while a reorganization of it still
// matters, i.e. until it is ANTI_REORG_DELAY (6) confirmations deep and channel_ready was sent;
// a larger minimum_depth keeps it listed until channel_ready. The answer survives a restart.
import { describe, expect, it } from 'vitest';
import { ANTI_REORG_DELAY } from '../../src/chain/channel-monitor.js';
import { createNetwork, type NetNode, type Network } from '../support/node-network.js';

/** `a` opens to `b`; the funding is broadcast, not mined. Returns the funding txid. */
function fundedChannel(net: Network, a: NetNode, b: NetNode): string {
  const temp = a.manager.createChannel(b.nodeId, 300_000n, 0n, 7n);
  net.deliverAll();
  const ready = a.takeEvents().find((e) => e.type === 'FundingGenerationReady');
  if (ready?.type !== 'FundingGenerationReady') throw new Error('no FundingGenerationReady');
  const tx = net.chain.wallet.createFundingTx([
    { scriptPubKey: ready.outputScript, valueSat: ready.channelValueSat },
  ]);
  a.manager.fundingTransactionGenerated(temp, b.nodeId, tx);
  net.deliverAll();
  const pending = a.takeEvents().find((e) => e.type === 'ChannelPending');
  if (pending?.type !== 'ChannelPending') throw new Error('no ChannelPending');
  b.takeEvents();
  return pending.fundingTxo.txid;
}

const txids = (n: NetNode): string[] => n.manager.getRelevantTxids().map((r) => r.txid);

describe('ChannelManager getRelevantTxids', () => {
  it('lists a funding transaction until it is 6 deep and channel_ready went out', () => {
    expect(ANTI_REORG_DELAY).toBe(6);
    const net = createNetwork(2);
    const [a, b] = [net.nodes[0]!, net.nodes[1]!];
    const txid = fundedChannel(net, a, b);
    // In the mempool: nothing to watch yet.
    expect(txids(a)).toEqual([]);
    net.connectBlocks(1);
    const height = net.chain.height;
    for (const n of [a, b]) {
      expect(n.manager.getRelevantTxids()).toEqual([
        { txid, height, blockHash: net.chain.getBlockHash(height) },
      ]);
    }
    for (let confirmations = 2; confirmations < ANTI_REORG_DELAY; confirmations++) {
      net.connectBlocks(1);
      net.deliverAll();
      for (const n of [a, b]) expect(txids(n), `${confirmations} confirmations`).toEqual([txid]);
    }
    // A restart keeps the confirmation and its block.
    a.restart();
    expect(txids(a)).toEqual([txid]);
    net.disconnect(a, b);
    net.connect(a, b);
    net.connect(b, a);
    net.deliverAll();
    net.connectBlocks(1);
    net.deliverAll();
    for (const n of [a, b]) {
      expect(n.manager.listUsableChannels()).toHaveLength(1);
      expect(txids(n)).toEqual([]);
    }
    a.restart();
    expect(txids(a)).toEqual([]);
  });

  it('a minimum_depth above 6 keeps it listed until channel_ready', () => {
    // b accepts with minimum_depth 8; a sends channel_ready at b's depth too.
    const net = createNetwork(2, [{}, { minimumDepth: 8 }]);
    const [a, b] = [net.nodes[0]!, net.nodes[1]!];
    const txid = fundedChannel(net, a, b);
    net.connectBlocks(7);
    net.deliverAll();
    for (const n of [a, b]) {
      expect(n.manager.listChannels()[0]!.confirmations).toBe(7);
      expect(n.manager.listUsableChannels()).toEqual([]);
      expect(txids(n)).toEqual([txid]);
    }
    net.connectBlocks(1);
    net.deliverAll();
    for (const n of [a, b]) {
      expect(n.manager.listUsableChannels()).toHaveLength(1);
      expect(txids(n)).toEqual([]);
    }
  });

  it('a zero-conf channel, ready before any confirmation, is listed until 6 deep', () => {
    const net = createNetwork(2, [{}, { manuallyAcceptInboundChannels: true }]);
    const [a, b] = [net.nodes[0]!, net.nodes[1]!];
    const temp = a.manager.createChannel(b.nodeId, 200_000n, 0n, 2n);
    net.deliverAll();
    b.takeEvents();
    b.manager.acceptInboundChannelFromTrustedPeer0conf(temp, a.nodeId, 7n);
    net.deliverAll();
    const ready = a.takeEvents().find((e) => e.type === 'FundingGenerationReady');
    if (ready?.type !== 'FundingGenerationReady') throw new Error('no FundingGenerationReady');
    const tx = net.chain.wallet.createFundingTx([
      { scriptPubKey: ready.outputScript, valueSat: ready.channelValueSat },
    ]);
    a.manager.fundingTransactionGenerated(temp, b.nodeId, tx);
    net.deliverAll();
    for (const n of [a, b]) {
      expect(n.manager.listUsableChannels()).toHaveLength(1);
      expect(txids(n)).toEqual([]);
    }
    net.connectBlocks(1);
    const txid = txids(a)[0];
    expect(txid).toBeDefined();
    for (let confirmations = 2; confirmations <= ANTI_REORG_DELAY; confirmations++) {
      for (const n of [a, b])
        expect(txids(n), `${confirmations - 1} confirmations`).toEqual([txid]);
      net.connectBlocks(1);
    }
    for (const n of [a, b]) expect(txids(n)).toEqual([]);
  });
});
