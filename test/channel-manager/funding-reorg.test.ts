// The funding transaction reorganized out of the chain: before channel_ready the channel waits
// for the confirmations again; after it the channel is failed. An inbound channel whose funding
// never confirms is given up after FUNDING_CONF_DEADLINE_BLOCKS.
import { describe, expect, it } from 'vitest';
import { FUNDING_CONF_DEADLINE_BLOCKS } from '../../src/channel-manager/manager-chain.js';
import { createNetwork, type NetNode, type Network } from '../support/node-network.js';

/** `a` opens a funded channel to `b` whose funding is in the mempool; returns its id. */
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
  return pending.channelId;
}

const types = (n: NetNode): string[] => n.takeEvents().map((e) => e.type);

describe('ChannelManager funding reorganization', () => {
  it('before channel_ready, the depth is counted again from the new confirmation', () => {
    const net = createNetwork(2);
    const [a, b] = [net.nodes[0]!, net.nodes[1]!];
    const channelId = fundedChannel(net, a, b);
    net.connectBlocks(4);
    net.deliverAll();
    expect(a.manager.listChannels()[0]!.confirmations).toBe(4);
    // The four blocks are replaced by five empty ones: the funding is back in the mempool.
    net.chain.reorg(4);
    net.deliverAll();
    for (const n of [a, b]) {
      expect(types(n)).toEqual([]);
      const details = n.manager.listChannels()[0]!;
      expect(details).toMatchObject({ channelId, confirmations: undefined, isChannelReady: false });
      expect(details.shortChannelId).toBeUndefined();
      expect(n.manager.getRelevantTxids()).toEqual([]);
    }
    // Confirmed again: six blocks from there, not from the first confirmation.
    const fundingHeight = net.chain.height + 1;
    net.connectBlocks(5);
    net.deliverAll();
    expect(types(a)).toEqual([]);
    expect(a.manager.listChannels()[0]!.confirmations).toBe(5);
    expect(a.manager.getRelevantTxids()).toMatchObject([{ height: fundingHeight }]);
    net.connectBlocks(1);
    net.deliverAll();
    expect(types(a)).toEqual(['ChannelReady']);
    expect(types(b)).toEqual(['ChannelReady']);
    const scid = a.manager.listUsableChannels()[0]!.shortChannelId!;
    expect(Number(scid >> 40n)).toBe(fundingHeight);
    // Six confirmations and channel_ready sent: no longer listed (see relevant-txids.test.ts).
    expect(a.manager.getRelevantTxids()).toEqual([]);
  });

  it('through Confirm: transactionUnconfirmed before channel_ready keeps the channel', () => {
    const net = createNetwork(2);
    const [a, b] = [net.nodes[0]!, net.nodes[1]!];
    const channelId = fundedChannel(net, a, b);
    net.connectBlocks(2);
    const [relevant] = a.manager.getRelevantTxids();
    expect(relevant).toBeDefined();
    a.manager.transactionUnconfirmed(relevant!.txid);
    expect(types(a)).toEqual([]);
    expect(a.manager.listChannels()[0]).toMatchObject({ channelId, confirmations: undefined });
    expect(a.manager.getRelevantTxids()).toEqual([]);
    // Reported confirmed again (as a Confirm host would), the depth counts from there.
    const height = net.chain.height - 1;
    const block = net.chain.getBlock(height)!;
    a.manager.transactionsConfirmed(block.header, [[1, block.transactions[1]!]], height);
    expect(a.manager.listChannels()[0]!.confirmations).toBe(2);
    expect(a.manager.getRelevantTxids()).toMatchObject([{ txid: relevant!.txid, height }]);
  });

  it('after channel_ready, the funding reorganized out fails the channel', () => {
    const net = createNetwork(2);
    const [a, b] = [net.nodes[0]!, net.nodes[1]!];
    const channelId = net.openChannel(a, b, 300_000n);
    a.takeEvents();
    b.takeEvents();
    net.chain.reorg(6);
    for (const n of [a, b]) {
      expect(n.takeEvents().find((e) => e.type === 'ChannelClosed')).toMatchObject({
        channelId,
        reason: { type: 'ProcessingError', err: 'funding transaction reorganized out' },
      });
      expect(n.manager.listChannels()).toEqual([]);
    }
  });

  it('an inbound channel whose funding never confirms is closed after 2016 blocks', () => {
    const net = createNetwork(2);
    const [a, b] = [net.nodes[0]!, net.nodes[1]!];
    const createdAt = net.chain.height;
    const channelId = fundedChannel(net, a, b);
    // The funding stays in the mempool; blocks come without it.
    const mine = (n: number): void => {
      net.chain.mineBlocks(n, [], { includeMempool: false });
    };
    mine(1000);
    // The creation height survives a restart.
    b.restart();
    net.disconnect(a, b);
    net.connect(a, b);
    net.connect(b, a);
    net.deliverAll();
    mine(createdAt + FUNDING_CONF_DEADLINE_BLOCKS - 1 - net.chain.height);
    expect(types(b)).toEqual([]);
    mine(1);
    expect(b.takeEvents().find((e) => e.type === 'ChannelClosed')).toMatchObject({
      channelId,
      reason: { type: 'FundingTimedOut' },
    });
    expect(b.manager.listChannels()).toEqual([]);
    // The funder keeps waiting for its own transaction until the peer's error arrives.
    expect(types(a)).toEqual([]);
    expect(a.manager.listChannels()).toHaveLength(1);
  });
});
