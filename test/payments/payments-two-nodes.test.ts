import { describe, expect, it } from 'vitest';
import type { Event } from '../../src/events/event.js';
import { createPipedNetwork, type PipedNetwork, type PipedNode } from '../support/piped-network.js';

function ofType<T extends Event['type']>(
  events: readonly Event[],
  type: T,
): Extract<Event, { type: T }>[] {
  return events.filter((e): e is Extract<Event, { type: T }> => e.type === type);
}

/** Runs the receiver's forwards and returns its events. */
function forward(net: PipedNetwork, n: PipedNode): Event[] {
  const events = n.takeEvents();
  if (ofType(events, 'PendingHTLCsForwardable').length > 0) {
    n.manager.processPendingHtlcForwards();
    net.deliverAll();
    return [...events, ...n.takeEvents()];
  }
  return events;
}

describe('payments between two boltkit nodes', () => {
  it('A pays B’s invoice: PaymentClaimable, claimFunds, PaymentClaimed, PaymentSent', () => {
    const net = createPipedNetwork(['a', 'b']);
    const [a, b] = [net.nodes[0]!, net.nodes[1]!];
    net.connect(a, b);
    net.openChannel(a, b, 1_000_000n);
    const created = b.manager.createBolt11Invoice({
      amountMsat: 50_000_000n,
      description: 'coffee',
    });
    const paymentId = a.manager.payInvoice(created.invoice);
    expect(paymentId).toBe(created.paymentHash);
    net.deliverAll();
    const bEvents = forward(net, b);
    const claimable = ofType(bEvents, 'PaymentClaimable');
    expect(claimable).toHaveLength(1);
    expect(claimable[0]!.amountMsat).toBe(50_000_000n);
    const purpose = claimable[0]!.purpose;
    expect(purpose.type).toBe('Bolt11InvoicePayment');
    if (purpose.type !== 'Bolt11InvoicePayment') throw new Error('purpose');
    expect(purpose.paymentPreimage).toBeDefined();
    b.manager.claimFunds(purpose.paymentPreimage!);
    net.deliverAll();
    expect(ofType(b.takeEvents(), 'PaymentClaimed')[0]).toMatchObject({
      paymentHash: created.paymentHash,
      amountMsat: 50_000_000n,
    });
    const sent = ofType(a.takeEvents(), 'PaymentSent');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      paymentId,
      paymentPreimage: purpose.paymentPreimage,
      feePaidMsat: 0n,
    });
    expect(b.manager.listChannels()[0]!.balanceMsat).toBe(50_000_000n);
    expect(a.manager.listChannels()[0]!.balanceMsat).toBe(1_000_000_000n - 50_000_000n);
    // Paying the same invoice again is refused: the id is still known.
    expect(() => a.manager.payInvoice(created.invoice)).toThrow(
      expect.objectContaining({ code: 'DuplicatePayment' }),
    );
  });
});

describe('the invoice clock', () => {
  it('refuses to create an inbound payment before it knows the time, and works once a block is seen', () => {
    const net = createPipedNetwork(['a']);
    const a = net.nodes[0]!;
    // No block seen since the manager started and no host clock.
    expect(() => a.manager.createInboundPayment(1000n, 3600)).toThrow(
      expect.objectContaining({ code: 'APIMisuse' }),
    );
    net.connectBlocks(1);
    expect(a.manager.createInboundPayment(1000n, 3600).paymentHash).toMatch(/^[0-9a-f]{64}$/);
  });
});
