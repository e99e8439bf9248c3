/**
 * Channels on an LDK test node: opening (`create_channel`, then funding from the test chain's
 * wallet on `FundingGenerationReady`), accepting (`OpenChannelRequest` under a configurable
 * policy, including zero-conf), the channel lifecycle events as plain records, `list_channels`
 * as plain objects, and both ways of closing.
 *
 * Everything here runs outside LDK callbacks: the node collects events during
 * `process_pending_events` and hands them to `handleEvent` afterwards, so answering an event by
 * calling the `ChannelManager` never re-enters WASM.
 * https://github.com/lightning/bolts/blob/master/02-peer-protocol.md#channel-establishment
 */
import { hex } from '@scure/base';
import type {
  APIError,
  ChannelId,
  ChannelManager,
  ChannelTypeFeatures,
  Event,
  Event_FundingGenerationReady,
  Event_OpenChannelRequest,
  Result_NoneAPIErrorZ,
} from 'lightningdevkit';
import { computeTxid } from '../../../src/chain/txid.js';
import { featureBitsFromLeFlags } from './custom-messages.js';
import type { LdkChain } from './ldk-chain.js';
import { ldkBool } from './load.js';
import type { Ldk } from './load.js';
import { parseNodeId } from './node-id.js';
import { makeUserConfig } from './user-config.js';
import type { LdkConfigOptions } from './user-config.js';

/** How a node answers an inbound `open_channel`. */
export type InboundChannelDecision = 'accept' | 'acceptZeroConf' | 'reject';

/** An `OpenChannelRequest` event, as the inbound policy sees it. */
export interface LdkOpenChannelRequest {
  readonly temporaryChannelIdHex: string;
  readonly counterpartyHex: string;
  readonly fundingSat: bigint;
  readonly pushMsat: bigint;
  /** Feature bits of the proposed `channel_type` (BOLT 9 numbering). */
  readonly channelTypeBits: readonly number[];
  readonly anchors: boolean;
  readonly announced: boolean;
}

/** A fixed answer, or a function choosing one per request. */
export type InboundChannelPolicy =
  InboundChannelDecision | ((request: LdkOpenChannelRequest) => InboundChannelDecision);

export interface LdkOutPoint {
  /** Display (byte-reversed) hex, as block explorers and `TestChain` print txids. */
  readonly txid: string;
  readonly index: number;
}

/** One channel as LDK's `list_channels()` reports it. */
export interface LdkChannelInfo {
  readonly channelIdHex: string;
  readonly counterpartyHex: string;
  readonly fundingTxo: LdkOutPoint | undefined;
  /** BOLT 7 short channel id once the funding is deep enough, as a u64. */
  readonly shortChannelId: bigint | undefined;
  readonly capacitySat: bigint;
  readonly outboundCapacityMsat: bigint;
  readonly inboundCapacityMsat: bigint;
  readonly isOutbound: boolean;
  readonly isUsable: boolean;
  readonly isChannelReady: boolean;
  readonly confirmations: number | undefined;
  readonly confirmationsRequired: number | undefined;
  readonly channelTypeBits: readonly number[];
  readonly anchors: boolean;
  /** HTLCs pending in either direction. */
  readonly pendingHtlcs: number;
}

/** The channel events of one node, as plain records in arrival order. */
export type LdkChannelEvent =
  | {
      readonly type: 'FundingGenerationReady';
      readonly temporaryChannelIdHex: string;
      readonly counterpartyHex: string;
      readonly valueSat: bigint;
      /** The funding transaction built from the chain wallet, if that worked. */
      readonly fundingTxid: string | undefined;
    }
  | (LdkOpenChannelRequest & {
      readonly type: 'OpenChannelRequest';
      readonly decision: InboundChannelDecision;
    })
  | {
      readonly type: 'ChannelPending';
      readonly channelIdHex: string;
      readonly formerTemporaryChannelIdHex: string;
      readonly counterpartyHex: string;
      readonly fundingTxo: LdkOutPoint;
      readonly channelTypeBits: readonly number[];
    }
  | {
      readonly type: 'ChannelReady';
      readonly channelIdHex: string;
      readonly counterpartyHex: string;
      readonly channelTypeBits: readonly number[];
    }
  | {
      readonly type: 'ChannelClosed';
      readonly channelIdHex: string;
      readonly counterpartyHex: string;
      /** LDK's `ClosureReason` variant, e.g. `HolderForceClosed`. */
      readonly reason: string;
      /** LDK's own description of the reason. */
      readonly reasonText: string;
      readonly capacitySat: bigint | undefined;
    }
  | {
      readonly type: 'DiscardFunding';
      readonly channelIdHex: string;
    };

