/**
 * The payment events of the `Event` union (LDK's names): receiving (`PaymentClaimable`,
 * `PaymentClaimed`), sending (`PaymentSent`, `PaymentPathSuccessful`, `PaymentPathFailed`,
 * `PaymentFailed`) and forwarding (`PendingHTLCsForwardable`, `HTLCHandlingFailed`,
 * `PaymentForwarded`). Plain data like every event, so they survive a restart pending.
 *
 * Payment hashes, preimages, secrets and payment ids are lowercase hex (32 bytes).
 */
import type { Path } from '../routing/route.js';

/** How a received payment was asked for, and what claiming it needs. */
export type PaymentPurpose =
  | {
      /**
       * Paid to an invoice we issued. `paymentPreimage` is set when boltkit derived it
       * (`createInboundPayment`); absent for `createInboundPaymentForHash`, where the host keeps it.
       */
      readonly type: 'Bolt11InvoicePayment';
      readonly paymentPreimage: string | undefined;
      readonly paymentSecret: string;
    }
  | {
      /** A keysend payment: the sender chose the preimage and put it in the onion. */
      readonly type: 'SpontaneousPayment';
      readonly paymentPreimage: string;
    };

/** One HTLC of a claimed payment. */
export interface ClaimedHtlc {
  readonly channelId: string;
  readonly userChannelId: bigint;
  readonly cltvExpiry: number;
  readonly valueMsat: bigint;
}

/** Why a payment failed for good (LDK `PaymentFailureReason`). */
export const PaymentFailureReason = {
  /** The payee refused it (a permanent failure from the final node). */
  RecipientRejected: 'RecipientRejected',
  /** `abandonPayment` was called. */
  UserAbandoned: 'UserAbandoned',
  /** Every retry allowed was used. */
  RetriesExhausted: 'RetriesExhausted',
  /** The invoice expired before a path succeeded. */
  PaymentExpired: 'PaymentExpired',
  /** No route to the payee could be found. */
  RouteNotFound: 'RouteNotFound',
  /** Something else went wrong, e.g. a failure message we could not attribute. */
  UnexpectedError: 'UnexpectedError',
} as const;
export type PaymentFailureReason = (typeof PaymentFailureReason)[keyof typeof PaymentFailureReason];

/** Where a failed HTLC was headed (LDK `HTLCDestination`). */
export type HtlcDestination =
  | {
      /** A forward over a channel we know: it failed there or could not be sent. */
      readonly type: 'NextHopChannel';
      readonly nodeId: string | undefined;
      readonly channelId: string;
    }
  | {
      /** A forward to a short channel id we have no channel for. */
      readonly type: 'UnknownNextHop';
      readonly requestedForwardScid: bigint;
    }
  | {
      /** The onion could not be read. */
      readonly type: 'InvalidOnion';
    }
  | {
      /** A payment to us that we failed (wrong details, timeout, `failHtlcBackwards`). */
      readonly type: 'FailedPayment';
      readonly paymentHash: string;
    };

export type PaymentEvent =
  | {
      /**
       * A payment to us arrived in full: claim it with `claimFunds(preimage)` before
       * `claimDeadline` (a block height), or fail it with `failHtlcBackwards`.
       */
      readonly type: 'PaymentClaimable';
      readonly receiverNodeId: string;
      readonly paymentHash: string;
      /** What arrived, over every part (may exceed the invoice amount). */
      readonly amountMsat: bigint;
      readonly purpose: PaymentPurpose;
      /** The channel of the first part. */
      readonly viaChannelId: string;
      /** The onion's `payment_metadata`, hex, when the sender included it. */
      readonly paymentMetadata: string | undefined;
      /** The height by which the HTLCs must be claimed, or the channel goes to chain. */
      readonly claimDeadline: number;
    }
  | {
      /** `claimFunds` settled every part: the money is ours. */
      readonly type: 'PaymentClaimed';
      readonly receiverNodeId: string;
      readonly paymentHash: string;
      readonly amountMsat: bigint;
      readonly purpose: PaymentPurpose;
      readonly htlcs: readonly ClaimedHtlc[];
    }
  | {
      /** The payee revealed the preimage: the payment succeeded. */
      readonly type: 'PaymentSent';
      readonly paymentId: string;
      readonly paymentPreimage: string;
      readonly paymentHash: string;
      /** Routing fees paid over every path. */
      readonly feePaidMsat: bigint;
    }
  | {
      /** One path of a sent payment is settled (comes after `PaymentSent`). */
      readonly type: 'PaymentPathSuccessful';
      readonly paymentId: string;
      readonly paymentHash: string;
      readonly path: Path;
    }
  | {
      /**
       * One path failed. `paymentFailedPermanently` when the payee refused the payment (no path
       * can work). The node that reported the failure is `failingNodeId` (absent when it could
       * not be attributed); the channel to avoid next time is `shortChannelId`.
       */
      readonly type: 'PaymentPathFailed';
      readonly paymentId: string;
      readonly paymentHash: string;
      readonly paymentFailedPermanently: boolean;
      readonly path: Path;
      readonly shortChannelId: bigint | undefined;
      readonly failingNodeId: string | undefined;
      /** The BOLT 4 failure code, when the failure could be read. */
      readonly failureCode: number | undefined;
      /** The failure message's data, hex. */
      readonly failureData: string | undefined;
      /** Whether another path will be tried. */
      readonly willRetry: boolean;
    }
  | {
      /** The payment failed for good; nothing of it is in flight any more. */
      readonly type: 'PaymentFailed';
      readonly paymentId: string;
      readonly paymentHash: string | undefined;
      readonly reason: PaymentFailureReason;
    }
  | {
      /**
       * HTLCs wait to be forwarded (or their failure to be sent back): call
       * `processPendingHtlcForwards()`, after a short random delay for privacy.
       */
      readonly type: 'PendingHTLCsForwardable';
      readonly timeForwardableMs: number;
    }
  | {
      /** An HTLC we received was failed back (see `failedNextDestination`). */
      readonly type: 'HTLCHandlingFailed';
      readonly prevChannelId: string;
      readonly failedNextDestination: HtlcDestination;
    }
  | {
      /** We forwarded a payment and it succeeded: the fee is earned. */
      readonly type: 'PaymentForwarded';
      readonly prevChannelId: string;
      readonly nextChannelId: string;
      readonly prevNodeId: string | undefined;
      readonly nextNodeId: string | undefined;
      readonly totalFeeEarnedMsat: bigint;
      readonly outboundAmountForwardedMsat: bigint;
      /** True when the preimage was learnt from a transaction on chain. */
      readonly claimFromOnchainTx: boolean;
    };
