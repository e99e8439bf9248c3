/**
 * The events a host drains from the `ChannelManager` (LDK `Event`): things only the host can act
 * on (build a funding transaction, accept a channel) or needs to know (a channel is ready or
 * closed, a payment arrived, sent or forwarded). A union on `type`; the payment events are in
 * `payment-events.ts`. Every event is plain data (hex ids,
 * bigints, bytes) and has a stable encoding (`event-codec.ts`) so pending events survive a
 * restart with the manager.
 *
 * Ids are lowercase hex; txids display-order hex; amounts carry their unit.
 */
import type { ClosureReason } from './closure-reason.js';
import type { PaymentEvent } from './payment-events.js';

/** A funding output reference (display-order hex txid, output index). */
export interface EventOutPoint {
  readonly txid: string;
  readonly index: number;
}

export type Event =
  | {
      /**
       * We opened and the peer accepted: build a transaction paying exactly `channelValueSat` to
       * `outputScript` (the BOLT 3 2-of-2 P2WSH) from segwit inputs only, sign it, and hand it to
       * `fundingTransactionGenerated`. Do not broadcast it: the manager does once the peer signed
       * our first commitment (BOLT 2 `funding_signed`).
       */
      readonly type: 'FundingGenerationReady';
      readonly temporaryChannelId: string;
      readonly counterpartyNodeId: string;
      readonly channelValueSat: bigint;
      readonly outputScript: Uint8Array;
      readonly userChannelId: bigint;
    }
  | {
      /**
       * A peer wants to open a channel to us and manual acceptance is on: answer with
       * `acceptInboundChannel`, `acceptInboundChannelFromTrustedPeer0conf` or
       * `rejectInboundChannel`.
       */
      readonly type: 'OpenChannelRequest';
      readonly temporaryChannelId: string;
      readonly counterpartyNodeId: string;
      readonly fundingSat: bigint;
      readonly pushMsat: bigint;
      /** `anchors_zero_fee_htlc_tx` or `static_remotekey`, with `+zero_conf` when asked. */
      readonly channelType: string;
      readonly isAnnounced: boolean;
    }
  | {
      /** Both first commitments are signed and stored; the funding transaction is out. */
      readonly type: 'ChannelPending';
      readonly channelId: string;
      readonly userChannelId: bigint;
      readonly formerTemporaryChannelId: string;
      readonly counterpartyNodeId: string;
      readonly fundingTxo: EventOutPoint;
    }
  | {
      /** Both `channel_ready`s were exchanged: the channel can carry payments. */
      readonly type: 'ChannelReady';
      readonly channelId: string;
      readonly userChannelId: bigint;
      readonly counterpartyNodeId: string;
      readonly channelType: string;
    }
  | {
      /** The channel is closed or closing on chain; see `reason`. */
      readonly type: 'ChannelClosed';
      readonly channelId: string;
      readonly userChannelId: bigint;
      readonly reason: ClosureReason;
      readonly counterpartyNodeId: string | undefined;
      readonly channelCapacitySat: bigint | undefined;
    }
  | {
      /**
       * A funding transaction we were handed will never be used (the channel closed before it
       * was broadcast): its inputs may be spent elsewhere.
       */
      readonly type: 'DiscardFunding';
      readonly channelId: string;
      readonly fundingTx: Uint8Array;
    }
  | PaymentEvent;

export type EventType = Event['type'];
