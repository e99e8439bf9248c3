// A node restarts (ChannelManager.read from its serialized manager and stored monitors) after
// every single step of an HTLC's commitment dance (BOLT 2 "Normal Operation": update_add_htlc,
// commitment_signed and revoke_and_ack each way, then update_fulfill_htlc and the same again),
// on either side and for both channel types. After the restart the peers reconnect and
// reestablish (BOLT 2 "Message Retransmission") and the dance finishes: the HTLC is received
// once and fulfilled, both balances moved by its amount once, nothing is left pending, and each
// side's final commitment transaction, fully signed, passes the script interpreter against the
// funding output. The scenarios run one after the other on the same channel, one HTLC each.
import { describe, expect, it } from 'vitest';
import type { ChannelEvent } from '../../src/channel-manager/channel/events.js';
import type { UserConfig } from '../../src/channel-manager/config.js';
import { nobleBackend } from '../../src/crypto/noble.js';
import { constructPaymentOnion } from '../../src/onion/payment-onion.js';
import type { OutgoingMessage } from '../../src/peer-manager/handlers.js';
import { parseTransaction } from '../../src/tx/transaction.js';
import { fromHex } from '../../src/util/bytes.js';
import { decodeMessage, encodeMessage, type Message } from '../../src/wire/message.js';
import { preimageOf } from '../support/channel-pair.js';
import { createNetwork, type NetNode, type Network } from '../support/node-network.js';
import { verifyTransaction, type Prevout } from '../support/script-interpreter.js';

const AMOUNT_MSAT = 7_000_000n;

/**
 * A one-hop onion paying `amountMsat` to `toNodeId`: the receiver takes the HTLC as a payment to
 * itself and holds it (nothing here processes pending payments), so the test claims it.
 */
function onionTo(
  toNodeId: string,
  paymentHash: Uint8Array,
  amountMsat: bigint,
  cltvExpiry: number,
): Uint8Array {
  return constructPaymentOnion(
    [
      {
        nodeId: fromHex(toNodeId, 33),
        payload: { amtToForwardMsat: amountMsat, outgoingCltvValue: cltvExpiry },
      },
    ],
    nobleBackend.sha256(Uint8Array.of(0x5e, ...paymentHash)),
    paymentHash,
  ).packet;
}

type ChannelTypeName = 'anchors_zero_fee_htlc_tx' | 'static_remotekey';

/** Two connected nodes with one channel a → b, and b holding part of it. */
interface Setup {
  readonly net: Network;
  readonly a: NetNode;
  readonly b: NetNode;
  readonly channelId: string;
  /** The funding output, which every final commitment spends, and its height. */
  readonly fundingPrevout: Prevout;
  readonly fundingHeight: number;
}

function setup(channelType: ChannelTypeName): Setup {
  const config: Partial<UserConfig> = {
    negotiateAnchorsZeroFeeHtlcTx: channelType === 'anchors_zero_fee_htlc_tx',
  };
  const net = createNetwork(2, [config, config]);
  const [a, b] = [net.nodes[0]!, net.nodes[1]!];
  const channelId = net.openChannel(a, b, 500_000n, 100_000_000n);
  a.takeEvents();
  b.takeEvents();
  expect(a.manager.listChannels()[0]!.channelType).toBe(channelType);
  const coin = net.chain.getUtxo(a.manager.listChannels()[0]!.fundingTxo!)!;
  return {
    net,
    a,
    b,
    channelId,
    fundingPrevout: { scriptPubKey: coin.scriptPubKey, valueSat: coin.valueSat },
    fundingHeight: coin.height!,
  };
}

/**
 * One HTLC from a to b. Messages are taken from the managers into queues and delivered one at a
 * time in the order the test picks; HTLC events are collected as they come.
 */
class Dance {
  readonly s: Setup;
  readonly a: NetNode;
  readonly b: NetNode;
  readonly preimage: Uint8Array;
  readonly paymentHash: Uint8Array;
  readonly queues = new Map<NetNode, OutgoingMessage[]>();
  readonly htlcEvents = new Map<NetNode, ChannelEvent[]>();
  /** Balances before the dance, a's then b's. */
  readonly balanceMsat: readonly bigint[];
  htlcId: bigint | undefined;
  claimed = false;

  constructor(s: Setup, n: number) {
    this.s = s;
    [this.a, this.b] = [s.a, s.b];
    ({ preimage: this.preimage, paymentHash: this.paymentHash } = preimageOf(n));
    for (const node of [this.a, this.b]) {
      expect(node.manager.getAndClearPendingMessages()).toEqual([]);
      node.manager.internalTakeHtlcEvents();
      this.queues.set(node, []);
      this.htlcEvents.set(node, []);
    }
    this.balanceMsat = [this.a, this.b].map((x) => x.manager.listChannels()[0]!.balanceMsat);
  }

