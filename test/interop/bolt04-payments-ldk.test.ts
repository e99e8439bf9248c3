/**
 * BOLT 4 payments between boltkit's ChannelManager and LDK 0.1 (WASM) over real TCP on
 * 127.0.0.1, on one network built once: boltkit A, boltkit C, LDK L and LDK M on a shared test
 * chain, with private channels A-L (anchors, opened by A, some pushed to L), L-C
 * (static_remotekey, opened by L) and A-M (anchors, opened by A).
 *
 * Direct payments each way (A pays L's invoice, L pays A's); forwarding through LDK
 * (A -> L -> C, routed once over C's invoice route hint and once over a graph edge handed to a
 * `SimpleRouter`); forwarding through boltkit (L -> A -> M, with non-default fees A charges and
 * LDK pays); and a payment hash the payee does not know, refused with
 * `incorrect_or_unknown_payment_details` in either direction.
 * https://github.com/lightning/bolts/blob/master/04-onion-routing.md
 * https://github.com/lightning/bolts/blob/master/11-payment-encoding.md
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { nobleBackend } from '../../src/crypto/noble.js';
import type { Event } from '../../src/events/event.js';
import { decodeInvoice } from '../../src/invoice/invoice.js';
import { SimpleRouter } from '../../src/routing/pathfinder.js';
import type { GraphEdge } from '../../src/routing/route.js';
import { fromHex, toHex } from '../../src/util/bytes.js';
import { BoltkitNode } from './boltkit/boltkit-node.js';
import { LdkChain } from './ldk/ldk-chain.js';
import { LdkNode } from './ldk/ldk-node.js';
import type { LdkPaymentEvent } from './ldk/ldk-payments.js';
import { waitFor } from './ldk/wait-for.js';

const WAIT_MS = 15_000;
/** Both implementations ask for 6 confirmations by default. */
const MIN_DEPTH = 6;
const CHANNEL_SAT = 1_000_000n;
/** What A pushes to L when opening A-L, so L can pay (above L's 1% reserve). */
const PUSH_TO_L_MSAT = 300_000_000n;
/** A forwards for these fees (boltkit `UserConfig`), not the defaults, so fees are checked. */
const A_FEE_BASE_MSAT = 1500;
const A_FEE_PPM = 250;
/** LDK's default forwarding fee and CLTV delta (`ChannelConfig`), which L runs with. */
const LDK_FEE_BASE_MSAT = 1000;
const LDK_CLTV_EXPIRY_DELTA = 72;
/** BOLT 4 `incorrect_or_unknown_payment_details`: PERM | 15. */
const INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS = 0x400f;

let chain: LdkChain;
let ldkL: LdkNode;
let ldkM: LdkNode;
let bkA: BoltkitNode;
let bkC: BoltkitNode;
/** The graph A's `SimpleRouter` reads at every `findRoute`; empty unless a test sets it. */
let graphForA: readonly GraphEdge[] = [];
let chanAL: string;
let chanLC: string;
let chanAM: string;

/** A deterministic 32-byte value, hex. */
function hash32(label: string): string {
  return toHex(nobleBackend.sha256(new TextEncoder().encode(label)));
}

function ldkEvents<T extends LdkPaymentEvent['type']>(
  node: LdkNode,
  type: T,
): Extract<LdkPaymentEvent, { type: T }>[] {
  return node.payments.events.filter(
    (e): e is Extract<LdkPaymentEvent, { type: T }> => e.type === type,
  );
}

function bkEvent<T extends Event['type']>(
  node: BoltkitNode,
  type: T,
  paymentHash: string,
): Extract<Event, { type: T }> | undefined {
  return node
    .eventsOf(type)
    .find((e) => 'paymentHash' in e && (e as { paymentHash?: string }).paymentHash === paymentHash);
}

async function connectTo(bk: BoltkitNode, ldk: LdkNode): Promise<void> {
  await bk.connectTcp(await ldk.listenTcp(), ldk.nodeIdHex);
  await waitFor(
    () => ldk.peer(bk.nodeId) !== undefined && bk.isConnectedTo(ldk.nodeIdHex),
    WAIT_MS,
    `${bk.name} and ${ldk.name} to connect`,
  );
}

