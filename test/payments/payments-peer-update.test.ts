import { describe, expect, it } from 'vitest';
import { decodeManager } from '../../src/channel-manager/manager-codec.js';
import { decodeInvoice } from '../../src/invoice/invoice.js';
import { ofType, pump } from '../support/payment-pump.js';
import { createPipedNetwork } from '../support/piped-network.js';

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
    pump(net);
    const inv = c.manager.createBolt11Invoice({ amountMsat: 10_000_000n, description: 'hint' });
    const hints = decodeInvoice(inv.invoice).routeHints;
    expect(hints).toHaveLength(1);
    expect(hints[0]![0]).toMatchObject({
      pubkey: b.nodeId,
      feeBaseMsat: 5000,
      feeProportionalMillionths: 0,
      cltvExpiryDelta: 80,
    });
    // The peer's fees are stored with the manager, so a restart keeps them.
    const stored = decodeManager(c.manager.serialize()).channels[0]!;
    expect(stored.counterpartyForwarding).toMatchObject({ feeBaseMsat: 5000, cltvExpiryDelta: 80 });
    a.manager.payInvoice(inv.invoice);
    const seen = pump(net);
    expect(ofType(seen.get(a.nodeId)!, 'PaymentSent')[0]).toMatchObject({ feePaidMsat: 5000n });
    expect(ofType(seen.get(b.nodeId)!, 'PaymentForwarded')[0]).toMatchObject({
      totalFeeEarnedMsat: 5000n,
    });
  });
});
