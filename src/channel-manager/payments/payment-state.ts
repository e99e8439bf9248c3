/**
 * Everything the `ChannelManager` keeps about payments besides the channels' own HTLC logs:
 * payments we send (by payment id), payments we receive (by payment hash), HTLCs waiting for
 * `processPendingHtlcForwards`, and where each HTLC we offered came from. It is all plain data
 * and persisted with the manager (`payment-state-codec.ts`) in the same snapshot as the channels,
 * so a restart sees the HTLCs and the payments that own them together: a payment id already
 * known is never paid twice, and a forwarded HTLC's upstream is always known when its
 * downstream resolves.
 *
 * Byte fields are `Uint8Array` (32 bytes unless said otherwise); channel ids are lowercase hex.
 */
import type { Path, RouteParameters } from '../../routing/route.js';
import type { PaymentFailureReason } from '../../events/payment-events.js';

/** How often a failed payment is tried again (LDK `Retry`). */
export type Retry =
  /** At most `count` attempts after the first. */
  | { readonly type: 'Attempts'; readonly count: number }
  /** New attempts until `seconds` after the payment started. */
  | { readonly type: 'Timeout'; readonly seconds: number };

/** What the recipient's onion payload carries besides amount and expiry (LDK `RecipientOnionFields`). */
export interface RecipientOnionFields {
  /** The invoice's payment secret; absent only for keysend. */
  readonly paymentSecret?: Uint8Array;
  /** The invoice's payment metadata, sent back as is. */
  readonly paymentMetadata?: Uint8Array;
}

/** Where an HTLC we offered came from: our own payment, or an HTLC we forward. */
export type HtlcSource =
  | {
      readonly kind: 'outbound';
      /** 32 bytes: the host's payment id. */
      readonly paymentId: Uint8Array;
      /** This part's id inside the payment (increasing from 0). */
      readonly partId: number;
      /** The onion's session key: with the path, it decodes a failure coming back. */
      readonly sessionKey: Uint8Array;
      readonly path: Path;
    }
  | {
      readonly kind: 'forward';
      /** The incoming HTLC: its channel, counterparty and id. */
      readonly prevChannelId: string;
      readonly prevCounterpartyNodeId: string;
      readonly prevHtlcId: bigint;
      /** The incoming onion's shared secret, to wrap a failure coming back. */
      readonly sharedSecret: Uint8Array;
      readonly incomingAmountMsat: bigint;
      /** True when the incoming HTLC came with a route blinding `path_key`. */
      readonly blinded: boolean;
    };

/** One outgoing HTLC of ours or of a forward, keyed by channel and HTLC id. */
export interface OutgoingHtlc {
  readonly channelId: string;
  readonly htlcId: bigint;
  readonly amountMsat: bigint;
  readonly source: HtlcSource;
}

/** One part of a payment we send. */
export interface OutboundPart {
  readonly partId: number;
  readonly path: Path;
  /** What reaches the payee over this part. */
  readonly finalValueMsat: bigint;
  status: 'inflight' | 'fulfilled' | 'failed';
}

export const OutboundStatus = {
  /** Parts are in flight or more may be sent. */
  Pending: 'Pending',
  /** The preimage came back: `PaymentSent` is out. */
  Fulfilled: 'Fulfilled',
  /** Given up: `PaymentFailed` comes once no part is in flight. */
  Abandoned: 'Abandoned',
} as const;
export type OutboundStatus = (typeof OutboundStatus)[keyof typeof OutboundStatus];

/** A payment we send (LDK `PendingOutboundPayment`). */
export interface OutboundPayment {
  readonly paymentId: Uint8Array;
  readonly paymentHash: Uint8Array;
  readonly onionFields: RecipientOnionFields;
  /** Keysend: the preimage we put in the final onion payload. */
  readonly keysendPreimage: Uint8Array | undefined;
  /** The total the payee receives over every part. */
  readonly totalMsat: bigint;
  /** For routing retries; absent for a payment sent over an explicit route. */
  readonly routeParams: RouteParameters | undefined;
  readonly retry: Retry;
  /** Attempts made so far (the first one included). */
  attempts: number;
  /** Seconds since 1970 when the payment started (for `Retry.Timeout`). */
  readonly startedAtSeconds: number;
  status: OutboundStatus;
  /** Set when `Fulfilled`. */
  paymentPreimage: Uint8Array | undefined;
  /** Set when `Abandoned`: what `PaymentFailed` reports. */
  failureReason: PaymentFailureReason | undefined;
  /** Scids that failed for this payment, avoided by retries. */
  failedChannels: bigint[];
  parts: OutboundPart[];
  nextPartId: number;
  /** Timer ticks since the payment was resolved with nothing in flight (then it is forgotten). */
  resolvedTicks: number;
}