export interface LdkChannelsContext {
  readonly ldk: Ldk;
  readonly name: string;
  readonly channelManager: ChannelManager;
  readonly chain: LdkChain;
  /** The node's own configuration, the base of per-channel overrides. */
  readonly config: LdkConfigOptions;
  readonly inboundPolicy: InboundChannelPolicy;
  log(line: string): void;
}

export interface CreateChannelOptions {
  /** Propose `option_anchors_zero_fee_htlc_tx`; the node's setting by default. */
  readonly anchors?: boolean;
  /** Announce the channel (BOLT 7); private by default. */
  readonly announced?: boolean;
  /** Fee rate of the funding transaction the wallet builds; 1000 sat/kW by default. */
  readonly fundingFeerateSatPerKw?: number;
}

/** Thrown when LDK answers an API call with an `APIError`. */
export class LdkApiError extends Error {
  /** The `APIError` variant, e.g. `APIMisuseError` or `ChannelUnavailable`. */
  readonly kind: string;
  constructor(call: string, error: APIError) {
    const kind = variantName(error, 'APIError_');
    const text = 'err' in error && typeof error.err === 'string' ? error.err : '';
    super(`${call}: LDK ${kind}${text === '' ? '' : `: ${text}`}`);
    this.name = 'LdkApiError';
    this.kind = kind;
  }
}

export class LdkChannels {
  readonly events: LdkChannelEvent[] = [];
  /** Failures while answering events (funding the wallet could not build, refused calls). */
  readonly errors: string[] = [];
  /** Funding transactions built for this node's channels, by temporary channel id. */
  readonly fundingTxs = new Map<string, Uint8Array>();
  private readonly ctx: LdkChannelsContext;
  private readonly fundingFeerates = new Map<string, number>();
  private nextUserChannelId = 1n;

  constructor(ctx: LdkChannelsContext) {
    this.ctx = ctx;
  }

  /**
   * Proposes a channel to a connected peer (BOLT 2 `open_channel`) and returns the temporary
   * channel id. Funding follows on its own: `FundingGenerationReady` builds a signed funding
   * transaction from the chain wallet, LDK broadcasts it after `funding_signed`, and the test
   * mines it. Throws `LdkApiError` when LDK refuses (peer not connected, value out of range).
   */
  createChannel(
    theirNodeIdHex: string,
    valueSat: bigint,
    pushMsat: bigint,
    options: CreateChannelOptions = {},
  ): string {
    const { ldk } = this.ctx;
    const config = makeUserConfig(ldk, {
      ...this.ctx.config,
      ...(options.anchors === undefined ? {} : { anchors: options.anchors }),
    });
    const handshake = config.get_channel_handshake_config();
    handshake.set_announce_for_forwarding(options.announced ?? false);
    config.set_channel_handshake_config(handshake);
    const result = this.ctx.channelManager.create_channel(
      parseNodeId(theirNodeIdHex),
      valueSat,
      pushMsat,
      this.nextUserChannelId++,
      null,
      config,
    );
    if (result instanceof ldk.Result_ChannelIdAPIErrorZ_Err) {
      throw new LdkApiError('create_channel', result.err);
    }
    if (!(result instanceof ldk.Result_ChannelIdAPIErrorZ_OK)) {
      throw new Error('create_channel: unexpected result');
    }
    const temporaryChannelIdHex = hex.encode(result.res.get_a());
    if (options.fundingFeerateSatPerKw !== undefined) {
      this.fundingFeerates.set(temporaryChannelIdHex, options.fundingFeerateSatPerKw);
    }
    return temporaryChannelIdHex;
  }

