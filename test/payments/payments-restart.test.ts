import { describe, expect, it } from 'vitest';
import type { Network, NetNode } from '../support/node-network.js';
import { ofType, paymentLine, pump } from '../support/payment-pump.js';

/** Restarts `n` from its manager as stored now, then reconnects it to every other node. */
function restart(net: Network, n: NetNode): void {
  const bytes = n.manager.serialize();
  n.restart(bytes);
  for (const other of net.nodes) {
    if (other === n) continue;
    net.disconnect(n, other);
    net.connect(n, other);
    net.connect(other, n);
  }
}

describe('payments across restarts', () => {
  it('the payer restarts with its HTLC not yet delivered: paid once, the id stays taken', () => {
    const { net, a, b, c } = paymentLine();
    const inv = c.manager.createBolt11Invoice({ amountMsat: 9_000_000n, description: 'r1' });
    const paymentId = a.manager.payInvoice(inv.invoice);
    // A crashes before any message left; it comes back from what it stored.
    a.manager.getAndClearPendingMessages();
    restart(net, a);
    expect(() => a.manager.payInvoice(inv.invoice)).toThrow(
      expect.objectContaining({ code: 'DuplicatePayment' }),
    );
    const seen = pump(net);
    expect(ofType(seen.get(a.nodeId)!, 'PaymentSent')).toEqual([
      expect.objectContaining({ paymentId, feePaidMsat: 1000n }),
    ]);
    expect(ofType(seen.get(c.nodeId)!, 'PaymentClaimed')).toHaveLength(1);
    expect(ofType(seen.get(b.nodeId)!, 'PaymentForwarded')).toHaveLength(1);
    expect(a.manager.listChannels()[0]!.balanceMsat).toBe(1_000_000_000n - 9_001_000n);
  });

  it('the forwarding node restarts with the HTLC waiting to be forwarded', () => {
    const { net, a, b, c } = paymentLine();
    const inv = c.manager.createBolt11Invoice({ amountMsat: 8_000_000n, description: 'r2' });
    a.manager.payInvoice(inv.invoice);
    net.deliverAll();
    expect(ofType(b.takeEvents(), 'PendingHTLCsForwardable')).toHaveLength(1);
    // B stored its manager with the pending forward, then crashed.
    restart(net, b);
    net.deliverAll();
    b.manager.processPendingHtlcForwards();
    const seen = pump(net);
    expect(ofType(seen.get(b.nodeId)!, 'PaymentForwarded')).toHaveLength(1);
    expect(ofType(seen.get(a.nodeId)!, 'PaymentSent')).toHaveLength(1);
    expect(ofType(seen.get(c.nodeId)!, 'PaymentClaimed')).toHaveLength(1);
  });

  it('the payee restarts with the payment claimable: it claims after the restart', () => {
    const { net, a, c } = paymentLine();
    const inv = c.manager.createBolt11Invoice({ amountMsat: 6_000_000n, description: 'r3' });
    a.manager.payInvoice(inv.invoice);
    const seen = pump(net, { hold: [c] });
    const claimable = ofType(seen.get(c.nodeId)!, 'PaymentClaimable')[0]!;
    restart(net, c);
    net.deliverAll();
    c.manager.claimFunds((claimable.purpose as { paymentPreimage: string }).paymentPreimage);
    const after = pump(net);
    expect(ofType(after.get(c.nodeId)!, 'PaymentClaimed')).toHaveLength(1);
    expect(ofType(after.get(a.nodeId)!, 'PaymentSent')).toHaveLength(1);
  });

  it('the payer restarts while its payment is in flight: the result arrives once', () => {
    const { net, a, c } = paymentLine();
    const inv = c.manager.createBolt11Invoice({ amountMsat: 5_000_000n, description: 'r4' });
    const paymentId = a.manager.payInvoice(inv.invoice);
    const held = pump(net, { hold: [c] });
    const claimable = ofType(held.get(c.nodeId)!, 'PaymentClaimable')[0]!;
    restart(net, a);
    net.deliverAll();
    c.manager.claimFunds((claimable.purpose as { paymentPreimage: string }).paymentPreimage);
    const seen = pump(net);
    expect(ofType(seen.get(a.nodeId)!, 'PaymentSent')).toEqual([
      expect.objectContaining({ paymentId }),
    ]);
    expect(a.manager.listRecentPayments()[0]).toMatchObject({ paymentId, status: 'Fulfilled' });
  });
});
