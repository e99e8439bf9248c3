import { describe, expect, it } from 'vitest';
import { FailureCode } from '../../src/onion/failure-codes.js';
import { routeParamsForInvoice } from '../../src/channel-manager/manager-payments.js';
import { decodeInvoice } from '../../src/invoice/invoice.js';
import { fromHex, toHex } from '../../src/util/bytes.js';
import { createNetwork, type NetNode } from '../support/node-network.js';
import { ofType, paymentLine, pump } from '../support/payment-pump.js';

/** A–B–C with B forwarding: channels A–B and B–C of `valueSat`. */
function balanceOf(n: NetNode, channelId: string): bigint {
  return n.manager.listChannels().find((ch) => ch.channelId === channelId)!.balanceMsat;
}

describe('payments over two hops (A–B–C, B forwards)', () => {
  it('A pays C’s invoice through B; B earns its fee; every side sees the right events', () => {
    const { net, a, b, c, ab, bc } = paymentLine();
    const inv = c.manager.createBolt11Invoice({
      amountMsat: 60_000_000n,
      description: 'two hops',
    });
    const id = a.manager.payInvoice(inv.invoice);
    const seen = pump(net);
    const sent = ofType(seen.get(a.nodeId)!, 'PaymentSent');
    expect(sent).toHaveLength(1);
    // B's default fee: 1000 msat base, 0 proportional.
    expect(sent[0]).toMatchObject({ paymentId: id, feePaidMsat: 1000n });
    expect(ofType(seen.get(b.nodeId)!, 'PaymentForwarded')).toEqual([
      expect.objectContaining({
        prevChannelId: ab,
        nextChannelId: bc,
        totalFeeEarnedMsat: 1000n,
        outboundAmountForwardedMsat: 60_000_000n,
      }),
    ]);
    expect(ofType(seen.get(c.nodeId)!, 'PaymentClaimed')[0]).toMatchObject({
      amountMsat: 60_000_000n,
    });
    expect(balanceOf(c, bc)).toBe(60_000_000n);
    expect(balanceOf(b, ab)).toBe(60_001_000n);
    expect(balanceOf(b, bc)).toBe(1_000_000_000n - 60_000_000n);
    expect(balanceOf(a, ab)).toBe(1_000_000_000n - 60_001_000n);
    expect(ofType(seen.get(a.nodeId)!, 'PaymentPathSuccessful')).toHaveLength(1);
  });

  it('a multi-path payment over two channels arrives in two parts and is claimed once', () => {
    const net = createNetwork(3);
    const [a, b, c] = [net.nodes[0]!, net.nodes[1]!, net.nodes[2]!];
    net.openChannel(a, b, 300_000n);
    net.openChannel(a, b, 300_000n);
    const bc = net.openChannel(b, c, 1_000_000n);
    pump(net);
    // More than the peer lets either A–B channel have in flight (10% of 300,000 sat each).
    const inv = c.manager.createBolt11Invoice({ amountMsat: 50_000_000n, description: 'mpp' });
    a.manager.payInvoice(inv.invoice);
    const seen = pump(net, { hold: [c] });
    const claimable = ofType(seen.get(c.nodeId)!, 'PaymentClaimable');
    expect(claimable).toHaveLength(1);
    expect(claimable[0]!.amountMsat).toBe(50_000_000n);
    expect(ofType(seen.get(b.nodeId)!, 'PendingHTLCsForwardable').length).toBeGreaterThan(0);
    c.manager.claimFunds((claimable[0]!.purpose as { paymentPreimage: string }).paymentPreimage);
    const after = pump(net);
    const claimed = ofType(after.get(c.nodeId)!, 'PaymentClaimed');
    expect(claimed).toHaveLength(1);
    expect(claimed[0]!.htlcs).toHaveLength(2);
    expect(ofType(after.get(a.nodeId)!, 'PaymentSent')).toHaveLength(1);
    expect(ofType(after.get(a.nodeId)!, 'PaymentPathSuccessful')).toHaveLength(2);
    expect(balanceOf(c, bc)).toBe(50_000_000n);
  });

  it('an unknown payment hash is refused by the payee and attributed to it', () => {
    const { net, a, c } = paymentLine();
    const inv = c.manager.createBolt11Invoice({ amountMsat: 5_000_000n, description: 'x' });
    // The invoice's secret with a hash the payee never issued.
    const bogusHash = toHex(new Uint8Array(32).fill(7));
    const invoice = decodeInvoice(inv.invoice);
    a.manager.sendPayment(
      bogusHash,
      { paymentSecret: fromHex(inv.paymentSecret, 32) },
      bogusHash,
      routeParamsForInvoice(invoice, 5_000_000n),
      { type: 'Attempts', count: 3 },
    );
    const seen = pump(net);
    const failedPath = ofType(seen.get(a.nodeId)!, 'PaymentPathFailed');
    expect(failedPath).toHaveLength(1);
    expect(failedPath[0]).toMatchObject({
      paymentFailedPermanently: true,
      failingNodeId: c.nodeId,
      failureCode: FailureCode.incorrectOrUnknownPaymentDetails,
      willRetry: false,
    });
    expect(ofType(seen.get(a.nodeId)!, 'PaymentFailed')).toEqual([
      expect.objectContaining({ paymentId: bogusHash, reason: 'RecipientRejected' }),
    ]);
    expect(ofType(seen.get(c.nodeId)!, 'HTLCHandlingFailed')).toEqual([
      expect.objectContaining({
        failedNextDestination: { type: 'FailedPayment', paymentHash: bogusHash },
      }),
    ]);
  });
});
