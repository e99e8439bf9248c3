import { describe, expect, it } from 'vitest';
import { routeParamsForNode } from '../../src/channel-manager/manager-payments.js';
import { HTLC_FAIL_BACK_BUFFER } from '../../src/channel-manager/payments/payment-limits.js';
import { FailureCode } from '../../src/onion/failure-codes.js';
import { toHex } from '../../src/util/bytes.js';
import { createNetwork } from '../support/node-network.js';
import { ofType, paymentLine, pump } from '../support/payment-pump.js';

const id = (n: number): string => toHex(new Uint8Array(32).fill(n));

describe('payment failures, attributed to the hop that failed', () => {
  it('the forwarding hop: fee_insufficient from B, the channel avoided, then no route', () => {
    // B charges more than C's route hint says (the hint assumes the default 1000 msat).
    const { net, a, b, c } = paymentLine([{}, { forwardingFeeBaseMsat: 5000 }, {}]);
    const inv = c.manager.createBolt11Invoice({ amountMsat: 20_000_000n, description: 'fee' });
    const paymentId = a.manager.payInvoice(inv.invoice);
    const seen = pump(net);
    const failed = ofType(seen.get(a.nodeId)!, 'PaymentPathFailed');
    expect(failed[0]).toMatchObject({
      paymentId,
      failingNodeId: b.nodeId,
      failureCode: FailureCode.feeInsufficient,
      paymentFailedPermanently: false,
    });
    // The failure carries B's channel_update (type 258 first).
    expect(failed[0]!.failureData!.slice(16 + 4, 16 + 8)).toBe('0102');
    expect(ofType(seen.get(a.nodeId)!, 'PaymentFailed')).toEqual([
      expect.objectContaining({ paymentId, reason: 'RouteNotFound' }),
    ]);
    expect(ofType(seen.get(b.nodeId)!, 'HTLCHandlingFailed')).toHaveLength(1);
    expect(ofType(seen.get(c.nodeId)!, 'PaymentClaimable')).toHaveLength(0);
    // Nothing is left in flight anywhere: A's balance is whole again.
    expect(a.manager.listChannels()[0]!.balanceMsat).toBe(1_000_000_000n);
  });

  it('the forwarding hop: an unknown next channel is unknown_next_peer from B', () => {
    const { net, a, b, c } = paymentLine();
    const route = {
      paths: [
        {
          hops: [
            { pubkey: b.nodeId, shortChannelId: 1n, feeMsat: 1000n, cltvExpiryDelta: 72 },
            // No channel of B has this scid.
            {
              pubkey: c.nodeId,
              shortChannelId: 0x123456n,
              feeMsat: 1_000_000n,
              cltvExpiryDelta: 42,
            },
          ],
        },
      ],
    };
    a.manager.sendPaymentWithRoute(route, id(9), { paymentSecret: new Uint8Array(32) }, id(9));
    const seen = pump(net);
    expect(ofType(seen.get(a.nodeId)!, 'PaymentPathFailed')[0]).toMatchObject({
      failingNodeId: b.nodeId,
      failureCode: FailureCode.unknownNextPeer,
      shortChannelId: 0x123456n,
    });
    expect(ofType(seen.get(a.nodeId)!, 'PaymentFailed')).toEqual([
      expect.objectContaining({ paymentId: id(9), reason: 'RetriesExhausted' }),
    ]);
    expect(ofType(seen.get(b.nodeId)!, 'HTLCHandlingFailed')[0]!.failedNextDestination).toEqual({
      type: 'UnknownNextHop',
      requestedForwardScid: 0x123456n,
    });
  });

  it('the payee: failHtlcBackwards refuses a claimable payment', () => {
    const { net, a, c } = paymentLine();
    const inv = c.manager.createBolt11Invoice({ amountMsat: 7_000_000n, description: 'no' });
    a.manager.payInvoice(inv.invoice);
    const seen = pump(net, { hold: [c] });
    expect(ofType(seen.get(c.nodeId)!, 'PaymentClaimable')).toHaveLength(1);
    c.manager.failHtlcBackwards(inv.paymentHash);
    const after = pump(net);
    expect(ofType(after.get(a.nodeId)!, 'PaymentPathFailed')[0]).toMatchObject({
      failingNodeId: c.nodeId,
      failureCode: FailureCode.incorrectOrUnknownPaymentDetails,
      paymentFailedPermanently: true,
    });
    expect(ofType(after.get(a.nodeId)!, 'PaymentFailed')[0]!.reason).toBe('RecipientRejected');
  });

  it('HTLC expiry: a claimable payment left unclaimed fails back before its deadline', () => {
    const { net, a, b, c } = paymentLine();
    const inv = c.manager.createBolt11Invoice({ amountMsat: 3_000_000n, description: 'late' });
    a.manager.payInvoice(inv.invoice);
    const seen = pump(net, { hold: [c] });
    const claimable = ofType(seen.get(c.nodeId)!, 'PaymentClaimable')[0]!;
    const blocks = claimable.claimDeadline - net.chain.height;
    expect(blocks).toBeGreaterThan(0);
    net.connectBlocks(blocks - 1);
    expect(ofType(pump(net, { hold: [c] }).get(c.nodeId)!, 'HTLCHandlingFailed')).toHaveLength(0);
    net.connectBlocks(1);
    const after = pump(net);
    expect(ofType(after.get(c.nodeId)!, 'HTLCHandlingFailed')).toHaveLength(1);
    expect(ofType(after.get(a.nodeId)!, 'PaymentFailed')[0]!.reason).toBe('RecipientRejected');
    // Failed back in time: no channel went to chain.
    for (const n of [a, b, c]) expect(n.manager.listUsableChannels().length).toBeGreaterThan(0);
    // The deadline leaves the monitor its CLTV_CLAIM_BUFFER before the HTLC expires.
    expect(claimable.claimDeadline).toBeLessThanOrEqual(net.chain.height + HTLC_FAIL_BACK_BUFFER);
  });

  it('abandonPayment: no retry, PaymentFailed with UserAbandoned once the part fails', () => {
    const { net, a, c } = paymentLine();
    const inv = c.manager.createBolt11Invoice({ amountMsat: 2_000_000n, description: 'x' });
    const paymentId = a.manager.payInvoice(inv.invoice);
    const seen = pump(net, { hold: [c] });
    expect(ofType(seen.get(c.nodeId)!, 'PaymentClaimable')).toHaveLength(1);
    a.manager.abandonPayment(paymentId);
    expect(ofType(a.takeEvents(), 'PaymentFailed')).toHaveLength(0);
    c.manager.failHtlcBackwards(inv.paymentHash);
    const after = pump(net);
    expect(ofType(after.get(a.nodeId)!, 'PaymentFailed')).toEqual([
      expect.objectContaining({ paymentId, reason: 'UserAbandoned' }),
    ]);
    expect(a.manager.listRecentPayments()).toEqual([
      expect.objectContaining({ paymentId, status: 'Abandoned', inflightParts: 0 }),
    ]);
  });
});