  other(n: NetNode): NetNode {
    return n === this.a ? this.b : this.a;
  }

  /** Moves what the managers want to send into the queues, and their HTLC events out. */
  pump(): void {
    for (const n of [this.a, this.b]) {
      this.queues.get(n)!.push(...n.manager.getAndClearPendingMessages());
      this.htlcEvents.get(n)!.push(...n.manager.internalTakeHtlcEvents());
    }
  }

  #handOver(from: NetNode, out: OutgoingMessage): void {
    const m = decodeMessage(encodeMessage(out.message));
    this.other(from).manager.handleChannelMessage(from.nodeId, m);
    this.pump();
  }

  /** Delivers the next message from `from`, which must be of `type`. */
  deliver(from: NetNode, type: Message['type']): void {
    this.pump();
    const out = this.queues.get(from)!.shift();
    expect(out?.message.type, `next message from ${from === this.a ? 'a' : 'b'}`).toBe(type);
    this.#handOver(from, out!);
  }

  /** Delivers everything, both ways, until nothing moves. */
  deliverAll(): void {
    for (let guard = 0; guard < 200; guard++) {
      this.pump();
      const from = [this.a, this.b].find((n) => this.queues.get(n)!.length > 0);
      if (from === undefined) return;
      this.#handOver(from, this.queues.get(from)!.shift()!);
    }
    throw new Error('messages keep coming');
  }

  sendHtlc(): void {
    const cltvExpiry = this.s.net.chain.height + 100;
    this.htlcId = this.a.manager.internalSendHtlc(this.s.channelId, {
      amountMsat: AMOUNT_MSAT,
      paymentHash: this.paymentHash,
      cltvExpiry,
      onionRoutingPacket: onionTo(this.b.nodeId, this.paymentHash, AMOUNT_MSAT, cltvExpiry),
    });
    this.pump();
  }

  received(): ChannelEvent[] {
    return this.htlcEvents.get(this.b)!.filter((e) => e.type === 'HtlcReceived');
  }

  claim(): void {
    const [r] = this.received();
    if (r?.type !== 'HtlcReceived') throw new Error('b has no HTLC to claim');
    this.b.manager.internalClaimHtlc(this.s.channelId, r.htlcId, this.preimage);
    this.claimed = true;
    this.pump();
  }

  /**
   * `node` crashes and starts again from its manager and monitors as stored now. Messages in
   * flight are lost; the peer sees the connection drop; the restarted manager, which never saw
   * the old connection, is only told of the new one; both reestablish.
   */
  restart(node: NetNode): void {
    this.pump();
    node.restart();
    this.other(node).manager.peerDisconnected(node.nodeId);
    for (const n of [this.a, this.b]) this.queues.get(n)!.length = 0;
    this.s.net.connect(this.a, this.b);
    this.s.net.connect(this.b, this.a);
    this.deliverAll();
  }

  /** Runs what is left of the dance: delivers, and claims once b has the HTLC. */
  finish(): void {
    for (let round = 0; round < 3; round++) {
      this.deliverAll();
      if (this.claimed || this.received().length === 0) return;
      this.claim();
    }
  }

  eventsOf(node: NetNode, type: ChannelEvent['type']): ChannelEvent[] {
    return this.htlcEvents.get(node)!.filter((e) => e.type === type);
  }

  /**
   * Received once and settled: `fulfilReports` `HtlcFulfilled` for the one HTLC (more than one
   * when a fulfil was lost with the connection and sent again), balances moved once, nothing
   * pending, the commitments agreed and valid against the funding output.
   */
  expectSettled(fulfilReports: number): void {
    const { a, b, s } = this;
    expect(this.received()).toMatchObject([{ htlcId: this.htlcId, amountMsat: AMOUNT_MSAT }]);
    const fulfilled = {
      htlcId: this.htlcId,
      amountMsat: AMOUNT_MSAT,
      paymentPreimage: this.preimage,
    };
    expect(this.eventsOf(a, 'HtlcFulfilled')).toMatchObject(
      new Array<typeof fulfilled>(fulfilReports).fill(fulfilled),
    );
    for (const n of [a, b]) {
      expect(this.eventsOf(n, 'HtlcFailed')).toEqual([]);
      expect(n.manager.listUsableChannels().map((c) => c.channelId)).toEqual([s.channelId]);
    }
    expect(a.manager.listChannels()[0]!.balanceMsat).toBe(this.balanceMsat[0]! - AMOUNT_MSAT);
    expect(b.manager.listChannels()[0]!.balanceMsat).toBe(this.balanceMsat[1]! + AMOUNT_MSAT);
    const [sa, sb] = [a, b].map((n) => n.manager.internalChannel(s.channelId).state);
    for (const state of [sa!, sb!]) {
      expect(state.holderCommitment!.spec.htlcs).toEqual([]);
      expect(state.counterpartyCommitment!.spec.htlcs).toEqual([]);
      expect(state.pendingRevocation).toBeUndefined();
      expect(Object.values(state.updates).flat()).toEqual([]);
      expect(state.awaitingReestablish).toBe(false);
    }
    // Each side holds the commitment the other signed last for it.
    expect(sa!.holderCommitment!.txid).toEqual(sb!.counterpartyCommitment!.txid);
    expect(sb!.holderCommitment!.txid).toEqual(sa!.counterpartyCommitment!.txid);
    for (const n of [a, b]) {
      const broadcast = n.manager.internalChannel(s.channelId).signHolderCommitmentTransactions();
      expect(broadcast.htlcTxs).toEqual([]);
      const result = verifyTransaction(broadcast.commitmentTx, [s.fundingPrevout], {
        spendHeight: s.net.chain.height + 1,
        spendMedianTimePast: s.net.chain.medianTimePast(),
        prevoutHeights: [s.fundingHeight],
      });
      expect(result).toEqual({ ok: true });
      expect(parseTransaction(broadcast.commitmentTx).outputs.length).toBeGreaterThanOrEqual(2);
    }
  }
}

