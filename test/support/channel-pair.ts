/**
 * Two `Channel`s between nodes `a` (the opener) and `b`, built from `KeysManager`s with fixed
 * seeds, for the BOLT 2 channel tests. Nothing is delivered by itself: each node collects what
 * its channel produced (messages in an outbox, monitor updates, events), and the test delivers
 * messages by direct calls in the order it picks (`deliver`, `deliverAll`). Monitor updates are
 * reported persisted at once unless a node's `autoPersist` is off.
 *
 * The funding transaction spends a made-up P2WPKH coin with a real signature, so it parses and
 * has only segwit inputs; it is never broadcast (the script tests check commitments against its
 * funding output only).
 */
import { expect } from 'vitest';
import { ConfirmationTarget, type FeeEstimator } from '../../src/chain/fee-estimator.js';
import type { ChannelMonitorUpdate } from '../../src/chain/watch.js';
import { nobleBackend } from '../../src/crypto/noble.js';
import { KeysManager } from '../../src/keys/keys-manager.js';
import { Channel, type ChannelOptions } from '../../src/channel-manager/channel/channel.js';
import type { ChannelConfig } from '../../src/channel-manager/channel/config.js';
import type { ChannelOutput } from '../../src/channel-manager/channel/context.js';
import type { ChannelEvent } from '../../src/channel-manager/channel/events.js';
import {
  deserializeChannel,
  serializeChannel,
} from '../../src/channel-manager/channel/serialize.js';
import { ChannelPhase } from '../../src/channel-manager/channel/state.js';
import { chainHashOf } from '../../src/peer-manager/chain-hash.js';
import { p2wpkhScriptPubkey } from '../../src/tx/scripts/templates.js';
import { compileScript, Opcode } from '../../src/tx/scripts/script.js';
import { p2wpkhWitness } from '../../src/tx/scripts/witness.js';
import { segwitV0Sighash } from '../../src/tx/sighash.js';
import { SighashType } from '../../src/tx/signature-encoding.js';
import { serializeTransaction, withWitness, type Transaction } from '../../src/tx/transaction.js';
import type { Features } from '../../src/wire/features.js';
import type { Message } from '../../src/wire/message.js';
import { ONION_PACKET_LENGTH } from '../../src/wire/messages/commitment.js';
import { ourInitFeatures } from '../../src/wire/our-features.js';

const crypto = nobleBackend;

export const CHAIN_HASH = chainHashOf('regtest');
export const FUNDING_VALUE_SAT = 1_000_000n;
/** Height at which the tests confirm the funding transaction. */
export const FUNDING_HEIGHT = 500;

/** Feerates every test node's estimator starts with (sat/kW); tests may change them. */
export function defaultFeerates(): Record<ConfirmationTarget, number> {
  return {
    MaximumFeeEstimate: 50_000,
    UrgentOnChainSweep: 5000,
    MinAllowedAnchorChannelRemoteFee: 253,
    MinAllowedNonAnchorChannelRemoteFee: 253,
    AnchorChannelFee: 1000,
    NonAnchorChannelFee: 2500,
    ChannelCloseMinimum: 253,
    OutputSpendingFee: 1000,
  };
}

/** A fee estimator whose answers the test sets. */
export class TestFeeEstimator implements FeeEstimator {
  readonly feerates = defaultFeerates();
  getEstSatPer1000Weight(target: ConfirmationTarget): number {
    return this.feerates[target];
  }
}

/** One side: its keys, channel and everything the channel produced. */
export class TestNode {
  readonly keys: KeysManager;
  readonly feeEstimator = new TestFeeEstimator();
  channel!: Channel;
  readonly outbox: Message[] = [];
  readonly events: ChannelEvent[] = [];
  readonly monitorUpdates: ChannelMonitorUpdate[] = [];
  /** Report every monitor update persisted as soon as it is handed out. */
  autoPersist = true;
  config: Partial<ChannelConfig>;

  readonly name: 'a' | 'b';

