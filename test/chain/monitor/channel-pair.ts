/**
 * Two real `Channel`s (fixed seeds) opened against each other on a `TestChain`, messages
 * delivered by direct calls. Every `ChannelMonitorUpdate` either side hands out is recorded per
 * side and passed to an optional sink (a `ChainMonitor` in the tests), then reported completed
 * to the channel so held messages flow on.
 */
import type { ChannelMonitorUpdateStep } from '../../../src/chain/channel-monitor-update-steps.js';
import type { FeeEstimator } from '../../../src/chain/fee-estimator.js';
import type { ChannelMonitorUpdate } from '../../../src/chain/watch.js';
import { Channel } from '../../../src/channel-manager/channel/channel.js';
import type { ChannelOutput } from '../../../src/channel-manager/channel/context.js';
import type { ChannelEvent } from '../../../src/channel-manager/channel/events.js';
import { KeysManager } from '../../../src/keys/keys-manager.js';
import { fundingScriptPubkey } from '../../../src/tx/scripts/funding.js';
import { fromHex } from '../../../src/util/bytes.js';
import type { Message } from '../../../src/wire/message.js';
import { ourInitFeatures } from '../../../src/wire/our-features.js';
import { REGTEST_GENESIS_HASH, TestChain } from '../../support/test-chain.js';

/** A monitor update with the channel layer's step variants. */
export interface StepUpdate extends ChannelMonitorUpdate {
  readonly steps: readonly ChannelMonitorUpdateStep[];
}

export interface Side {
  readonly name: 'a' | 'b';
  readonly keys: KeysManager;
  channel: Channel;
  /** Every update this side handed out, in order. */
  readonly updates: StepUpdate[];
  readonly events: ChannelEvent[];
  /** Called with each update before the channel hears it was persisted. */
  onUpdate: ((update: StepUpdate) => void) | undefined;
}

export const FEERATE_SAT_PER_KW = 2500;
const feeEstimator: FeeEstimator = { getEstSatPer1000Weight: () => FEERATE_SAT_PER_KW };
const chainHash = fromHex(REGTEST_GENESIS_HASH).reverse();

function keysFor(seedByte: number): KeysManager {
  return new KeysManager(new Uint8Array(32).fill(seedByte), 1_700_000_000, seedByte, {
    getRandomValues: null,
  });
}

export interface ChannelPairOptions {
  readonly fundingValueSat?: bigint;
  readonly pushMsat?: bigint;
  readonly anchors?: boolean;
  readonly toSelfDelay?: number;
}

export class ChannelPair {
  readonly chain: TestChain;
  readonly a: Side;
  readonly b: Side;
  fundingTx: Uint8Array = new Uint8Array(0);
  fundingHeight = 0;

  private constructor(chain: TestChain, a: Side, b: Side) {
    this.chain = chain;
    this.a = a;
    this.b = b;
  }

  /**
   * Opens a channel from a to b, funded from the chain's wallet, and exchanges `channel_ready`
   * after the funding confirms. `onUpdate` hooks may be set on the sides before `open` runs
   * through `beforeFunding`.
   */
  static open(
    options: ChannelPairOptions = {},
    beforeFunding?: (pair: ChannelPair) => void,
  ): ChannelPair {
    const chain = new TestChain();
    chain.mineBlocks(101);
    const config = {
      proposeAnchors: options.anchors ?? false,
      ourToSelfDelay: options.toSelfDelay ?? 144,
      minimumDepth: 3,
      announceChannel: false,
    };
    const makeSide = (name: 'a' | 'b', seed: number): Side => ({
      name,
      keys: keysFor(seed),
      channel: undefined as unknown as Channel,
      updates: [],
      events: [],
      onUpdate: undefined,
    });
    const a = makeSide('a', 0x11);
    const b = makeSide('b', 0x22);
    const pair = new ChannelPair(chain, a, b);
    beforeFunding?.(pair);
    const opened = Channel.openOutbound(
      {
        chainHash,
        fundingValueSat: options.fundingValueSat ?? 1_000_000n,
        pushMsat: options.pushMsat ?? 100_000_000n,
        userChannelId: 1n,
        theirFeatures: ourInitFeatures,
      },
      { keys: a.keys, feeEstimator, config },
    );
    a.channel = opened.channel;
    const open = opened.output.messages[0]!;
    if (open.type !== 'open_channel') throw new Error('expected open_channel');
    const accepted = Channel.acceptInbound(
      open,
      { chainHash, userChannelId: 2n, theirFeatures: ourInitFeatures },
      { keys: b.keys, feeEstimator, config },
    );
    b.channel = accepted.channel;
    pair.deliver(b, accepted.output);
    const fundingScript = fundingScriptPubkey(
      a.channel.state.holderParams.pubkeys.fundingPubkey,
      b.channel.state.holderParams.pubkeys.fundingPubkey,
    );
    const fundingTx = chain.wallet.createFundingTx([
      { scriptPubKey: fundingScript, valueSat: a.channel.state.fundingValueSat },
    ]);
    pair.fundingTx = fundingTx;
    pair.deliver(a, a.channel.fundingTransactionGenerated(fundingTx));
    chain.broadcast(fundingTx);
    chain.mineBlocks(1);
    pair.fundingHeight = chain.height;
    for (const s of [a, b]) {
      pair.deliver(s, s.channel.fundingConfirmed({ height: chain.height, txIndex: 1, fundingTx }));
    }
    chain.mineBlocks(2);
    for (const s of [a, b]) pair.deliver(s, s.channel.bestBlockUpdated(chain.height));
    return pair;
  }

  other(side: Side): Side {
    return side === this.a ? this.b : this.a;
  }

  /** Handles one call's output of `from`: updates first (persisted at once), then messages. */
  deliver(from: Side, output: ChannelOutput): void {
    from.events.push(...output.events);
    for (const u of output.monitorUpdates) {
      const update = u as StepUpdate;
      from.updates.push(update);
      from.onUpdate?.(update);
      this.deliver(from, from.channel.monitorUpdatingCompleted(update.updateId));
    }
    const to = this.other(from);
    for (const m of output.messages) this.send(to, m);
  }

  send(to: Side, m: Message): void {
    this.deliver(to, to.channel.handleMessage(m));
  }

  /** `from` offers an HTLC to the other side and both commit it. Returns the HTLC id. */
  addHtlc(from: Side, amountMsat: bigint, paymentHash: Uint8Array, cltvExpiry: number): bigint {
    const { htlcId, output } = from.channel.sendHtlc({
      amountMsat,
      paymentHash,
      cltvExpiry,
      onionRoutingPacket: new Uint8Array(1366),
    });
    this.deliver(from, output);
    this.deliver(from, from.channel.sendCommitment());
    return htlcId;
  }

  /** `by` fulfils the HTLC it received and both commit the removal. */
  fulfillHtlc(by: Side, htlcId: bigint, paymentPreimage: Uint8Array): void {
    this.deliver(by, by.channel.claimHtlc(htlcId, paymentPreimage));
    this.deliver(by, by.channel.sendCommitment());
  }
}
