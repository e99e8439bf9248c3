/**
 * `Channel`: one channel's BOLT 2 state machine, sans I/O. The manager feeds it messages from
 * the peer, host calls and block heights; each call returns a `ChannelOutput`: messages for the
 * peer, `ChannelMonitorUpdate`s to persist (ids strictly increasing, id 0 creating the monitor)
 * and `ChannelEvent`s. Output that depends on an update is held until the manager reports the
 * update persisted with `monitorUpdatingCompleted` (see `context.ts`).
 *
 * Errors: a message that breaks a BOLT 2 rule throws `ChannelError`. With action `close` the
 * manager calls `forceClose` (which sends `error` and has the monitor broadcast our commitment);
 * with `warn` it sends `warning`; with `ignore` nothing. After a throw the state is as before,
 * except that a `close` error may leave it half-updated: the channel must then be closed.
 * `APIMisuseError` means the caller used the channel wrongly.
 *
 * The phases and the state are described in `state.ts`; each protocol step lives in its own
 * module (`establish-*.ts`, `channel-ready.ts`, `htlcs.ts`, `commitment.ts`, `fee.ts`,
 * `reestablish.ts`, `shutdown.ts`, `closing.ts`).
 */
import { boundedFeeEstimator, type FeeEstimator } from '../../chain/fee-estimator.js';
import type { CryptoBackend } from '../../crypto/backend.js';
import { nobleBackend } from '../../crypto/noble.js';
import type { ChannelSigner } from '../../keys/channel-signer.js';
import type { KeysInterface } from '../../keys/keys-interface.js';
import { toHex } from '../../util/bytes.js';
import { APIMisuseError } from '../../util/errors.js';
import type { Message } from '../../wire/message.js';
import type { OpenChannelMessage } from '../../wire/messages/channel-establish.js';
import {
  bestBlockUpdated,
  fundingConfirmed,
  fundingUnconfirmed,
  handleChannelReady,
} from './channel-ready.js';
import { handleClosingSigned } from './closing.js';
import { handleCommitmentSigned, handleRevokeAndAck, sendCommitment } from './commitment.js';
import { resolveChannelConfig, type ChannelConfig } from './config.js';
import { OutputSink, type ChannelContext, type ChannelOutput } from './context.js';
import { ChannelCheck, closeError, errorMessageFor } from './errors.js';
import {
  createInbound,
  createOutbound,
  handleAcceptChannel,
  type InboundChannelParams,
  type OutboundChannelParams,
} from './establish-open.js';
import {
  fundingTransactionGenerated,
  handleFundingCreated,
  handleFundingSigned,
} from './establish-funding.js';
import type { ClosureKind } from './events.js';
import { feerateToPropose, handleUpdateFee, proposeFeeUpdate } from './fee.js';
import { signHolderCommitmentTransactions, type HolderBroadcast } from './holder-broadcast.js';
import { handleUpdateAddHtlc, sendHtlc, type SendHtlcRequest } from './htlc-add.js';
import {
  claimHtlc,
  failHtlc,
  failMalformedHtlc,
  handleUpdateFailHtlc,
  handleUpdateFailMalformedHtlc,
  handleUpdateFulfillHtlc,
} from './htlc-remove.js';
import {
  AWAITING_UNILATERAL_CLOSE_ERROR,
  handleChannelReestablish,
  peerConnected,
  peerDisconnected,
} from './reestablish.js';
import { handleShutdown, initiateShutdown, progressShutdown } from './shutdown.js';
import { ChannelPhase, isFunded, type ChannelState } from './state.js';

/** What a channel needs from its host. */
export interface ChannelOptions {
  readonly keys: KeysInterface;
  readonly feeEstimator: FeeEstimator;
  readonly crypto?: CryptoBackend;
  readonly config?: Partial<ChannelConfig>;
}

/** See the module comment. */
export class Channel {
  readonly #ctx: ChannelContext;
  readonly #out: OutputSink;

