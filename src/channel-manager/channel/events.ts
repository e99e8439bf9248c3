/**
 * What a `Channel` tells its manager, besides messages and monitor updates. The manager turns
 * these into host `Event`s, forwards, claims and broadcasts. Every event is plain data so one
 * held back for a monitor update survives a restart (`serialize.ts`).
 *
 * Ids are lowercase hex; HTLC ids are the offerer's `update_add_htlc` ids.
 */
import type { HtlcRefusal } from './state.js';

/** Why a channel closed. */
export type ClosureKind =
  /** Both sides signed a closing transaction (`closing_signed`). */
  | 'CooperativeClosure'
  /** We failed the channel: our latest commitment goes to chain through the monitor. */
  | 'HolderForceClosed'
  /** The peer sent `error`; our latest commitment goes to chain through the monitor. */
  | 'CounterpartyForceClosed'
  /** Given up before any funds were committed (disconnected while opening, refused). */
  | 'FundingAborted'
  /** The peer proved we lost state; we wait for its commitment and must not broadcast ours. */
  | 'DataLossProven';

export type ChannelEvent =
  | {
      /**
       * We opened and the peer accepted: build and sign a transaction paying `fundingValueSat`
       * to `outputScript`, then call `fundingTransactionGenerated`. Do not broadcast it yet.
       */
      readonly type: 'FundingGenerationReady';
      readonly temporaryChannelId: string;
      readonly userChannelId: bigint;
      readonly fundingValueSat: bigint;
      readonly outputScript: Uint8Array;
    }
  | {
      /**
       * The peer signed our first commitment and the monitor stored it: broadcasting the funding
       * transaction is now safe (BOLT 2 "MUST NOT broadcast before a valid funding_signed").
       */
      readonly type: 'FundingTxBroadcastSafe';
      readonly channelId: string;
      readonly fundingTx: Uint8Array;
    }
  | {
      /** Both first commitments are signed and stored; waiting for the funding to confirm. */
      readonly type: 'ChannelPending';
      readonly channelId: string;
      /** Display-order hex txid. */
      readonly fundingTxid: string;
      readonly fundingOutputIndex: number;
    }
  | {
      /** Both `channel_ready`s exchanged: the channel carries payments. */
      readonly type: 'ChannelReady';
      readonly channelId: string;
      readonly shortChannelId: bigint | undefined;
      readonly ourAlias: bigint | undefined;
      readonly theirAlias: bigint | undefined;
    }
  | {
      /**
       * An HTLC the peer offered is irrevocably committed. Forward or claim it; when `refusal` is
       * set, fail it back instead (BOLT 2 dust exposure, fee spike buffer, or we are closing).
       */
      readonly type: 'HtlcReceived';
      readonly channelId: string;
      readonly htlcId: bigint;
      readonly amountMsat: bigint;
      readonly paymentHash: Uint8Array;
      readonly cltvExpiry: number;
      readonly onionRoutingPacket: Uint8Array;
      readonly pathKey: Uint8Array | undefined;
      readonly refusal: HtlcRefusal | undefined;
    }
  | {
      /**
       * The peer fulfilled an HTLC we offered: the preimage is ours to claim upstream at once
       * (BOLT 2: the preimage is usable before the removal is committed). Reported on receipt,
       * so a fulfil the connection lost before it was committed is reported again when the
       * peer retransmits it (BOLT 2 "Message Retransmission"): handle it idempotently.
       */
      readonly type: 'HtlcFulfilled';
      readonly channelId: string;
      readonly htlcId: bigint;
      readonly amountMsat: bigint;
      readonly paymentHash: Uint8Array;
      readonly paymentPreimage: Uint8Array;
    }
  | {
      /**
       * The peer's failure of an HTLC we offered is irrevocably committed: fail it back upstream
       * or retry. `reason` is the encrypted BOLT 4 failure, or `malformed` carries the
       * `update_fail_malformed_htlc` fields.
       */
      readonly type: 'HtlcFailed';
      readonly channelId: string;
      readonly htlcId: bigint;
      readonly amountMsat: bigint;
      readonly paymentHash: Uint8Array;
      readonly reason: Uint8Array | undefined;
      readonly malformed:
        { readonly sha256OfOnion: Uint8Array; readonly failureCode: number } | undefined;
    }
  | {
      /** Both signed the closing transaction: broadcast it. */
      readonly type: 'ClosingTxReady';
      readonly channelId: string;
      readonly closingTx: Uint8Array;
    }
  | {
      /** The channel is closed (or must not be used any more); see `kind`. */
      readonly type: 'ChannelClosed';
      readonly channelId: string;
      readonly kind: ClosureKind;
      readonly reason: string;
    };

export type ChannelEventType = ChannelEvent['type'];
