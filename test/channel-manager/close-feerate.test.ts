import { Transaction } from 'bitcoinjs-lib';
import { describe, expect, it } from 'vitest';
import { createNetwork } from '../support/node-network.js';

describe('ChannelManager.closeChannel with a target feerate', () => {
  it('the closing transaction pays about the target feerate', () => {
    const net = createNetwork(2);
    const [a, b] = [net.nodes[0]!, net.nodes[1]!];
    const channelId = net.openChannel(a, b, 300_000n);
    const target = 5000;
    expect(() => a.manager.closeChannel(channelId, b.nodeId, 2 ** 32)).toThrow(
      expect.objectContaining({ code: 'APIMisuse' }),
    );
    a.manager.closeChannel(channelId, b.nodeId, target);
    net.deliverAll();
    const [txid] = net.chain.mempoolTxids();
    const tx = Transaction.fromBuffer(Buffer.from(net.chain.getTx(txid!)!));
    const paid = 300_000 - tx.outs.reduce((s, o) => s + Number(o.value), 0);
    const feerate = (paid * 1000) / tx.weight();
    expect(feerate).toBeGreaterThanOrEqual(target * 0.98);
    expect(feerate).toBeLessThanOrEqual(target * 1.02);
  });
});
