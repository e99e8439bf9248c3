import { describe, expect, it } from 'vitest';
import { computeTxid } from '../../src/chain/txid.js';
import { fromHex } from '../../src/util/bytes.js';
import { parseTransaction, serializeTransaction } from '../../src/tx/transaction.js';
import { createNetwork } from '../support/node-network.js';

const code = (c: string): unknown => expect.objectContaining({ code: c });

describe('ChannelManager lifecycle', () => {
  it('opens a static_remotekey channel', () => {
    const net = createNetwork(2, [{ negotiateAnchorsZeroFeeHtlcTx: false }]);
    const [a, b] = [net.nodes[0]!, net.nodes[1]!];
    net.openChannel(a, b, 500_000n);
    expect(a.manager.listChannels()[0]!.channelType).toBe('static_remotekey');
    expect(b.manager.listUsableChannels()).toHaveLength(1);
  });

  it('refuses misuse with typed errors', () => {
    const net = createNetwork(2);
    const [a, b] = [net.nodes[0]!, net.nodes[1]!];
    const unknownNode = '02' + '11'.repeat(32);
    expect(() => a.manager.createChannel(b.nodeId, 10n, 0n, 1n)).toThrow(code('APIMisuse'));
    expect(() => a.manager.createChannel(b.nodeId, 1n << 24n, 0n, 1n)).toThrow(code('APIMisuse'));
    expect(() => a.manager.createChannel(b.nodeId, 100_000n, 200_000_000n, 1n)).toThrow(
      code('APIMisuse'),
    );
    expect(() => a.manager.createChannel('zz', 100_000n, 0n, 1n)).toThrow(code('APIMisuse'));
    expect(() => a.manager.createChannel(unknownNode, 100_000n, 0n, 1n)).toThrow(
      code('ChannelUnavailable'),
    );
    expect(() => a.manager.closeChannel('00'.repeat(32), b.nodeId)).toThrow(
      code('ChannelUnavailable'),
    );
    const temp = a.manager.createChannel(b.nodeId, 100_000n, 0n, 1n);
    net.deliverAll();
    const ready = a.takeEvents().find((e) => e.type === 'FundingGenerationReady');
    if (ready?.type !== 'FundingGenerationReady') throw new Error('no event');
    // A transaction without the funding output.
    const other = net.chain.wallet.createFundingTx([
      { scriptPubKey: ready.outputScript.slice(0, 2).fill(0x51), valueSat: 100_000n },
    ]);
    expect(() => a.manager.fundingTransactionGenerated(temp, b.nodeId, other)).toThrow(
      code('APIMisuse'),
    );
    // The right output with the wrong value.
    const wrong = net.chain.wallet.createFundingTx([
      { scriptPubKey: ready.outputScript, valueSat: 99_999n },
    ]);
    expect(() => a.manager.fundingTransactionGenerated(temp, b.nodeId, wrong)).toThrow(
      code('APIMisuse'),
    );
    // A non-segwit input (the witness stripped).
    const good = net.chain.wallet.createFundingTx([
      { scriptPubKey: ready.outputScript, valueSat: 100_000n },
    ]);
    const legacy = stripWitness(good);
    expect(() => a.manager.fundingTransactionGenerated(temp, b.nodeId, legacy)).toThrow(
      code('APIMisuse'),
    );
    expect(() => a.manager.fundingTransactionGenerated(temp, b.nodeId, Uint8Array.of(1))).toThrow(
      code('APIMisuse'),
    );
    a.manager.fundingTransactionGenerated(temp, b.nodeId, good);
    net.deliverAll();
    expect(a.takeEvents().map((e) => e.type)).toContain('ChannelPending');
    expect(net.chain.inMempool(computeTxid(good))).toBe(true);
  });

  it('manual acceptance: accept, reject, and zero-conf for a trusted peer', () => {
    const net = createNetwork(3, [{}, { manuallyAcceptInboundChannels: true }]);
    const [a, b] = [net.nodes[0]!, net.nodes[1]!];
    const t1 = a.manager.createChannel(b.nodeId, 200_000n, 0n, 1n);
    net.deliverAll();
    const req = b.takeEvents().find((e) => e.type === 'OpenChannelRequest');
    expect(req).toMatchObject({ temporaryChannelId: t1, fundingSat: 200_000n });
    b.manager.rejectInboundChannel(t1, a.nodeId);
    net.deliverAll();
    expect(a.takeEvents().find((e) => e.type === 'ChannelClosed')).toBeDefined();
    expect(a.manager.listChannels()).toHaveLength(0);

    const t2 = a.manager.createChannel(b.nodeId, 200_000n, 0n, 2n);
    net.deliverAll();
    b.takeEvents();
    b.manager.acceptInboundChannelFromTrustedPeer0conf(t2, a.nodeId, 7n);
    net.deliverAll();
    const ready = a.takeEvents().find((e) => e.type === 'FundingGenerationReady');
    if (ready?.type !== 'FundingGenerationReady') throw new Error('no event');
    const tx = net.chain.wallet.createFundingTx([
      { scriptPubKey: ready.outputScript, valueSat: ready.channelValueSat },
    ]);
    a.manager.fundingTransactionGenerated(t2, b.nodeId, tx);
    net.deliverAll();
    // Zero-conf: b sends channel_ready without waiting for the chain.
    expect(b.takeEvents().map((e) => e.type)).toEqual(expect.arrayContaining(['ChannelPending']));
    expect(b.manager.listChannels()[0]!.confirmationsRequired).toBe(0);
    expect(b.manager.listChannels()[0]!.userChannelId).toBe(7n);
  });

  it('cooperative close started from each side confirms on the test chain', () => {
    for (const starter of [0, 1]) {
      const net = createNetwork(2);
      const [a, b] = [net.nodes[0]!, net.nodes[1]!];
      const channelId = net.openChannel(a, b, 300_000n, 50_000_000n);
      a.takeEvents();
      b.takeEvents();
      const closer = starter === 0 ? a : b;
      const peer = starter === 0 ? b : a;
      closer.manager.closeChannel(channelId, peer.nodeId);
      net.deliverAll();
      const mempool = net.chain.mempoolTxids();
      expect(mempool.length).toBeGreaterThan(0);
      net.connectBlocks(1);
      for (const n of [a, b]) {
        const closed = n.takeEvents().find((e) => e.type === 'ChannelClosed');
        expect(closed).toMatchObject({ reason: { type: 'CooperativeClosure' } });
        expect(n.manager.listChannels()).toHaveLength(0);
      }
      for (const txid of mempool) expect(net.chain.getConfirmations(txid)).toBe(1);
    }
  });

  it('force close from each side puts the commitment on chain; later messages get "awaiting unilateral close"', () => {
    for (const starter of [0, 1]) {
      const net = createNetwork(2);
      const [a, b] = [net.nodes[0]!, net.nodes[1]!];
      const channelId = net.openChannel(a, b, 300_000n, 50_000_000n);
      a.takeEvents();
      b.takeEvents();
      const closer = starter === 0 ? a : b;
      const peer = starter === 0 ? b : a;
      closer.manager.forceCloseBroadcastingLatestTxn(channelId, peer.nodeId);
      expect(closer.takeEvents().find((e) => e.type === 'ChannelClosed')).toMatchObject({
        reason: { type: 'HolderForceClosed' },
      });
      net.deliverAll();
      expect(peer.takeEvents().find((e) => e.type === 'ChannelClosed')).toMatchObject({
        reason: { type: 'CounterpartyForceClosed' },
      });
      const broadcast = net.chain.mempoolTxids();
      expect(broadcast.length).toBeGreaterThan(0);
      net.connectBlocks(1);
      for (const txid of broadcast) expect(net.chain.getConfirmations(txid)).toBe(1);
      // Any later channel message is answered with the awaiting-unilateral-close error.
      closer.manager.handleChannelMessage(peer.nodeId, {
        type: 'update_fee',
        channelId: fromHex(channelId, 32),
        feerateSatPerKw: 1000,
      });
      const [reply] = closer.manager.getAndClearPendingMessages();
      expect(reply?.message.type).toBe('error');
      const text = String.fromCharCode(...(reply!.message as { data: Uint8Array }).data);
      expect(text).toBe('awaiting unilateral close');
    }
  });
});

/** The same transaction without its witnesses (as if its inputs were not segwit). */
function stripWitness(tx: Uint8Array): Uint8Array {
  const t = parseTransaction(tx);
  return serializeTransaction({ ...t, inputs: t.inputs.map((i) => ({ ...i, witness: [] })) });
}