/** One HTLC of a payment to us. */
export interface ClaimableHtlc {
  readonly channelId: string;
  readonly counterpartyNodeId: string;
  readonly userChannelId: bigint;
  readonly htlcId: bigint;
  /** The HTLC's amount (`amount_msat`), which may exceed the onion's `amt_to_forward`. */
  readonly amountMsat: bigint;
  readonly cltvExpiry: number;
  /** The onion's `total_msat`. */
  readonly totalMsat: bigint;
  readonly sharedSecret: Uint8Array;
  readonly blinded: boolean;
}

/** A payment to us, collecting parts until they reach `total_msat` (LDK `ClaimablePayment`). */
export interface InboundPayment {
  readonly paymentHash: Uint8Array;
  /** Bolt11 (with the secret, and the preimage when we derived it) or keysend. */
  readonly purpose:
    | {
        readonly type: 'Bolt11InvoicePayment';
        readonly paymentSecret: Uint8Array;
        readonly paymentPreimage: Uint8Array | undefined;
      }
    | { readonly type: 'SpontaneousPayment'; readonly paymentPreimage: Uint8Array };
  readonly paymentMetadata: Uint8Array | undefined;
  htlcs: ClaimableHtlc[];
  /** `PaymentClaimable` is out: waiting for `claimFunds` or `failHtlcBackwards`. */
  claimable: boolean;
  /** `claimFunds` started: the parts are being fulfilled. */
  claiming: boolean;
  /** Timer ticks since the first part arrived while incomplete (BOLT 4 MPP timeout). */
  ticksIncomplete: number;
}

/** Something that came in and waits for `processPendingHtlcForwards`. */
export type PendingHtlc =
  | {
      readonly kind: 'forward';
      readonly prevChannelId: string;
      readonly prevCounterpartyNodeId: string;
      readonly prevHtlcId: bigint;
      readonly incomingAmountMsat: bigint;
      readonly incomingCltvExpiry: number;
      readonly sharedSecret: Uint8Array;
      readonly blinded: boolean;
      readonly paymentHash: Uint8Array;
      /** The scid the onion asks for (a real scid or one of our aliases). */
      readonly nextShortChannelId: bigint;
      readonly amountToForwardMsat: bigint;
      readonly outgoingCltvValue: number;
      /** The 1366-byte onion for the next hop. */
      readonly nextOnion: Uint8Array;
    }
  | {
      readonly kind: 'receive';
      readonly htlc: ClaimableHtlc;
      readonly paymentHash: Uint8Array;
      /** The onion's `amt_to_forward` and `outgoing_cltv_value`. */
      readonly amountToForwardMsat: bigint;
      readonly outgoingCltvValue: number;
      readonly paymentSecret: Uint8Array | undefined;
      readonly paymentMetadata: Uint8Array | undefined;
      readonly keysendPreimage: Uint8Array | undefined;
    };

/** All payment state of a manager. */
export interface PaymentState {
  /** Keyed by lowercase hex payment id. */
  readonly outbound: Map<string, OutboundPayment>;
  /** Keyed by lowercase hex payment hash. */
  readonly inbound: Map<string, InboundPayment>;
  /** Keyed `${channelId}:${htlcId}` of the HTLC we offered. */
  readonly outgoingHtlcs: Map<string, OutgoingHtlc>;
  /** Received HTLCs waiting for `processPendingHtlcForwards`, oldest first. */
  pendingHtlcs: PendingHtlc[];
  /** `PendingHTLCsForwardable` is out and `processPendingHtlcForwards` has not run since. */
  forwardableSignalled: boolean;
  /** Seconds since 1970: the newest block header time seen, our clock for invoice expiry. */
  highestSeenTimestamp: number;
}

export function emptyPaymentState(): PaymentState {
  return {
    outbound: new Map(),
    inbound: new Map(),
    outgoingHtlcs: new Map(),
    pendingHtlcs: [],
    forwardableSignalled: false,
    highestSeenTimestamp: 0,
  };
}

/** The key of `PaymentState.outgoingHtlcs`. */
export function outgoingKey(channelId: string, htlcId: bigint): string {
  return `${channelId}:${htlcId.toString()}`;
}