/** Opens from boltkit; resolves to the channel id once the funding is in the mempool. */
async function openFromBoltkit(
  bk: BoltkitNode,
  ldk: LdkNode,
  pushMsat: bigint,
  anchors: boolean,
): Promise<string> {
  const temporaryId = bk.channelManager.createChannel(ldk.nodeIdHex, CHANNEL_SAT, pushMsat, 1n, {
    negotiateAnchorsZeroFeeHtlcTx: anchors,
  });
  bk.processEvents();
  let id: string | undefined;
  await waitFor(
    () => {
      const p = bk
        .eventsOf('ChannelPending')
        .find((e) => e.formerTemporaryChannelId === temporaryId);
      if (p === undefined) return false;
      id = p.channelId;
      return chain.confirmations(p.fundingTxo.txid) === 0;
    },
    WAIT_MS,
    `the funding from ${bk.name} in the mempool`,
  );
  return id!;
}

/** Opens from LDK; resolves to the channel id once the funding is in the mempool. */
async function openFromLdk(ldk: LdkNode, bk: BoltkitNode, anchors: boolean): Promise<string> {
  const temporaryId = ldk.createChannel(bk.nodeId, CHANNEL_SAT, 0n, { anchors });
  let id: string | undefined;
  await waitFor(
    () => {
      const p = ldk.channelEvents.find(
        (e) => e.type === 'ChannelPending' && e.formerTemporaryChannelIdHex === temporaryId,
      );
      if (p?.type !== 'ChannelPending') return false;
      id = p.channelIdHex;
      return chain.confirmations(p.fundingTxo.txid) === 0;
    },
    WAIT_MS,
    `the funding from ${ldk.name} in the mempool`,
  );
  return id!;
}

beforeAll(async () => {
  // Three fundings at once: three mature coinbase outputs.
  chain = new LdkChain({ matureBlocks: 103 });
  // L relays to C over a private channel, which LDK refuses unless told otherwise.
  ldkL = await LdkNode.start({
    seed: 41,
    name: 'ldk-L',
    chain,
    anchors: true,
    acceptForwardsToPrivChannels: true,
  });
  ldkM = await LdkNode.start({ seed: 42, name: 'ldk-M', chain, anchors: true });
  bkA = new BoltkitNode({
    seed: 43,
    name: 'bk-A',
    chain: chain.testChain,
    broadcaster: chain.broadcasterFor('bk-A'),
    verbose: true,
    router: new SimpleRouter({ graph: () => graphForA }),
    config: {
      forwardingFeeBaseMsat: A_FEE_BASE_MSAT,
      forwardingFeeProportionalMillionths: A_FEE_PPM,
    },
  });
  bkC = new BoltkitNode({
    seed: 44,
    name: 'bk-C',
    chain: chain.testChain,
    broadcaster: chain.broadcasterFor('bk-C'),
    verbose: true,
  });
  try {
    await buildNetwork();
  } catch (e) {
    printLogs();
    throw e;
  }
}, 60_000);

function printLogs(): void {
  for (const n of [ldkL, ldkM]) console.error(n.formatLog(150));
  for (const n of [bkA, bkC]) console.error(n.formatLog(150), n.loopErrors);
  console.error(chain.broadcasts.map((b) => `${b.node} ${b.txid} ${JSON.stringify(b.result)}`));
}

async function buildNetwork(): Promise<void> {
  await Promise.all([connectTo(bkA, ldkL), connectTo(bkC, ldkL), connectTo(bkA, ldkM)]);
  [chanAL, chanLC, chanAM] = await Promise.all([
    openFromBoltkit(bkA, ldkL, PUSH_TO_L_MSAT, true),
    openFromLdk(ldkL, bkC, false),
    openFromBoltkit(bkA, ldkM, 0n, true),
  ]);
  chain.connectBlocks(MIN_DEPTH);
  await waitFor(
    () =>
      [
        [bkA, ldkL, chanAL],
        [bkC, ldkL, chanLC],
        [bkA, ldkM, chanAM],
      ].every(
        ([bk, ldk, id]) =>
          (bk as BoltkitNode).channel(id as string)?.isUsable === true &&
          (ldk as LdkNode).channel(id as string)?.isUsable === true,
      ),
    WAIT_MS,
    'the three channels usable on both sides',
  );
}

