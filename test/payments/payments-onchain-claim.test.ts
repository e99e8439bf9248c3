import { Transaction } from 'bitcoinjs-lib';
import { describe, expect, it } from 'vitest';
import { equalBytes, fromHex } from '../../src/util/bytes.js';
import { createNetwork, type Network } from '../support/node-network.js';
import { ofType, pump } from '../support/payment-pump.js';

/** The transactions of blocks `from`..tip whose witness carries `preimage`. */
function spendsWithPreimage(net: Network, from: number, preimage: Uint8Array): string[] {
  const found: string[] = [];
  for (let h = from; h <= net.chain.height; h++) {
    for (const raw of net.chain.getBlock(h)!.transactions) {
      const tx = Transaction.fromBuffer(Buffer.from(raw));
      if (tx.ins.some((i) => i.witness.some((w) => equalBytes(new Uint8Array(w), preimage)))) {
        found.push(tx.getId());
      }
    }
  }
  return found;
}

describe('claiming after the channel went to chain', () => {
  it.each([false, true])(
    'claimFunds hands the preimage to the closed channel’s monitor, which claims on chain (restart in between: %s)',
    (restart) => {
      const net = createNetwork(2);
      const [a, b] = [net.nodes[0]!, net.nodes[1]!];
      const channelId = net.openChannel(a, b, 1_000_000n);
      pump(net);
      const inv = b.manager.createBolt11Invoice({ amountMsat: 20_000_000n, description: 'chain' });
      a.manager.payInvoice(inv.invoice);
      const seen = pump(net, { hold: [b] });
      const claimable = ofType(seen.get(b.nodeId)!, 'PaymentClaimable')[0]!;
      const preimage = (claimable.purpose as { paymentPreimage: string }).paymentPreimage;

      // A goes to chain before B claims; B learns of it from A's error.
      a.manager.forceCloseBroadcastingLatestTxn(channelId, b.nodeId);
      pump(net, { hold: [b] });
      expect(b.manager.listChannels()).toHaveLength(0);
      // The closed channel's next monitor update id is stored with the manager.
      if (restart) b.restart();
      const start = net.chain.height + 1;
      b.manager.claimFunds(preimage);
      expect(ofType(b.takeEvents(), 'PaymentClaimed')).toHaveLength(1);
      net.connectBlocks(6);
      pump(net, { hold: [b] });
      net.connectBlocks(6);
      expect(spendsWithPreimage(net, start, fromHex(preimage, 32)).length).toBeGreaterThan(0);
    },
  );
});