  /** Every channel LDK knows, pending ones included. */
  listChannels(): LdkChannelInfo[] {
    const { ldk } = this.ctx;
    return this.ctx.channelManager.list_channels().map((d) => {
      const txo = d.get_funding_txo() as ReturnType<typeof d.get_funding_txo> | null;
      const scid = d.get_short_channel_id();
      const confirmations = d.get_confirmations();
      const required = d.get_confirmations_required();
      const type = d.get_channel_type() as ChannelTypeFeatures | null;
      return {
        channelIdHex: hex.encode(d.get_channel_id().get_a()),
        counterpartyHex: hex.encode(d.get_counterparty().get_node_id()),
        fundingTxo: txo === null ? undefined : outPointOf(txo.get_txid(), txo.get_index()),
        shortChannelId: scid instanceof ldk.Option_u64Z_Some ? scid.some : undefined,
        capacitySat: d.get_channel_value_satoshis(),
        outboundCapacityMsat: d.get_outbound_capacity_msat(),
        inboundCapacityMsat: d.get_inbound_capacity_msat(),
        isOutbound: ldkBool(d.get_is_outbound()),
        isUsable: ldkBool(d.get_is_usable()),
        isChannelReady: ldkBool(d.get_is_channel_ready()),
        confirmations:
          confirmations instanceof ldk.Option_u32Z_Some ? confirmations.some : undefined,
        confirmationsRequired: required instanceof ldk.Option_u32Z_Some ? required.some : undefined,
        channelTypeBits: type === null ? [] : featureBitsFromLeFlags(type.le_flags()),
        anchors: type !== null && ldkBool(type.supports_anchors_zero_fee_htlc_tx()),
        pendingHtlcs: d.get_pending_inbound_htlcs().length + d.get_pending_outbound_htlcs().length,
      };
    });
  }

  /** The channel with this id, if LDK still lists it. */
  channel(channelIdHex: string): LdkChannelInfo | undefined {
    const id = channelIdHex.toLowerCase();
    return this.listChannels().find((c) => c.channelIdHex === id);
  }

  /**
   * Starts a cooperative close (BOLT 2 `shutdown`, then `closing_signed`). LDK broadcasts the
   * closing transaction once both sides agree; mine it to finish. Throws `LdkApiError`.
   */
  closeChannel(channelIdHex: string, counterpartyHex: string): void {
    const result = this.ctx.channelManager.close_channel(
      this.channelId(channelIdHex),
      parseNodeId(counterpartyHex),
    );
    this.check('close_channel', result);
  }

  /**
   * Closes unilaterally: LDK broadcasts its latest commitment transaction (for an anchor
   * channel, through a `BumpTransaction` event the node answers) and tells the peer with an
   * `error`. Throws `LdkApiError`.
   */
  forceCloseBroadcastingLatestTxn(channelIdHex: string, counterpartyHex: string): void {
    const result = this.ctx.channelManager.force_close_broadcasting_latest_txn(
      this.channelId(channelIdHex),
      parseNodeId(counterpartyHex),
      'force-closed by the interop test',
    );
    this.check('force_close_broadcasting_latest_txn', result);
  }

  /** Records a channel event and answers the ones that need an answer. */
  handleEvent(event: Event): void {
    const { ldk } = this.ctx;
    if (event instanceof ldk.Event_FundingGenerationReady) {
      this.fund(event);
    } else if (event instanceof ldk.Event_OpenChannelRequest) {
      this.answerOpen(event);
    } else if (event instanceof ldk.Event_ChannelPending) {
      this.events.push({
        type: 'ChannelPending',
        channelIdHex: hex.encode(event.channel_id.get_a()),
        formerTemporaryChannelIdHex: hex.encode(event.former_temporary_channel_id.get_a()),
        counterpartyHex: hex.encode(event.counterparty_node_id),
        fundingTxo: outPointOf(event.funding_txo.get_txid(), event.funding_txo.get_index()),
        channelTypeBits: featureBitsFromLeFlags(event.channel_type.le_flags()),
      });
    } else if (event instanceof ldk.Event_ChannelReady) {
      this.events.push({
        type: 'ChannelReady',
        channelIdHex: hex.encode(event.channel_id.get_a()),
        counterpartyHex: hex.encode(event.counterparty_node_id),
        channelTypeBits: featureBitsFromLeFlags(event.channel_type.le_flags()),
      });
    } else if (event instanceof ldk.Event_ChannelClosed) {
      const capacity = event.channel_capacity_sats;
      this.events.push({
        type: 'ChannelClosed',
        channelIdHex: hex.encode(event.channel_id.get_a()),
        counterpartyHex: hex.encode(event.counterparty_node_id),
        reason: variantName(event.reason, 'ClosureReason_'),
        reasonText: event.reason.to_str(),
        capacitySat: capacity instanceof ldk.Option_u64Z_Some ? capacity.some : undefined,
      });
    } else if (event instanceof ldk.Event_DiscardFunding) {
      this.events.push({
        type: 'DiscardFunding',
        channelIdHex: hex.encode(event.channel_id.get_a()),
      });
    }
  }