afterAll(async () => {
  await Promise.all([bkA.stop(), bkC.stop(), ldkL.stop(), ldkM.stop()]);
});

beforeEach((ctx) => {
  ctx.onTestFailed(printLogs);
});

/** Waits until neither side of the channel holds an HTLC and boltkit's balance is `balance`. */
async function settledAt(
  bk: BoltkitNode,
  ldk: LdkNode,
  id: string,
  balanceMsat: bigint,
): Promise<void> {
  await waitFor(
    () => ldk.channel(id)?.pendingHtlcs === 0 && bk.channel(id)?.balanceMsat === balanceMsat,
    WAIT_MS,
    `channel ${id.slice(0, 8)} settled at ${balanceMsat} msat for ${bk.name}`,
  );
}

async function ldkSettled(ldk: LdkNode, paymentIdHex: string): Promise<void> {
  await waitFor(
    () => ldk.payments.outbound.get(paymentIdHex)?.status !== 'pending',
    WAIT_MS,
    `${ldk.name}'s payment ${paymentIdHex.slice(0, 8)} to settle`,
  );
}

async function bkSettled(bk: BoltkitNode, paymentId: string): Promise<void> {
  await waitFor(
    () => bk.paymentOutcome(paymentId) !== undefined,
    WAIT_MS,
    `${bk.name}'s payment ${paymentId.slice(0, 8)} to settle`,
  );
}