  private constructor(state: ChannelState, signer: ChannelSigner, options: ChannelOptions) {
    this.#out = new OutputSink(state);
    this.#ctx = {
      state,
      signer,
      keys: options.keys,
      crypto: options.crypto ?? nobleBackend,
      config: resolveChannelConfig(options.config),
      feeEstimator: boundedFeeEstimator(options.feeEstimator),
      out: this.#out,
    };
  }

  /** Opens a channel: the output carries our `open_channel`. */
  static openOutbound(
    params: OutboundChannelParams,
    options: ChannelOptions,
  ): { channel: Channel; output: ChannelOutput } {
    const services = Channel.#services(options);
    const { state, signer, message } = createOutbound(services, params);
    const channel = new Channel(state, signer, options);
    channel.#out.send(message);
    return { channel, output: channel.#out.drain() };
  }

  /**
   * Accepts the peer's `open_channel` (every receiver check; `close` `ChannelError` when one
   * fails, before any state exists): the output carries our `accept_channel`.
   */
  static acceptInbound(
    open: OpenChannelMessage,
    params: InboundChannelParams,
    options: ChannelOptions,
  ): { channel: Channel; output: ChannelOutput } {
    const services = Channel.#services(options);
    const { state, signer, message } = createInbound(services, params, open);
    const channel = new Channel(state, signer, options);
    channel.#out.send(message);
    return { channel, output: channel.#out.drain() };
  }

  /** A channel from a restored state and its re-derived signer (see `serialize.ts`). */
  static fromState(state: ChannelState, signer: ChannelSigner, options: ChannelOptions): Channel {
    return new Channel(state, signer, options);
  }

  static #services(options: ChannelOptions): {
    keys: KeysInterface;
    crypto: CryptoBackend;
    config: ChannelConfig;
    feeEstimator: FeeEstimator;
  } {
    return {
      keys: options.keys,
      crypto: options.crypto ?? nobleBackend,
      config: resolveChannelConfig(options.config),
      feeEstimator: boundedFeeEstimator(options.feeEstimator),
    };
  }

  /** The live state; read it, never change it. */
  get state(): Readonly<ChannelState> {
    return this.#ctx.state;
  }

  /** The signer (its `serializeState` is persisted with the channel). */
  get signer(): ChannelSigner {
    return this.#ctx.signer;
  }

  /** Lowercase hex channel id (the temporary id until the funding outpoint is known). */
  get channelId(): string {
    return toHex(this.#ctx.state.channelId);
  }

  get phase(): ChannelPhase {
    return this.#ctx.state.phase;
  }

  /** Runs `fn`, returning what it produced; on a throw the partial output is discarded. */
  #run(fn: () => void): ChannelOutput {
    try {
      fn();
      return this.#out.drain();
    } catch (e) {
      this.#out.drain();
      throw e;
    }
  }

  /**
   * A message from the peer for this channel. Throws `ChannelError` (see the module comment)
   * and `APIMisuseError` for a message type that is not a channel message.
   */
  handleMessage(m: Message): ChannelOutput {
    return this.#run(() => {
      const ctx = this.#ctx;
      const { state } = ctx;
      if (state.phase === ChannelPhase.Closed) return;
      if (m.type === 'warning') return;
      if (m.type === 'error') {
        this.#close('the peer sent error', 'CounterpartyForceClosed');
        return;
      }
      if (state.phase === ChannelPhase.AwaitingUnilateralClose) {
        ctx.out.sendUnheld(errorMessageFor(state.channelId, AWAITING_UNILATERAL_CLOSE_ERROR));
        return;
      }
      if (state.awaitingReestablish && m.type !== 'channel_reestablish') {
        throw closeError(
          ChannelCheck.UnexpectedMessage,
          `${m.type}: the peer must send channel_reestablish first`,
          state.channelId,
        );
      }
      this.#dispatch(m);
      progressShutdown(ctx);
    });
  }

  #dispatch(m: Message): void {
    const ctx = this.#ctx;
    switch (m.type) {
      case 'accept_channel':
        handleAcceptChannel(ctx, m);
        break;
      case 'funding_created':
        handleFundingCreated(ctx, m);
        break;
      case 'funding_signed':
        handleFundingSigned(ctx, m);
        break;
      case 'channel_ready':
        handleChannelReady(ctx, m);
        break;
      case 'update_add_htlc':
        handleUpdateAddHtlc(ctx, m);
        break;
      case 'update_fulfill_htlc':
        handleUpdateFulfillHtlc(ctx, m);
        break;
      case 'update_fail_htlc':
        handleUpdateFailHtlc(ctx, m);
        break;
      case 'update_fail_malformed_htlc':
        handleUpdateFailMalformedHtlc(ctx, m);
        break;
      case 'commitment_signed':
        handleCommitmentSigned(ctx, m);
        break;
      case 'revoke_and_ack':
        handleRevokeAndAck(ctx, m);
        break;
      case 'update_fee':
        handleUpdateFee(ctx, m);
        break;
      case 'channel_reestablish':
        handleChannelReestablish(ctx, m);
        break;
      case 'shutdown':
        handleShutdown(ctx, m);
        break;
      case 'closing_signed':
        handleClosingSigned(ctx, m);
        break;
      default:
        throw new APIMisuseError(`handleMessage: ${m.type} is not a message for a channel`);
    }
  }

  /** The host's signed funding transaction (we opened): sends `funding_created`. */
  fundingTransactionGenerated(fundingTx: Uint8Array): ChannelOutput {
    return this.#run(() => {
      fundingTransactionGenerated(this.#ctx, fundingTx);
    });
  }

  /** The funding transaction confirmed at `height` (see `channel-ready.ts`). */
  fundingConfirmed(args: {
    readonly height: number;
    readonly txIndex?: number;
    readonly fundingTx?: Uint8Array;
  }): ChannelOutput {
    return this.#run(() => {
      fundingConfirmed(this.#ctx, args);
    });
  }

  /**
   * The funding transaction was reorganized out before `channel_ready` was sent: the channel
   * waits for it to confirm again (see `channel-ready.ts`). `APIMisuseError` when it is not
   * confirmed or `channel_ready` went out (`state.channelReadySent`: fail the channel instead).
   */
  fundingUnconfirmed(): ChannelOutput {
    return this.#run(() => {
      fundingUnconfirmed(this.#ctx);
    });
  }

  /** A new best block height. */
  bestBlockUpdated(height: number): ChannelOutput {
    return this.#run(() => {
      bestBlockUpdated(this.#ctx, height);
    });
  }

  /** Offers an HTLC (see `htlcs.ts`); commit it with `sendCommitment`. */
  sendHtlc(request: SendHtlcRequest): { htlcId: bigint; output: ChannelOutput } {
    let htlcId = 0n;
    const output = this.#run(() => {
      htlcId = sendHtlc(this.#ctx, request);
    });
    return { htlcId, output };
  }

  /** Fulfils a received HTLC; commit it with `sendCommitment`. */
  claimHtlc(htlcId: bigint, paymentPreimage: Uint8Array): ChannelOutput {
    return this.#run(() => {
      claimHtlc(this.#ctx, htlcId, paymentPreimage);
    });
  }

  /** Fails a received HTLC with an encrypted BOLT 4 reason. */
  failHtlc(htlcId: bigint, reason: Uint8Array): ChannelOutput {
    return this.#run(() => {
      failHtlc(this.#ctx, htlcId, reason);
    });
  }

  /** Fails a received HTLC whose onion was unparsable. */
  failMalformedHtlc(htlcId: bigint, sha256OfOnion: Uint8Array, failureCode: number): ChannelOutput {
    return this.#run(() => {
      failMalformedHtlc(this.#ctx, htlcId, sha256OfOnion, failureCode);
    });
  }

  /** Signs the peer's next commitment when we have updates for it and may sign. */
  sendCommitment(): ChannelOutput {
    return this.#run(() => {
      sendCommitment(this.#ctx);
    });
  }

  /** Proposes a new commitment feerate (funder only); commit it with `sendCommitment`. */
  proposeFeeUpdate(feerateSatPerKw: number): ChannelOutput {
    return this.#run(() => {
      proposeFeeUpdate(this.#ctx, feerateSatPerKw);
    });
  }

  /** The feerate the timer should propose now, if any (see `fee.ts`). */
  feerateToPropose(): number | undefined {
    return feerateToPropose(this.#ctx);
  }

  /**
   * Starts a mutual close, paying us to `scriptPubkey` (default: the keys' shutdown script).
   * `targetFeerateSatPerKw` sets the feerate the closing negotiation aims at (see `closing.ts`);
   * without it the fee estimator's is used.
   */
  initiateShutdown(scriptPubkey?: Uint8Array, targetFeerateSatPerKw?: number): ChannelOutput {
    return this.#run(() => {
      initiateShutdown(this.#ctx, scriptPubkey, targetFeerateSatPerKw);
    });
  }

  /**
   * The monitor stored every update up to `updateId`: releases what was held once the latest
   * update is stored. Throws `APIMisuseError` for an id never handed out.
   */
  monitorUpdatingCompleted(updateId: bigint): ChannelOutput {
    return this.#run(() => {
      const { state } = this.#ctx;
      if (updateId >= state.nextMonitorUpdateId) {
        throw new APIMisuseError(
          `monitorUpdatingCompleted: update ${updateId} was never handed out (next is ${state.nextMonitorUpdateId})`,
        );
      }
      if (!state.monitorUpdateInProgress || updateId < state.nextMonitorUpdateId - 1n) return;
      this.#out.release();
    });
  }

  /** The connection to the peer dropped (see `reestablish.ts`). */
  peerDisconnected(): ChannelOutput {
    return this.#run(() => {
      if (peerDisconnected(this.#ctx)) this.#close('disconnected while opening', 'FundingAborted');
    });
  }

  /** The connection is back: the output carries our `channel_reestablish`. */
  peerConnected(): ChannelOutput {
    return this.#run(() => {
      peerConnected(this.#ctx);
    });
  }

  /**
   * Fails the channel (after a `close` `ChannelError`, or on the host's request): sends `error`,
   * and once funded tells the monitor to broadcast our latest commitment, unless the peer proved
   * we lost state.
   */
  forceClose(reason: string): ChannelOutput {
    return this.#run(() => {
      this.#close(reason, 'HolderForceClosed');
    });
  }

  #close(reason: string, kind: ClosureKind): void {
    const { state, out } = this.#ctx;
    if (state.phase === ChannelPhase.Closed) return;
    const funded = isFunded(state);
    const mayBroadcast = funded && state.phase !== ChannelPhase.AwaitingUnilateralClose;
    state.heldMessages = [];
    if (kind !== 'CounterpartyForceClosed')
      out.sendUnheld(errorMessageFor(state.channelId, reason));
    if (mayBroadcast) out.monitorUpdate([{ type: 'ChannelForceClosed', shouldBroadcast: true }]);
    const wasAwaiting = state.phase === ChannelPhase.AwaitingUnilateralClose;
    state.phase = ChannelPhase.Closed;
    state.closeReason = reason;
    if (wasAwaiting) return;
    out.event({
      type: 'ChannelClosed',
      channelId: toHex(state.channelId),
      kind: funded ? kind : 'FundingAborted',
      reason,
    });
  }

  /**
   * Our latest commitment and its HTLC transactions, fully signed, as a force close broadcasts
   * them (see `holder-broadcast.ts`). Throws `SignerError` for a revoked commitment.
   */
  signHolderCommitmentTransactions(): HolderBroadcast {
    return signHolderCommitmentTransactions(this.#ctx);
  }
}