interface Step {
  readonly name: string;
  readonly run: (d: Dance) => void;
}

/** The dance, one message at a time; a restart follows each step in turn. */
const STEPS: readonly Step[] = [
  { name: 'a offers the HTLC', run: (d) => d.sendHtlc() },
  { name: 'update_add_htlc reaches b', run: (d) => d.deliver(d.a, 'update_add_htlc') },
  { name: "a's commitment_signed reaches b", run: (d) => d.deliver(d.a, 'commitment_signed') },
  { name: "b's revoke_and_ack reaches a", run: (d) => d.deliver(d.b, 'revoke_and_ack') },
  { name: "b's commitment_signed reaches a", run: (d) => d.deliver(d.b, 'commitment_signed') },
  { name: "a's revoke_and_ack reaches b", run: (d) => d.deliver(d.a, 'revoke_and_ack') },
  { name: 'b claims the HTLC', run: (d) => d.claim() },
  { name: 'update_fulfill_htlc reaches a', run: (d) => d.deliver(d.b, 'update_fulfill_htlc') },
  { name: "b's commitment_signed reaches a", run: (d) => d.deliver(d.b, 'commitment_signed') },
  { name: "a's revoke_and_ack reaches b", run: (d) => d.deliver(d.a, 'revoke_and_ack') },
  { name: "a's commitment_signed reaches b", run: (d) => d.deliver(d.a, 'commitment_signed') },
  { name: "b's revoke_and_ack reaches a", run: (d) => d.deliver(d.b, 'revoke_and_ack') },
];

/**
 * The fulfil reached a but no commitment covered it when the connection dropped: b sends it
 * again and a reports it again (`HtlcFulfilled` is at least once, see `channel/events.ts`).
 */
const FULFIL_UNCOMMITTED = STEPS[7]!;

type Restarts = (step: number) => 'a' | 'b';

/** The reference dance, then a restart after each step in turn, of the side `restarts` names. */
function restartAfterEachStep(channelType: ChannelTypeName, restarts: Restarts): void {
  const s = setup(channelType);
  const reference = new Dance(s, 1);
  for (const step of STEPS) step.run(reference);
  reference.pump();
  expect([...reference.queues.values()].flat()).toEqual([]);
  reference.expectSettled(1);
  for (const [k, step] of STEPS.entries()) {
    const d = new Dance(s, 2 + k);
    for (const done of STEPS.slice(0, k + 1)) done.run(d);
    const side = restarts(k);
    d.restart(side === 'a' ? d.a : d.b);
    d.finish();
    try {
      d.expectSettled(step === FULFIL_UNCOMMITTED ? 2 : 1);
    } catch (e) {
      throw new Error(`restart of ${side} after step ${k + 1} (${step.name})`, { cause: e });
    }
  }
}

describe('ChannelManager restart at every step of the commitment dance', () => {
  it('anchors: the payer (a) restarts after each step', () => {
    restartAfterEachStep('anchors_zero_fee_htlc_tx', () => 'a');
  });

  it('anchors: the payee (b) restarts after each step', () => {
    restartAfterEachStep('anchors_zero_fee_htlc_tx', () => 'b');
  });

  // The restart logic does not depend on the commitment format: static_remotekey runs every
  // step once, the side alternating, to keep the suite's time down.
  it('static_remotekey: a and b restart in turn, one after each step', () => {
    restartAfterEachStep('static_remotekey', (k) => (k % 2 === 0 ? 'a' : 'b'));
  });
});
