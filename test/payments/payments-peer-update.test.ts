import { describe, expect, it } from 'vitest';
import type { Event } from '../../src/events/event.js';
import { decodeInvoice } from '../../src/invoice/invoice.js';
import { createPipedNetwork, type PipedNetwork } from '../support/piped-network.js';

/** Delivers, forwards and claims until quiet; returns every node's events. */
function settle(net: PipedNetwork): Event[][] {
  const seen: Event[][] = net.nodes.map(() => []);
  for (let round = 0; round < 50; round++) {
    net.deliverAll();
    let active = false;
    net.nodes.forEach((n, i) => {
      const events = n.takeEvents();
      if (events.length === 0) return;
      active = true;
      seen[i]!.push(...events);
      for (const e of events) {
        if (e.type === 'PendingHTLCsForwardable') n.manager.processPendingHtlcForwards();
        if (e.type === 'PaymentClaimable' && e.purpose.paymentPreimage !== undefined) {
          n.manager.claimFunds(e.purpose.paymentPreimage);
        }
      }
    });
    if (!active) return seen;
  }
  throw new Error('settle: events keep coming');
}

describe('channel_update between the peers of a private channel', () => {
  it('the payee’s route hint carries the forwarding peer’s own fees, and the payment pays them', () => {
    const net = createPipedNetwork(
      ['a', 'b', 'c'],
      [{}, { forwardingFeeBaseMsat: 5000, cltvExpiryDelta: 80 }, {}],
    );
    const [a, b, c] = [net.nodes[0]!, net.nodes[1]!, net.nodes[2]!];
    net.connect(a, b);
    net.connect(b, c);
    net.openChannel(a, b, 500_000n);
    net.openChannel(b, c, 500_000n);
    settle(net);
    const inv = c.manager.createBolt11Invoice({ amountMsat: 10_000_000n, description: 'hint' });
    const hints = decodeInvoice(inv.invoice).routeHints;
    expect(hints).toHaveLength(1);
    expect(hints[0]![0]).toMatchObject({
      pubkey: b.nodeId,
      feeBaseMsat: 5000,
      feeProportionalMillionths: 0,
      cltvExpiryDelta: 80,
    });
    a.manager.payInvoice(inv.invoice);
    const seen = settle(net);
    expect(seen[0]!.find((e) => e.type === 'PaymentSent')).toMatchObject({ feePaidMsat: 5000n });
    expect(seen[1]!.find((e) => e.type === 'PaymentForwarded')).toMatchObject({
      totalFeeEarnedMsat: 5000n,
    });
  });
});