  constructor(name: 'a' | 'b', seedByte: number, config: Partial<ChannelConfig> = {}) {
    this.name = name;
    this.keys = new KeysManager(new Uint8Array(32).fill(seedByte), 1_700_000_000, seedByte, {
      getRandomValues: null,
    });
    this.config = config;
  }

  get options(): ChannelOptions {
    return { keys: this.keys, feeEstimator: this.feeEstimator, config: this.config };
  }

  /**
   * After every call, replace the channel by one serialized and restored (checking the bytes
   * round-trip exactly), so a whole scenario runs on restored channels.
   */
  roundTrip = false;
  /** How many round trips were made. */
  roundTrips = 0;

  /** Serializes the channel, restores it, checks the bytes round-trip, and uses the copy. */
  restoreFromBytes(): void {
    const bytes = serializeChannel(this.channel);
    const restored = deserializeChannel(bytes, this.options);
    expect(serializeChannel(restored)).toEqual(bytes);
    const { counterpartySecrets: before, ...stateBefore } = this.channel.state;
    const { counterpartySecrets: after, ...stateAfter } = restored.state;
    expect(stateAfter).toEqual(stateBefore);
    expect(after.serialize()).toEqual(before.serialize());
    this.channel = restored;
    this.roundTrips++;
  }

  /** Files a channel call's output; persists monitor updates when `autoPersist`. */
  absorb(output: ChannelOutput): ChannelOutput {
    if (this.roundTrip) this.restoreFromBytes();
    this.outbox.push(...output.messages);
    this.events.push(...output.events);
    this.monitorUpdates.push(...output.monitorUpdates);
    if (this.autoPersist && output.monitorUpdates.length > 0) {
      const last = output.monitorUpdates[output.monitorUpdates.length - 1]!;
      this.absorb(this.channel.monitorUpdatingCompleted(last.updateId));
    }
    return output;
  }

  /** Reports every update handed out so far persisted. */
  persistAll(): void {
    const last = this.monitorUpdates[this.monitorUpdates.length - 1];
    if (last !== undefined) this.absorb(this.channel.monitorUpdatingCompleted(last.updateId));
  }

  /** Removes and returns the events gathered so far. */
  takeEvents(): ChannelEvent[] {
    return this.events.splice(0);
  }

  /** The types of the messages waiting in the outbox. */
  pending(): string[] {
    return this.outbox.map((m) => m.type);
  }
}

export interface PairOptions {
  /** `anchors` (default) or `static_remotekey`. */
  readonly channelType?: 'anchors' | 'static_remotekey';
  readonly fundingValueSat?: bigint;
  readonly pushMsat?: bigint;
  readonly configA?: Partial<ChannelConfig>;
  readonly configB?: Partial<ChannelConfig>;
  /** `b`'s view of `a`'s init features (and the other way round); ours by default. */
  readonly features?: Features;
  /** Serialize and restore both channels after every call (see `TestNode.roundTrip`). */
  readonly roundTrip?: boolean;
}

/** A deterministic dummy onion (opaque at this layer). */
export function dummyOnion(tag: number): Uint8Array {
  return new Uint8Array(ONION_PACKET_LENGTH).fill(tag & 0xff);
}

/** A preimage and its payment hash, from a small number. */
export function preimageOf(n: number): { preimage: Uint8Array; paymentHash: Uint8Array } {
  const preimage = crypto.sha256(Uint8Array.of(0x70, n & 0xff, n >> 8));
  return { preimage, paymentHash: crypto.sha256(preimage) };
}

const WALLET_SECRET = new Uint8Array(32).fill(0x33);
const WALLET_PUBKEY = crypto.getPublicKey(WALLET_SECRET);

