/**
 * The payment part of the demo: Carol issues a BOLT 11 invoice, Alice pays it over two hops and
 * Bob forwards it. Nothing here drives the HTLCs by hand: each node's host loop (demo/node.ts)
 * answers `PendingHTLCsForwardable` with `processPendingHtlcForwards` (Bob forwards, Carol
 * receives) and `PaymentClaimable` with `claimFunds`; the ChannelManagers do the rest (BOLT 2
 * `update_add_htlc`, `commitment_signed`, `revoke_and_ack`, `update_fulfill_htlc`; the BOLT 4
 * onion Alice builds and Bob and Carol peel).
 */
import type { DemoChannels } from './channels.js';
import type { DemoNode } from './node.js';
import { sats, say, until } from './print.js';

const AMOUNT_MSAT = 20_000_000n;

function balanceMsat(node: DemoNode, channelId: string): bigint {
  const c = node.channels.listChannels().find((ch) => ch.channelId === channelId);
  if (c === undefined) throw new Error(`${node.name} does not list channel ${channelId}`);
  return c.balanceMsat;
}

interface Balances {
  readonly alice: bigint;
  readonly bobWithAlice: bigint;
  readonly bobWithCarol: bigint;
  readonly carol: bigint;
}

function balances(alice: DemoNode, bob: DemoNode, carol: DemoNode, ids: DemoChannels): Balances {
  return {
    alice: balanceMsat(alice, ids.aliceBob),
    bobWithAlice: balanceMsat(bob, ids.aliceBob),
    bobWithCarol: balanceMsat(bob, ids.bobCarol),
    carol: balanceMsat(carol, ids.bobCarol),
  };
}

function change(after: bigint, before: bigint): string {
  const d = after - before;
  return d === 0n ? '' : ` (${d > 0n ? '+' : '−'}${sats(d > 0n ? d : -d)})`;
}

function printBalances(title: string, b: Balances, before?: Balances): void {
  const ch = (after: bigint, was: bigint | undefined): string =>
    `${sats(after)}${was === undefined ? '' : change(after, was)}`;
  console.log(title);
  say('Alice', `  in the channel with Bob: ${ch(b.alice, before?.alice)}`);
  say(
    'Bob',
    `  with Alice: ${ch(b.bobWithAlice, before?.bobWithAlice)}; with Carol: ${ch(b.bobWithCarol, before?.bobWithCarol)}`,
  );
  say('Carol', `  in the channel with Bob: ${ch(b.carol, before?.carol)}`);
}

/** True once both sides of each channel have signed commitments with no HTLC left on them. */
function settled(alice: DemoNode, bob: DemoNode, carol: DemoNode, ids: DemoChannels): boolean {
  const capacityMsat = (node: DemoNode, id: string): bigint =>
    (node.channels.listChannels().find((c) => c.channelId === id)?.channelValueSat ?? 0n) * 1000n;
  const b = balances(alice, bob, carol, ids);
  return (
    b.alice + b.bobWithAlice === capacityMsat(alice, ids.aliceBob) &&
    b.bobWithCarol + b.carol === capacityMsat(carol, ids.bobCarol)
  );
}

export async function payAcrossTwoHops(
  alice: DemoNode,
  bob: DemoNode,
  carol: DemoNode,
  ids: DemoChannels,
): Promise<void> {
  console.log('\nA payment over two hops: Carol invoices, Alice pays, Bob forwards:');
  const before = balances(alice, bob, carol, ids);
  printBalances('Balances before:', before);

  const created = carol.channels.createBolt11Invoice({
    amountMsat: AMOUNT_MSAT,
    description: 'coffee for Carol',
  });
  say('Carol', `createBolt11Invoice: ${sats(AMOUNT_MSAT)}, "coffee for Carol"`);
  say('Carol', `  ${created.invoice.slice(0, 48)}… (${created.invoice.length} characters)`);
  const since = [alice.events.length, bob.events.length, carol.events.length];
  // Alice knows only her own channel; the invoice's route hint names Bob's channel to Carol,
  // with Bob's fee, so her router finds Alice → Bob → Carol.
  const paymentId = alice.channels.payInvoice(created.invoice);
  say('Alice', `payInvoice: payment id ${paymentId.slice(0, 16)}…, routed through Bob`);

  const [sent, forwarded] = await Promise.all([
    alice.waitForEvent('PaymentSent', since[0]!, (e) => e.paymentId === paymentId),
    bob.waitForEvent('PaymentForwarded', since[1]!),
    carol.waitForEvent('PaymentClaimed', since[2]!, (e) => e.paymentHash === created.paymentHash),
  ]);
  await until(() => settled(alice, bob, carol, ids));
  const after = balances(alice, bob, carol, ids);
  printBalances('Balances after:', after, before);
  const earned =
    after.bobWithAlice + after.bobWithCarol - before.bobWithAlice - before.bobWithCarol;
  say(
    'Bob',
    `earned ${sats(earned)} for forwarding (PaymentForwarded says ${sats(forwarded.totalFeeEarnedMsat)})`,
  );
  say(
    'Alice',
    `paid ${sats(before.alice - after.alice)}: ${sats(AMOUNT_MSAT)} to Carol and ${sats(sent.feePaidMsat)} in fees`,
  );
}
