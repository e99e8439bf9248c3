import { describe, expect, it } from 'vitest';
import { routeParamsForInvoice } from '../../src/channel-manager/manager-payments.js';
import { decodeInvoice } from '../../src/invoice/invoice.js';
import { FailureCode } from '../../src/onion/failure-codes.js';
import { constructPaymentOnion } from '../../src/onion/payment-onion.js';
import { nobleBackend } from '../../src/crypto/noble.js';
import { fromHex, toHex } from '../../src/util/bytes.js';
import { createNetwork, type Network, type NetNode } from '../support/node-network.js';
import { ofType, pump } from '../support/payment-pump.js';

function pair(configs: Parameters<typeof createNetwork>[1] = []): {
  net: Network;
  a: NetNode;
  b: NetNode;
  channelId: string;
} {
  const net = createNetwork(2, configs);
  const [a, b] = [net.nodes[0]!, net.nodes[1]!];
  const channelId = net.openChannel(a, b, 1_000_000n);
  pump(net);
  return { net, a, b, channelId };
}

describe('receiving: the final node’s checks (BOLT 4)', () => {
  it('an onion that does not decrypt gets update_fail_malformed_htlc with a BADONION code', () => {
    const { net, a, b, channelId } = pair();
    a.manager.internalSendHtlc(channelId, {
      amountMsat: 1_000_000n,
      paymentHash: new Uint8Array(32).fill(1),
      cltvExpiry: net.chain.height + 100,
      onionRoutingPacket: Uint8Array.of(0, ...new Uint8Array(1365).fill(2)),
    });
    const seen = pump(net);
    expect(ofType(seen.get(b.nodeId)!, 'HTLCHandlingFailed')[0]!.failedNextDestination).toEqual({
      type: 'InvalidOnion',
    });
    const failed = a.manager.internalTakeHtlcEvents().find((e) => e.type === 'HtlcFailed');
    if (failed?.type !== 'HtlcFailed') throw new Error('no HtlcFailed');
    expect([
      FailureCode.invalidOnionHmac,
      FailureCode.invalidOnionKey,
      FailureCode.invalidOnionVersion,
    ]).toContain(failed.malformed?.failureCode);
    expect(a.manager.listChannels()[0]!.balanceMsat).toBe(1_000_000_000n);
  });

  it('an underpayment of an invoice is refused with incorrect_or_unknown_payment_details', () => {
    const { net, a, b } = pair();
    const inv = b.manager.createBolt11Invoice({ amountMsat: 5_000_000n, description: 'x' });
    a.manager.sendPayment(
      inv.paymentHash,
      { paymentSecret: fromHex(inv.paymentSecret, 32) },
      inv.paymentHash,
      routeParamsForInvoice(decodeInvoice(inv.invoice), 4_999_999n),
      { type: 'Attempts', count: 2 },
    );
    const seen = pump(net);
    expect(ofType(seen.get(a.nodeId)!, 'PaymentPathFailed')[0]).toMatchObject({
      failureCode: FailureCode.incorrectOrUnknownPaymentDetails,
      failingNodeId: b.nodeId,
    });
    expect(ofType(seen.get(b.nodeId)!, 'PaymentClaimable')).toHaveLength(0);
  });

  it('createInboundPaymentForHash: the host keeps the preimage and claims with it', () => {
    const { net, a, b } = pair();
    const preimage = new Uint8Array(32).fill(0x42);
    const paymentHash = toHex(nobleBackend.sha256(preimage));
    const inv = b.manager.createBolt11Invoice({
      amountMsat: 3_000_000n,
      description: 'host preimage',
      paymentHash,
    });
    a.manager.payInvoice(inv.invoice);
    const seen = pump(net, { hold: [b] });
    const claimable = ofType(seen.get(b.nodeId)!, 'PaymentClaimable')[0]!;
    expect(claimable.purpose).toEqual({
      type: 'Bolt11InvoicePayment',
      paymentPreimage: undefined,
      paymentSecret: inv.paymentSecret,
    });
    b.manager.claimFunds(toHex(preimage));
    const after = pump(net);
    expect(ofType(after.get(a.nodeId)!, 'PaymentSent')[0]!.paymentPreimage).toBe(toHex(preimage));
  });

  it('an incomplete multi-part payment times out with mpp_timeout after 3 timer ticks', () => {
    const { net, a, b, channelId } = pair();
    const inv = b.manager.createBolt11Invoice({ amountMsat: 8_000_000n, description: 'mpp' });
    const cltv = net.chain.height + 100;
    // One part of 3,000,000 msat of a payment whose total is the invoice's 8,000,000.
    const onion = constructPaymentOnion(
      [
        {
          nodeId: fromHex(b.nodeId, 33),
          payload: {
            amtToForwardMsat: 3_000_000n,
            outgoingCltvValue: cltv,
            paymentData: { paymentSecret: fromHex(inv.paymentSecret, 32), totalMsat: 8_000_000n },
          },
        },
      ],
      new Uint8Array(32).fill(9),
      fromHex(inv.paymentHash, 32),
    );
    a.manager.internalSendHtlc(channelId, {
      amountMsat: 3_000_000n,
      paymentHash: fromHex(inv.paymentHash, 32),
      cltvExpiry: cltv,
      onionRoutingPacket: onion.packet,
    });
    const seen = pump(net);
    expect(ofType(seen.get(b.nodeId)!, 'PaymentClaimable')).toHaveLength(0);
    b.manager.timerTickOccurred();
    b.manager.timerTickOccurred();
    expect(ofType(pump(net).get(b.nodeId)!, 'HTLCHandlingFailed')).toHaveLength(0);
    b.manager.timerTickOccurred();
    const after = pump(net);
    expect(ofType(after.get(b.nodeId)!, 'HTLCHandlingFailed')).toHaveLength(1);
    expect(a.manager.internalTakeHtlcEvents().map((e) => e.type)).toContain('HtlcFailed');
    expect(a.manager.listChannels()[0]!.balanceMsat).toBe(1_000_000_000n);
  });
});

