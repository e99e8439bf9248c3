/**
 * Proves the LDK payment glue on its own: two LDK nodes over real TCP with one confirmed
 * channel; invoices made by one (BOLT 11, stamped with the newest block time) are paid by the
 * other, in both directions, with and without an amount, one at a time and many in flight; a
 * payment LDK cannot route fails with a typed reason; and the baseline helper the payments
 * benchmark calls runs a short batch.
 * https://github.com/lightning/bolts/blob/master/11-payment-encoding.md
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { LdkChain } from './ldk/ldk-chain.js';
import { LdkNode } from './ldk/ldk-node.js';
import { LdkPaymentError } from './ldk/ldk-payments.js';
import { runLdkPaymentsBaseline } from './ldk/ldk-payments-baseline.js';
import { openLdkChannel } from './ldk/ldk-open-channel.js';
import { waitFor } from './ldk/wait-for.js';

const WAIT_MS = 15_000;

let chain: LdkChain;
let alice: LdkNode;
let bob: LdkNode;
let channelIdHex: string;

beforeAll(async () => {
  chain = new LdkChain();
  alice = await LdkNode.start({ seed: 21, name: 'alice', chain });
  bob = await LdkNode.start({ seed: 22, name: 'bob', chain });
  // Bob starts with 500,000 sat pushed to him, above his reserve, so he can pay back.
  channelIdHex = await openLdkChannel(alice, bob, {
    valueSat: 2_000_000n,
    pushMsat: 500_000_000n,
    timeoutMs: WAIT_MS,
  });
});

afterAll(async () => {
  await Promise.all([alice.stop(), bob.stop()]);
});

beforeEach((ctx) => {
  ctx.onTestFailed(() => {
    console.error(`${alice.formatLog(200)}\n${bob.formatLog(200)}`);
  });
});

async function settled(payer: LdkNode, paymentIdHex: string): Promise<void> {
  await waitFor(
    () => payer.payments.outbound.get(paymentIdHex)?.status !== 'pending',
    WAIT_MS,
    `payment ${paymentIdHex.slice(0, 8)} to settle`,
  );
}

describe('LDK -> LDK payments over one channel', () => {
  test('an invoice from bob is paid by alice: claimable, claimed, sent', async () => {
    const before = alice.channel(channelIdHex)!;
    const invoice = bob.createInvoice({ amountMsat: 12_345_000n, description: 'coffee' });
    expect(invoice.invoice).toMatch(/^lnbcrt123450n1/);
    expect(invoice.amountMsat).toBe(12_345_000n);
    // LDK stamps the invoice with the newest block time, which the chain keeps near the clock.
    expect(Math.abs(invoice.timestampSecs - Date.now() / 1000)).toBeLessThan(3600);

    const paymentIdHex = alice.payInvoice(invoice.invoice);
    await settled(alice, paymentIdHex);
    const payment = alice.payments.outbound.get(paymentIdHex)!;
    expect(payment).toMatchObject({ status: 'succeeded', paymentHashHex: invoice.paymentHashHex });
    expect(payment.feePaidMsat ?? 0n).toBe(0n);
    expect(bob.payments.events).toContainEqual({
      type: 'PaymentClaimable',
      paymentHashHex: invoice.paymentHashHex,
      amountMsat: 12_345_000n,
    });
    await waitFor(
      () => bob.payments.events.some((e) => e.type === 'PaymentClaimed'),
      WAIT_MS,
      'PaymentClaimed at bob',
    );
    await waitFor(
      () => alice.channel(channelIdHex)!.pendingHtlcs === 0,
      WAIT_MS,
      'the HTLC to be removed from the commitment',
    );
    const after = alice.channel(channelIdHex)!;
    expect(before.outboundCapacityMsat - after.outboundCapacityMsat).toBe(12_345_000n);
  });

  test('an invoice without an amount is paid with the amount the payer picks', async () => {
    const invoice = bob.createInvoice({ description: 'tip jar' });
    expect(invoice.amountMsat).toBeUndefined();
    expect(() => alice.payInvoice(invoice.invoice)).toThrow(LdkPaymentError);
    const paymentIdHex = alice.payInvoice(invoice.invoice, { amountMsat: 5_000_000n });
    await settled(alice, paymentIdHex);
    expect(alice.payments.outbound.get(paymentIdHex)!.status).toBe('succeeded');
  });

  test('bob pays alice back over the same channel', async () => {
    const invoice = alice.createInvoice({ amountMsat: 1_000_000n });
    const paymentIdHex = bob.payInvoice(invoice.invoice);
    await settled(bob, paymentIdHex);
    expect(bob.payments.outbound.get(paymentIdHex)!.status).toBe('succeeded');
    expect(alice.payments.counts.claimed).toBeGreaterThanOrEqual(1);
  });

  test('paying more than the channel can carry is refused or fails, never hangs', async () => {
    const invoice = bob.createInvoice({ amountMsat: 5_000_000_000n });
    let paymentIdHex: string;
    try {
      paymentIdHex = alice.payInvoice(invoice.invoice, { retries: 0 });
    } catch (e) {
      expect(e).toBeInstanceOf(LdkPaymentError);
      return;
    }
    await settled(alice, paymentIdHex);
    const payment = alice.payments.outbound.get(paymentIdHex)!;
    expect(payment.status).toBe('failed');
    expect(payment.failureReason).toBeDefined();
  });

  test('paying the same invoice twice is refused as a duplicate', () => {
    const invoice = bob.createInvoice({ amountMsat: 1_000n });
    alice.payInvoice(invoice.invoice);
    expect(() => alice.payInvoice(invoice.invoice)).toThrow(
      expect.objectContaining({ kind: 'DuplicatePayment' }),
    );
  });

  test('forty payments in flight at once all succeed', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      ids.push(alice.payInvoice(bob.createInvoice({ amountMsat: 10_000n + BigInt(i) }).invoice));
    }
    await Promise.all(ids.map((id) => settled(alice, id)));
    expect(ids.map((id) => alice.payments.outbound.get(id)!.status)).toEqual(
      ids.map(() => 'succeeded'),
    );
  });

  test('no callback or event answer failed', () => {
    for (const node of [alice, bob]) {
      expect(node.allCallbackErrors()).toEqual([]);
      expect(node.glueErrors()).toEqual([]);
    }
    expect(chain.rejectedBroadcasts()).toEqual([]);
  });
});

describe('the LDK payments baseline helper', () => {
  test('runs a short batch with several payments in flight and reports a rate', async () => {
    const result = await runLdkPaymentsBaseline({ payments: 30, inFlight: 10 });
    expect(result.succeeded).toBe(30);
    expect(result.failed).toBe(0);
    expect(result.paymentsPerSec).toBeGreaterThan(0);
    expect(result.inFlight).toBe(10);
  });
});