  /** Builds and hands over a signed funding transaction paying LDK's 2-of-2 script. */
  private fund(event: Event_FundingGenerationReady): void {
    const temporaryChannelIdHex = hex.encode(event.temporary_channel_id.get_a());
    let fundingTxid: string | undefined;
    try {
      const feerate = this.fundingFeerates.get(temporaryChannelIdHex);
      const tx = this.ctx.chain.testChain.wallet.createFundingTx(
        [{ scriptPubKey: event.output_script, valueSat: event.channel_value_satoshis }],
        feerate === undefined ? {} : { feerateSatPerKw: feerate },
      );
      const result = this.ctx.channelManager.funding_transaction_generated(
        event.temporary_channel_id,
        event.counterparty_node_id,
        tx,
      );
      this.check('funding_transaction_generated', result);
      this.fundingTxs.set(temporaryChannelIdHex, tx);
      fundingTxid = computeTxid(tx);
    } catch (e) {
      this.fail(`funding ${temporaryChannelIdHex}: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.events.push({
      type: 'FundingGenerationReady',
      temporaryChannelIdHex,
      counterpartyHex: hex.encode(event.counterparty_node_id),
      valueSat: event.channel_value_satoshis,
      fundingTxid,
    });
  }

  private answerOpen(event: Event_OpenChannelRequest): void {
    const { ldk } = this.ctx;
    const funds = event.channel_negotiation_type;
    const request: LdkOpenChannelRequest = {
      temporaryChannelIdHex: hex.encode(event.temporary_channel_id.get_a()),
      counterpartyHex: hex.encode(event.counterparty_node_id),
      fundingSat: event.funding_satoshis,
      pushMsat: funds instanceof ldk.InboundChannelFunds_PushMsat ? funds.push_msat : 0n,
      channelTypeBits: featureBitsFromLeFlags(event.channel_type.le_flags()),
      anchors: ldkBool(event.channel_type.supports_anchors_zero_fee_htlc_tx()),
      announced: ldkBool(event.is_announced),
    };
    const policy = this.ctx.inboundPolicy;
    const decision = typeof policy === 'function' ? policy(request) : policy;
    this.events.push({ type: 'OpenChannelRequest', ...request, decision });
    const manager = this.ctx.channelManager;
    const userChannelId = this.nextUserChannelId++;
    if (decision === 'accept') {
      this.check(
        'accept_inbound_channel',
        manager.accept_inbound_channel(
          event.temporary_channel_id,
          event.counterparty_node_id,
          userChannelId,
        ),
      );
    } else if (decision === 'acceptZeroConf') {
      this.check(
        'accept_inbound_channel_from_trusted_peer_0conf',
        manager.accept_inbound_channel_from_trusted_peer_0conf(
          event.temporary_channel_id,
          event.counterparty_node_id,
          userChannelId,
        ),
      );
    } else {
      // LDK 0.1 refuses a pending inbound channel by force-closing it, which sends `error`.
      this.check(
        'force_close_without_broadcasting_txn',
        manager.force_close_without_broadcasting_txn(
          event.temporary_channel_id,
          event.counterparty_node_id,
          'channel refused by the interop test',
        ),
      );
    }
  }

  private channelId(channelIdHex: string): ChannelId {
    if (!/^[0-9a-fA-F]{64}$/.test(channelIdHex)) {
      throw new Error(
        `channel id: expected 64 hex characters, got ${JSON.stringify(channelIdHex)}`,
      );
    }
    return this.ctx.ldk.ChannelId.constructor_new(hex.decode(channelIdHex.toLowerCase()));
  }

  /** Throws `LdkApiError` for an `Err` result of a call answering with `Result_NoneAPIErrorZ`. */
  private check(call: string, result: Result_NoneAPIErrorZ): void {
    if (result instanceof this.ctx.ldk.Result_NoneAPIErrorZ_Err) {
      throw new LdkApiError(call, result.err);
    }
  }

  private fail(line: string): void {
    this.errors.push(line);
    this.ctx.log(`ERROR glue: ${line}`);
  }
}

/** LDK's `OutPoint` txid bytes are in internal order; people read them reversed. */
export function outPointOf(txidInternal: Uint8Array, index: number): LdkOutPoint {
  return { txid: hex.encode(txidInternal.slice().reverse()), index };
}

/** The variant of a generated LDK union class, from its class name. */
export function variantName(value: object, prefix: string): string {
  const name = value.constructor.name;
  return name.startsWith(prefix) ? name.slice(prefix.length) : name;
}
