import { describe, expect, it } from 'vitest';
import { createNetwork } from '../support/node-network.js';

describe('ChannelManager timer', () => {
  it('timerTickOccurred sends update_fee as opener once the estimate moved enough', () => {
    const net = createNetwork(2);
    const [a, b] = [net.nodes[0]!, net.nodes[1]!];
    const channelId = net.openChannel(a, b, 400_000n);
    a.manager.timerTickOccurred();
    expect(a.manager.getAndClearPendingMessages()).toEqual([]);
    a.feeEstimator.feerates.AnchorChannelFee = 5000;
    b.feeEstimator.feerates.AnchorChannelFee = 5000;
    a.manager.timerTickOccurred();
    net.deliverAll();
    for (const n of [a, b]) {
      expect(
        n.manager.internalChannel(channelId).state.holderCommitment!.spec.feerateSatPerKw,
      ).toBe(5000);
    }
  });
});
