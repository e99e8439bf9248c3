import { describe, expect, it } from 'vitest';
import { createNetwork } from '../support/node-network.js';

describe('ChannelManager', () => {
  it('opens an anchors channel through FundingGenerationReady, funding and ChannelReady', () => {
    const net = createNetwork(2);
    const [a, b] = [net.nodes[0]!, net.nodes[1]!];
    const channelId = net.openChannel(a, b, 1_000_000n, 10_000_000n);
    expect(a.takeEvents().map((e) => e.type)).toContain('ChannelReady');
    expect(b.takeEvents().map((e) => e.type)).toContain('ChannelReady');
    const [details] = a.manager.listChannels();
    expect(details).toMatchObject({
      channelId,
      counterpartyNodeId: b.nodeId,
      channelValueSat: 1_000_000n,
      isOutbound: true,
      isChannelReady: true,
      isUsable: true,
      confirmationsRequired: 6,
      channelType: 'anchors_zero_fee_htlc_tx',
      userChannelId: 42n,
    });
    expect(details!.shortChannelId).toBeDefined();
    expect(details!.confirmations).toBe(6);
    expect(b.manager.listUsableChannels()).toHaveLength(1);
    expect(b.manager.listChannels()[0]!.balanceMsat).toBe(10_000_000n);
  });
});