describe('keysend', () => {
  it('pays a node that accepts keysend; a node that does not refuses it', () => {
    const net = createNetwork(2, [{}, { acceptKeysend: true }]);
    const [a, b] = [net.nodes[0]!, net.nodes[1]!];
    net.openChannel(a, b, 1_000_000n);
    pump(net);
    const hash = a.manager.sendSpontaneousPayment(
      undefined,
      id(1),
      routeParamsForNode(b.nodeId, 4_000_000n),
      { type: 'Attempts', count: 0 },
    );
    const seen = pump(net);
    expect(ofType(seen.get(b.nodeId)!, 'PaymentClaimed')[0]).toMatchObject({
      paymentHash: hash,
      purpose: { type: 'SpontaneousPayment' },
    });
    expect(ofType(seen.get(a.nodeId)!, 'PaymentSent')[0]!.paymentHash).toBe(hash);

    const net2 = createNetwork(2);
    const [x, y] = [net2.nodes[0]!, net2.nodes[1]!];
    net2.openChannel(x, y, 1_000_000n);
    pump(net2);
    x.manager.sendSpontaneousPayment(undefined, id(2), routeParamsForNode(y.nodeId, 1_000_000n), {
      type: 'Attempts',
      count: 0,
    });
    const refused = pump(net2);
    expect(ofType(refused.get(x.nodeId)!, 'PaymentFailed')[0]!.reason).toBe('RecipientRejected');
  });
});