describe('BOLT 4 payments between boltkit and LDK 0.1 over TCP', () => {
  test('boltkit pays an LDK invoice: LDK claims, boltkit learns the preimage', async () => {
    const amountMsat = 25_000_000n;
    const invoice = ldkL.createInvoice({ amountMsat, description: 'boltkit to ldk' });
    const bkBefore = bkA.channel(chanAL)!.balanceMsat;
    const ldkBefore = ldkL.channel(chanAL)!.outboundCapacityMsat;

    const paymentId = bkA.payInvoice(invoice.invoice);
    expect(paymentId).toBe(invoice.paymentHashHex);
    await bkSettled(bkA, paymentId);
    const sent = bkA.paymentOutcome(paymentId);
    expect(sent).toMatchObject({
      type: 'PaymentSent',
      paymentHash: invoice.paymentHashHex,
      feePaidMsat: 0n,
    });
    if (sent?.type !== 'PaymentSent') throw new Error('not sent');
    expect(toHex(nobleBackend.sha256(fromHex(sent.paymentPreimage, 32)))).toBe(
      invoice.paymentHashHex,
    );
    expect(bkEvent(bkA, 'PaymentPathSuccessful', invoice.paymentHashHex)?.path.hops).toEqual([
      expect.objectContaining({ pubkey: ldkL.nodeIdHex, feeMsat: amountMsat }),
    ]);

    expect(ldkEvents(ldkL, 'PaymentClaimable')).toContainEqual({
      type: 'PaymentClaimable',
      paymentHashHex: invoice.paymentHashHex,
      amountMsat,
    });
    await waitFor(
      () =>
        ldkEvents(ldkL, 'PaymentClaimed').some((e) => e.paymentHashHex === invoice.paymentHashHex),
      WAIT_MS,
      'PaymentClaimed at LDK',
    );
    await settledAt(bkA, ldkL, chanAL, bkBefore - amountMsat);
    expect(ldkL.channel(chanAL)!.outboundCapacityMsat - ldkBefore).toBe(amountMsat);
  });

  test('LDK pays a boltkit invoice: boltkit claims, LDK learns the preimage', async () => {
    const amountMsat = 30_000_000n;
    const invoice = bkA.createInvoice({ amountMsat, description: 'ldk to boltkit' });
    const bkBefore = bkA.channel(chanAL)!.balanceMsat;

    const paymentIdHex = ldkL.payInvoice(invoice.invoice, { retries: 0 });
    await ldkSettled(ldkL, paymentIdHex);
    const payment = ldkL.payments.outbound.get(paymentIdHex)!;
    expect(payment).toMatchObject({ status: 'succeeded', paymentHashHex: invoice.paymentHash });
    expect(payment.feePaidMsat ?? 0n).toBe(0n);

    const claimable = bkEvent(bkA, 'PaymentClaimable', invoice.paymentHash);
    expect(claimable).toMatchObject({
      amountMsat,
      viaChannelId: chanAL,
      purpose: { type: 'Bolt11InvoicePayment', paymentSecret: invoice.paymentSecret },
    });
    // The preimage boltkit derived for its invoice is the one LDK got back.
    expect(claimable?.purpose.paymentPreimage).toBe(payment.preimageHex);
    expect(bkEvent(bkA, 'PaymentClaimed', invoice.paymentHash)).toMatchObject({
      amountMsat,
      htlcs: [expect.objectContaining({ channelId: chanAL, valueMsat: amountMsat })],
    });
    await settledAt(bkA, ldkL, chanAL, bkBefore + amountMsat);
  });

  test("boltkit -> LDK -> boltkit over the payee's invoice route hint", async () => {
    const amountMsat = 20_000_000n;
    const invoice = bkC.createInvoice({ amountMsat, description: 'through ldk' });
    // C's only channel is private: its invoice names L and the alias L gave C (BOLT 2
    // `short_channel_id` alias in `channel_ready`), which L forwards on.
    const aliasFromL = bkC.channel(chanLC)!.inboundScidAlias;
    expect(aliasFromL).toBeDefined();
    expect(decodeInvoice(invoice.invoice).routeHints).toEqual([
      [
        expect.objectContaining({
          pubkey: ldkL.nodeIdHex,
          shortChannelId: aliasFromL,
          feeBaseMsat: LDK_FEE_BASE_MSAT,
          cltvExpiryDelta: LDK_CLTV_EXPIRY_DELTA,
        }),
      ],
    ]);
    const cBefore = bkC.channel(chanLC)!.balanceMsat;
    const alBefore = bkA.channel(chanAL)!.balanceMsat;

    const paymentId = bkA.payInvoice(invoice.invoice);
    await bkSettled(bkA, paymentId);
    const sent = bkA.paymentOutcome(paymentId);
    expect(sent).toMatchObject({ type: 'PaymentSent', feePaidMsat: BigInt(LDK_FEE_BASE_MSAT) });
    expect(bkEvent(bkA, 'PaymentPathSuccessful', invoice.paymentHash)?.path.hops).toEqual([
      expect.objectContaining({ pubkey: ldkL.nodeIdHex }),
      expect.objectContaining({ pubkey: bkC.nodeId, shortChannelId: aliasFromL }),
    ]);
    expect(bkEvent(bkC, 'PaymentClaimed', invoice.paymentHash)).toMatchObject({ amountMsat });
    await waitFor(
      () => ldkEvents(ldkL, 'PaymentForwarded').length === 1,
      WAIT_MS,
      'PaymentForwarded at LDK',
    );
    expect(ldkEvents(ldkL, 'PaymentForwarded')[0]).toEqual({
      type: 'PaymentForwarded',
      prevChannelIdHex: chanAL,
      nextChannelIdHex: chanLC,
      totalFeeEarnedMsat: BigInt(LDK_FEE_BASE_MSAT),
      outboundAmountForwardedMsat: amountMsat,
    });
    await settledAt(bkC, ldkL, chanLC, cBefore + amountMsat);
    await settledAt(bkA, ldkL, chanAL, alBefore - amountMsat - BigInt(LDK_FEE_BASE_MSAT));
  });

  test('boltkit -> LDK -> boltkit over a graph edge given to SimpleRouter', async () => {
    const amountMsat = 15_000_000n;
    const realScid = ldkL.channel(chanLC)!.shortChannelId!;
    expect(bkC.channel(chanLC)!.shortChannelId).toBe(realScid);
    // The host knows L's channel to C (as from gossip); no invoice hint is used.
    graphForA = [
      {
        srcNodeId: ldkL.nodeIdHex,
        dstNodeId: bkC.nodeId,
        shortChannelId: realScid,
        feeBaseMsat: LDK_FEE_BASE_MSAT,
        feeProportionalMillionths: 0,
        cltvExpiryDelta: LDK_CLTV_EXPIRY_DELTA,
        htlcMinimumMsat: 1n,
        htlcMaximumMsat: CHANNEL_SAT * 1000n,
        capacitySat: CHANNEL_SAT,
      },
    ];
    try {
      const created = bkC.createInvoice({ amountMsat, description: 'over the graph' });
      const paymentId = bkA.sendToNode({
        payeeNodeId: bkC.nodeId,
        amountMsat,
        paymentHash: created.paymentHash,
        paymentSecret: created.paymentSecret,
      });
      await bkSettled(bkA, paymentId);
      expect(bkA.paymentOutcome(paymentId)).toMatchObject({
        type: 'PaymentSent',
        feePaidMsat: BigInt(LDK_FEE_BASE_MSAT),
      });
      expect(bkEvent(bkA, 'PaymentPathSuccessful', created.paymentHash)?.path.hops).toEqual([
        expect.objectContaining({ pubkey: ldkL.nodeIdHex }),
        expect.objectContaining({ pubkey: bkC.nodeId, shortChannelId: realScid }),
      ]);
      await waitFor(
        () =>
          bkEvent(bkC, 'PaymentClaimed', created.paymentHash) !== undefined &&
          ldkEvents(ldkL, 'PaymentForwarded').length === 2,
        WAIT_MS,
        'PaymentClaimed at C and PaymentForwarded at L',
      );
      expect(ldkEvents(ldkL, 'PaymentForwarded')[1]).toMatchObject({
        nextChannelIdHex: chanLC,
        totalFeeEarnedMsat: BigInt(LDK_FEE_BASE_MSAT),
      });
    } finally {
      graphForA = [];
    }
  });

  test('LDK -> boltkit -> LDK: boltkit forwards and earns the fee LDK paid', async () => {
    const amountMsat = 40_000_000n;
    const invoice = ldkM.createInvoice({ amountMsat, description: 'through boltkit' });
    const aliasOfA = bkA.channel(chanAM)!.outboundScidAlias!;
    const expectedFeeMsat = BigInt(A_FEE_BASE_MSAT) + (amountMsat * BigInt(A_FEE_PPM)) / 1_000_000n;
    const amBefore = bkA.channel(chanAM)!.balanceMsat;
    const alBefore = bkA.channel(chanAL)!.balanceMsat;

    // boltkit sent M its channel_update for the private A-M channel, so M's invoice carries a
    // route hint through A with A's fees, under the alias A gave M.
    expect(decodeInvoice(invoice.invoice).routeHints).toEqual([
      [
        {
          pubkey: bkA.nodeId,
          shortChannelId: aliasOfA,
          feeBaseMsat: A_FEE_BASE_MSAT,
          feeProportionalMillionths: A_FEE_PPM,
          cltvExpiryDelta: bkA.channel(chanAM)!.config.cltvExpiryDelta,
        },
      ],
    ]);
    const paymentIdHex = ldkL.payInvoice(invoice.invoice, { retries: 0 });
    await ldkSettled(ldkL, paymentIdHex);
    const payment = ldkL.payments.outbound.get(paymentIdHex)!;
    expect(payment.status).toBe('succeeded');
    expect(payment.feePaidMsat).toBe(expectedFeeMsat);

    await waitFor(
      () => bkA.eventsOf('PaymentForwarded').length === 1,
      WAIT_MS,
      'PaymentForwarded at boltkit',
    );
    expect(bkA.eventsOf('PaymentForwarded')[0]).toMatchObject({
      prevChannelId: chanAL,
      nextChannelId: chanAM,
      prevNodeId: ldkL.nodeIdHex,
      nextNodeId: ldkM.nodeIdHex,
      totalFeeEarnedMsat: payment.feePaidMsat,
      outboundAmountForwardedMsat: amountMsat,
      claimFromOnchainTx: false,
    });
    await waitFor(
      () =>
        ldkEvents(ldkM, 'PaymentClaimed').some((e) => e.paymentHashHex === invoice.paymentHashHex),
      WAIT_MS,
      'PaymentClaimed at M',
    );
    expect(ldkEvents(ldkM, 'PaymentClaimed')).toContainEqual({
      type: 'PaymentClaimed',
      paymentHashHex: invoice.paymentHashHex,
      amountMsat,
    });
    // A paid M the amount and was paid the amount plus its fee by L.
    await settledAt(bkA, ldkM, chanAM, amBefore - amountMsat);
    await settledAt(bkA, ldkL, chanAL, alBefore + amountMsat + expectedFeeMsat);
  });

  test('boltkit pays LDK a hash LDK does not know: incorrect_or_unknown_payment_details', async () => {
    const amountMsat = 5_000_000n;
    const paymentHash = hash32('a hash ldk never issued');
    const paymentId = bkA.sendToNode({
      payeeNodeId: ldkL.nodeIdHex,
      amountMsat,
      paymentHash,
      paymentSecret: hash32('a secret ldk never issued'),
    });
    await bkSettled(bkA, paymentId);
    expect(bkA.paymentOutcome(paymentId)).toMatchObject({
      type: 'PaymentFailed',
      paymentHash,
      reason: 'RecipientRejected',
    });
    // The path's failure comes first, the payment's last, as LDK raises them.
    expect(
      bkA.events
        .filter(
          (e) =>
            (e.type === 'PaymentPathFailed' || e.type === 'PaymentFailed') &&
            e.paymentId === paymentId,
        )
        .map((e) => e.type),
    ).toEqual(['PaymentPathFailed', 'PaymentFailed']);
    const failures = bkA.pathFailures(paymentId);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({
      failingNodeId: ldkL.nodeIdHex,
      failureCode: INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS,
      paymentFailedPermanently: true,
      willRetry: false,
    });
    // BOLT 4: its data is the HTLC amount (u64) and the payee's block height (u32).
    expect(failures[0]!.failureData).toBe(
      amountMsat.toString(16).padStart(16, '0') + chain.height.toString(16).padStart(8, '0'),
    );
    expect(ldkEvents(ldkL, 'HTLCHandlingFailed')).toContainEqual({
      type: 'HTLCHandlingFailed',
      prevChannelIdHex: chanAL,
      destination: 'FailedPayment',
      paymentHashHex: paymentHash,
    });
    await waitFor(
      () => ldkL.channel(chanAL)?.pendingHtlcs === 0,
      WAIT_MS,
      'the failed HTLC removed',
    );
  });

  test('LDK pays boltkit a hash boltkit does not know: LDK sees the payment rejected', async () => {
    const paymentHash = hash32('a hash boltkit never issued');
    const paymentIdHex = ldkL.sendToNode({
      payeeNodeIdHex: bkA.nodeId,
      amountMsat: 6_000_000n,
      paymentHashHex: paymentHash,
      paymentSecretHex: hash32('a secret boltkit never issued'),
    });
    await ldkSettled(ldkL, paymentIdHex);
    expect(ldkL.payments.outbound.get(paymentIdHex)).toMatchObject({
      status: 'failed',
      failureReason: 'RecipientRejected',
    });
    expect(ldkEvents(ldkL, 'PaymentPathFailed')).toContainEqual(
      expect.objectContaining({
        paymentHashHex: paymentHash,
        permanently: true,
        failure: 'OnPath',
        // A refusal by the payee blames no channel or node of the network.
        networkUpdate: undefined,
      }),
    );
    expect(
      ldkL.payments.events
        .filter(
          (e) =>
            (e.type === 'PaymentPathFailed' && e.paymentHashHex === paymentHash) ||
            (e.type === 'PaymentFailed' && e.paymentIdHex === paymentIdHex),
        )
        .map((e) => e.type),
    ).toEqual(['PaymentPathFailed', 'PaymentFailed']);
    expect(bkA.eventsOf('HTLCHandlingFailed')).toContainEqual({
      type: 'HTLCHandlingFailed',
      prevChannelId: chanAL,
      failedNextDestination: { type: 'FailedPayment', paymentHash },
    });
    expect(bkEvent(bkA, 'PaymentClaimable', paymentHash)).toBeUndefined();
  });

  test('nothing went wrong on the side', () => {
    for (const bk of [bkA, bkC]) expect(bk.loopErrors).toEqual([]);
    for (const ldk of [ldkL, ldkM]) {
      expect(ldk.allCallbackErrors()).toEqual([]);
      expect(ldk.glueErrors()).toEqual([]);
    }
    for (const id of [chanAL, chanLC, chanAM]) {
      expect(bkA.channel(id)?.isUsable ?? bkC.channel(id)?.isUsable).toBe(true);
    }
    expect(chain.rejectedBroadcasts()).toEqual([]);
  });
});