/** A signed transaction paying `valueSat` to `script` from a made-up P2WPKH coin. */
export function fundingTransaction(script: Uint8Array, valueSat: bigint): Uint8Array {
  const coinValueSat = valueSat + 100_000n;
  const unsigned: Transaction = {
    version: 2,
    inputs: [
      {
        prevout: { txid: new Uint8Array(32).fill(0x11), vout: 0 },
        scriptSig: new Uint8Array(0),
        sequence: 0xfffffffd,
        witness: [],
      },
    ],
    outputs: [
      { valueSat: 50_000n, scriptPubkey: p2wpkhScriptPubkey(WALLET_PUBKEY) },
      { valueSat, scriptPubkey: script },
    ],
    locktime: 0,
  };
  const scriptCode = compileScript([
    Opcode.OP_DUP,
    Opcode.OP_HASH160,
    crypto.hash160(WALLET_PUBKEY),
    Opcode.OP_EQUALVERIFY,
    Opcode.OP_CHECKSIG,
  ]);
  const digest = segwitV0Sighash({
    tx: unsigned,
    inputIndex: 0,
    witnessScript: scriptCode,
    valueSat: coinValueSat,
    sighashType: SighashType.All,
  });
  const signed = withWitness(
    unsigned,
    0,
    p2wpkhWitness(crypto.sign(digest, WALLET_SECRET), WALLET_PUBKEY),
  );
  return serializeTransaction(signed);
}

interface ReadyTemplate {
  readonly fundingTx: Uint8Array;
  readonly a: { readonly bytes: Uint8Array; readonly monitorUpdates: ChannelMonitorUpdate[] };
  readonly b: { readonly bytes: Uint8Array; readonly monitorUpdates: ChannelMonitorUpdate[] };
}

const readyTemplates = new Map<string, ReadyTemplate>();

/** The two nodes and their channel. */
export class ChannelPair {
  readonly a: TestNode;
  readonly b: TestNode;
  readonly options: PairOptions;
  fundingTx: Uint8Array | undefined;

  constructor(options: PairOptions = {}) {
    this.options = options;
    const anchors = (options.channelType ?? 'anchors') === 'anchors';
    this.a = new TestNode('a', 0x41, { proposeAnchors: anchors, ...options.configA });
    this.b = new TestNode('b', 0x42, options.configB);
    this.a.roundTrip = this.b.roundTrip = options.roundTrip ?? false;
  }

  other(node: TestNode): TestNode {
    return node === this.a ? this.b : this.a;
  }

  /** `a` opens: its `open_channel` waits in its outbox. */
  open(): void {
    const { channel, output } = Channel.openOutbound(
      {
        chainHash: CHAIN_HASH,
        fundingValueSat: this.options.fundingValueSat ?? FUNDING_VALUE_SAT,
        pushMsat: this.options.pushMsat ?? 0n,
        userChannelId: 1n,
        theirFeatures: this.options.features ?? ourInitFeatures,
      },
      this.a.options,
    );
    this.a.channel = channel;
    this.a.absorb(output);
  }

  /** `b` accepts the `open_channel` waiting in `a`'s outbox. */
  accept(): void {
    const open = this.a.outbox.shift();
    if (open?.type !== 'open_channel') throw new Error(`expected open_channel, got ${open?.type}`);
    const { channel, output } = Channel.acceptInbound(
      open,
      {
        chainHash: CHAIN_HASH,
        userChannelId: 2n,
        theirFeatures: this.options.features ?? ourInitFeatures,
      },
      this.b.options,
    );
    this.b.channel = channel;
    this.b.absorb(output);
  }

  /** Delivers the first message of `from`'s outbox to the other node. */
  deliver(from: TestNode): Message {
    const m = from.outbox.shift();
    if (m === undefined) throw new Error(`${from.name} has nothing to send`);
    this.other(from).absorb(this.other(from).channel.handleMessage(m));
    return m;
  }

  /** Delivers `type`, which must be first in `from`'s outbox. */
  expectDeliver(from: TestNode, type: Message['type']): Message {
    expect(from.outbox[0]?.type, `${from.name}'s next message`).toBe(type);
    return this.deliver(from);
  }

  /** Delivers messages both ways, in order, until both outboxes are empty. */
  deliverAll(): void {
    for (let guard = 0; guard < 1000; guard++) {
      if (this.a.outbox.length > 0) this.deliver(this.a);
      else if (this.b.outbox.length > 0) this.deliver(this.b);
      else return;
    }
    throw new Error('deliverAll: messages keep coming');
  }