describe('sending: retries on another path', () => {
  it('a path failing at one forwarder is retried through the other, and succeeds', () => {
    // A has channels to B1 and B2, both have channels to C. B1 charges more than C's hint says.
    const net = createNetwork(4, [{}, { forwardingFeeBaseMsat: 9000 }, {}, {}]);
    const [a, b1, b2, c] = [net.nodes[0]!, net.nodes[1]!, net.nodes[2]!, net.nodes[3]!];
    net.openChannel(a, b1, 1_000_000n);
    net.openChannel(a, b2, 1_000_000n);
    net.openChannel(b1, c, 1_000_000n);
    net.openChannel(b2, c, 1_000_000n);
    pump(net);
    const inv = c.manager.createBolt11Invoice({ amountMsat: 10_000_000n, description: 'retry' });
    expect(decodeInvoice(inv.invoice).routeHints).toHaveLength(2);
    const paymentId = a.manager.payInvoice(inv.invoice);
    const seen = pump(net);
    const events = seen.get(a.nodeId)!;
    const failedPaths = ofType(events, 'PaymentPathFailed');
    const sent = ofType(events, 'PaymentSent');
    expect(sent).toEqual([expect.objectContaining({ paymentId, feePaidMsat: 1000n })]);
    // Either B2 was tried first and it just worked, or B1 failed once and B2 carried it.
    for (const f of failedPaths) {
      expect(f).toMatchObject({
        failingNodeId: b1.nodeId,
        failureCode: FailureCode.feeInsufficient,
        willRetry: true,
      });
    }
    expect(ofType(seen.get(b2.nodeId)!, 'PaymentForwarded')).toHaveLength(1);
  });
});
