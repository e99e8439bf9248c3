/**
 * What every phase module works with: the state, the signer and host services, and the
 * `OutputSink` that gathers what one call produces.
 *
 * ## Holding output for the monitor
 *
 * A message or event that depends on a `ChannelMonitorUpdate` must not leave before the update
 * is durable (a `revoke_and_ack` before the monitor knows our new commitment, a
 * `commitment_signed` before it knows the peer's, an HTLC forward before it knows the secret
 * that lets us punish). So the sink hands out each update and from then on holds every message
 * and event, in order, until the manager reports the update persisted
 * (`Channel.monitorUpdatingCompleted`). Holding everything, not just the dependent items, keeps
 * the relative order BOLT 2 requires on retransmission (updates, `commitment_signed`,
 * `revoke_and_ack`).
 */
import type { ChannelMonitorUpdateStep } from '../../chain/channel-monitor-update-steps.js';
import type { FeeEstimator } from '../../chain/fee-estimator.js';
import type { ChannelMonitorUpdate } from '../../chain/watch.js';
import type { CryptoBackend } from '../../crypto/backend.js';
import type { ChannelSigner } from '../../keys/channel-signer.js';
import type { KeysInterface } from '../../keys/keys-interface.js';
import { toHex } from '../../util/bytes.js';
import type { Message } from '../../wire/message.js';
import type { ChannelConfig } from './config.js';
import type { ChannelEvent } from './events.js';
import type { ChannelState } from './state.js';

/** What one call on a `Channel` produced. */
export interface ChannelOutput {
  /** Messages to send to the peer now, in order. */
  readonly messages: readonly Message[];
  /** Updates to hand to `Watch.updateChannel` (the first, id 0, creates the monitor). */
  readonly monitorUpdates: readonly ChannelMonitorUpdate[];
  readonly events: readonly ChannelEvent[];
}

/** A `ChannelMonitorUpdate` whose steps are this layer's step variants. */
export interface ChannelMonitorUpdateOf extends ChannelMonitorUpdate {
  readonly steps: readonly ChannelMonitorUpdateStep[];
}

/** Gathers one call's output; see the module comment for holding. */
export class OutputSink {
  readonly #state: ChannelState;
  #messages: Message[] = [];
  #monitorUpdates: ChannelMonitorUpdateOf[] = [];
  #events: ChannelEvent[] = [];

  constructor(state: ChannelState) {
    this.#state = state;
  }

  /** Queues a message for the peer, or holds it while a monitor update is in progress. */
  send(message: Message): void {
    if (this.#state.monitorUpdateInProgress) this.#state.heldMessages.push(message);
    else this.#messages.push(message);
  }

  /**
   * Queues a message that depends on no monitor update (`channel_reestablish`, `error`) ahead of
   * anything held.
   */
  sendUnheld(message: Message): void {
    this.#messages.push(message);
  }

  /** Reports an event, or holds it while a monitor update is in progress. */
  event(event: ChannelEvent): void {
    if (this.#state.monitorUpdateInProgress) this.#state.heldEvents.push(event);
    else this.#events.push(event);
  }

  /** Hands out a monitor update with the next id; output from here on is held. */
  monitorUpdate(steps: readonly ChannelMonitorUpdateStep[]): void {
    const updateId = this.#state.nextMonitorUpdateId;
    this.#state.nextMonitorUpdateId = updateId + 1n;
    this.#state.monitorUpdateInProgress = true;
    this.#monitorUpdates.push({ updateId, channelId: toHex(this.#state.channelId), steps });
  }

  /** Releases what was held (the update in progress is durable). */
  release(): void {
    this.#state.monitorUpdateInProgress = false;
    const messages = this.#state.heldMessages.splice(0);
    const events = this.#state.heldEvents.splice(0);
    for (const m of messages) this.send(m);
    for (const e of events) this.event(e);
  }

  /** Everything gathered so far; the sink starts empty again. */
  drain(): ChannelOutput {
    const out = {
      messages: this.#messages,
      monitorUpdates: this.#monitorUpdates,
      events: this.#events,
    };
    this.#messages = [];
    this.#monitorUpdates = [];
    this.#events = [];
    return out;
  }
}

/** The state and services the phase modules share. */
export interface ChannelContext {
  readonly state: ChannelState;
  readonly signer: ChannelSigner;
  readonly keys: KeysInterface;
  readonly crypto: CryptoBackend;
  readonly config: ChannelConfig;
  readonly feeEstimator: FeeEstimator;
  readonly out: OutputSink;
}