  /** Runs the opening up to both first commitments signed (funding not confirmed). */
  fund(): void {
    this.open();
    this.accept();
    this.expectDeliver(this.b, 'accept_channel');
    const ready = this.a.takeEvents().find((e) => e.type === 'FundingGenerationReady');
    if (ready?.type !== 'FundingGenerationReady') throw new Error('no FundingGenerationReady');
    this.fundingTx = fundingTransaction(ready.outputScript, ready.fundingValueSat);
    this.a.absorb(this.a.channel.fundingTransactionGenerated(this.fundingTx));
    this.expectDeliver(this.a, 'funding_created');
    this.expectDeliver(this.b, 'funding_signed');
  }

  /** Confirms the funding at `FUNDING_HEIGHT` and mines until both are at minimum depth. */
  confirm(): void {
    for (const node of [this.a, this.b]) {
      node.absorb(
        node.channel.fundingConfirmed({
          height: FUNDING_HEIGHT,
          txIndex: 1,
          fundingTx: this.fundingTx!,
        }),
      );
      node.absorb(node.channel.bestBlockUpdated(FUNDING_HEIGHT + 10));
    }
    this.deliverAll();
  }

  /**
   * A ready channel: opened, funded, confirmed, both `channel_ready`s exchanged. The opening is
   * run once per set of options; later calls restore both channels from its serialized state
   * (which the serialization tests prove equivalent), to keep the suite fast.
   */
  static ready(options: PairOptions = {}): ChannelPair {
    const key = JSON.stringify(options, (_k, v: unknown) =>
      typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? Array.from(v) : v,
    );
    const template = readyTemplates.get(key);
    if (template !== undefined) {
      const pair = new ChannelPair(options);
      pair.fundingTx = template.fundingTx;
      for (const [node, t] of [
        [pair.a, template.a],
        [pair.b, template.b],
      ] as const) {
        node.channel = deserializeChannel(t.bytes, node.options);
        node.monitorUpdates.push(...t.monitorUpdates);
      }
      return pair;
    }
    const pair = new ChannelPair(options);
    pair.fund();
    pair.confirm();
    expect(pair.a.channel.phase).toBe(ChannelPhase.ChannelReady);
    expect(pair.b.channel.phase).toBe(ChannelPhase.ChannelReady);
    pair.a.takeEvents();
    pair.b.takeEvents();
    readyTemplates.set(key, {
      fundingTx: pair.fundingTx!,
      a: { bytes: serializeChannel(pair.a.channel), monitorUpdates: [...pair.a.monitorUpdates] },
      b: { bytes: serializeChannel(pair.b.channel), monitorUpdates: [...pair.b.monitorUpdates] },
    });
    return pair;
  }

  /** `from` offers an HTLC of `amountMsat` (not committed yet). */
  addHtlc(
    from: TestNode,
    amountMsat: bigint,
    n: number,
    cltvExpiry = 600,
  ): { htlcId: bigint; preimage: Uint8Array; paymentHash: Uint8Array } {
    const { preimage, paymentHash } = preimageOf(n);
    const { htlcId, output } = from.channel.sendHtlc({
      amountMsat,
      paymentHash,
      cltvExpiry,
      onionRoutingPacket: dummyOnion(n),
    });
    from.absorb(output);
    return { htlcId, preimage, paymentHash };
  }

  /**
   * The connection drops (messages in flight are lost) and comes back: both send
   * `channel_reestablish`; they are delivered, then whatever follows is left in the outboxes.
   */
  reconnect(): void {
    for (const node of [this.a, this.b]) {
      node.outbox.length = 0;
      node.absorb(node.channel.peerDisconnected());
    }
    for (const node of [this.a, this.b]) node.absorb(node.channel.peerConnected());
    this.expectDeliver(this.a, 'channel_reestablish');
    this.expectDeliver(this.b, 'channel_reestablish');
  }

  /** `from` signs and the whole dance runs to completion. */
  commit(from: TestNode): void {
    from.absorb(from.channel.sendCommitment());
    this.deliverAll();
  }
}
