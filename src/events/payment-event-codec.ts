/**
 * The stable encoding of the payment events (`payment-events.ts`), part of the event encoding
 * of `event-codec.ts`: each event is a TLV stream whose types follow the event's field order.
 * Nested values are records of their own (TLV streams carried as one value):
 *
 * - a `Path` is a record whose type 0 is the list of its hops, each hop a record
 *   (0 `pubkey`, 2 `shortChannelId` u64, 4 `feeMsat` u64, 6 `cltvExpiryDelta` u32), so blinded
 *   tails or trampoline hops can be added later as new fields;
 * - a `PaymentPurpose` and an `HtlcDestination` are records whose type 0 is a kind number
 *   (u16, from the tables below), followed by that kind's fields;
 * - `PaymentClaimed.htlcs` is a list of records.
 *
 * Absent optional fields are absent records. Event numbers, kind numbers, failure-reason
 * numbers and TLV types never change once released; an unknown kind or reason number is a
 * `DecodeError`, as an unknown even TLV type is.
 */
import type { Path, RouteHop } from '../routing/route.js';
import { fromHex } from '../util/bytes.js';
import { DecodeError } from '../util/errors.js';
import {
  Fields,
  Records,
  boolBytes,
  decodeList,
  encodeList,
  optionalHex,
  safeUintBytes,
  u128Bytes,
  u16Bytes,
  u32Bytes,
  u64Bytes,
} from './event-records.js';
import type {
  ClaimedHtlc,
  HtlcDestination,
  PaymentEvent,
  PaymentFailureReason,
  PaymentPurpose,
} from './payment-events.js';

type PaymentEventType = PaymentEvent['type'];

/** Stable event numbers, even, after those of `event-codec.ts` (0..10). */
export const PAYMENT_EVENT_NUMBER: Readonly<Record<PaymentEventType, number>> = {
  PaymentClaimable: 12,
  PaymentClaimed: 14,
  PaymentSent: 16,
  PaymentPathSuccessful: 18,
  PaymentPathFailed: 20,
  PaymentFailed: 22,
  PendingHTLCsForwardable: 24,
  HTLCHandlingFailed: 26,
  PaymentForwarded: 28,
};

const PURPOSE_KIND: Readonly<Record<PaymentPurpose['type'], number>> = {
  Bolt11InvoicePayment: 0,
  SpontaneousPayment: 1,
};

const DESTINATION_KIND: Readonly<Record<HtlcDestination['type'], number>> = {
  NextHopChannel: 0,
  UnknownNextHop: 1,
  InvalidOnion: 2,
  FailedPayment: 3,
};

const FAILURE_REASON_NUMBER: Readonly<Record<PaymentFailureReason, number>> = {
  RecipientRejected: 0,
  UserAbandoned: 1,
  RetriesExhausted: 2,
  PaymentExpired: 3,
  RouteNotFound: 4,
  UnexpectedError: 5,
};

/** The key of `table` whose number is `n`, or a `DecodeError` naming `what`. */
function kindOf<K extends string>(table: Readonly<Record<K, number>>, n: number, what: string): K {
  for (const [k, v] of Object.entries(table) as [K, number][]) if (v === n) return k;
  throw new DecodeError(`${what}: unknown kind ${n}`);
}

// --- Nested records ---------------------------------------------------------------------------

function encodeHop(h: RouteHop): Uint8Array {
  return new Records()
    .add(0, fromHex(h.pubkey, 33))
    .add(2, u64Bytes(h.shortChannelId))
    .add(4, u64Bytes(h.feeMsat))
    .add(6, u32Bytes(h.cltvExpiryDelta))
    .finish();
}

function decodeHop(bytes: Uint8Array): RouteHop {
  const x = Fields.read(bytes, [0, 2, 4, 6], 'RouteHop');
  return {
    pubkey: x.hex(0, 33),
    shortChannelId: x.u64(2),
    feeMsat: x.u64(4),
    cltvExpiryDelta: x.u32(6),
  };
}

function encodePath(p: Path): Uint8Array {
  return new Records().add(0, encodeList(p.hops, encodeHop)).finish();
}

function decodePath(bytes: Uint8Array): Path {
  const x = Fields.read(bytes, [0], 'Path');
  return { hops: decodeList(x.bytes(0), decodeHop, 'Path hops') };
}

function encodePurpose(p: PaymentPurpose): Uint8Array {
  const r = new Records().add(0, u16Bytes(PURPOSE_KIND[p.type]));
  if (p.type === 'Bolt11InvoicePayment') {
    r.add(2, optionalHex(p.paymentPreimage, 32)).add(4, fromHex(p.paymentSecret, 32));
  } else {
    r.add(2, fromHex(p.paymentPreimage, 32));
  }
  return r.finish();
}

function decodePurpose(bytes: Uint8Array): PaymentPurpose {
  const x = Fields.read(bytes, [0, 2, 4], 'PaymentPurpose');
  const type = kindOf(PURPOSE_KIND, x.u16(0), 'PaymentPurpose');
  if (type === 'Bolt11InvoicePayment') {
    return {
      type,
      paymentPreimage: x.optional(2, (t) => x.hex(t, 32)),
      paymentSecret: x.hex(4, 32),
    };
  }
  return { type, paymentPreimage: x.hex(2, 32) };
}

function encodeDestination(d: HtlcDestination): Uint8Array {
  const r = new Records().add(0, u16Bytes(DESTINATION_KIND[d.type]));
  switch (d.type) {
    case 'NextHopChannel':
      r.add(2, optionalHex(d.nodeId, 33)).add(4, fromHex(d.channelId, 32));
      break;
    case 'UnknownNextHop':
      r.add(6, u64Bytes(d.requestedForwardScid));
      break;
    case 'InvalidOnion':
      break;
    case 'FailedPayment':
      r.add(8, fromHex(d.paymentHash, 32));
      break;
  }
  return r.finish();
}

function decodeDestination(bytes: Uint8Array): HtlcDestination {
  const x = Fields.read(bytes, [0, 2, 4, 6, 8], 'HtlcDestination');
  const type = kindOf(DESTINATION_KIND, x.u16(0), 'HtlcDestination');
  switch (type) {
    case 'NextHopChannel':
      return { type, nodeId: x.optional(2, (t) => x.hex(t, 33)), channelId: x.hex(4, 32) };
    case 'UnknownNextHop':
      return { type, requestedForwardScid: x.u64(6) };
    case 'InvalidOnion':
      return { type };
    case 'FailedPayment':
      return { type, paymentHash: x.hex(8, 32) };
  }
}

function encodeClaimedHtlc(h: ClaimedHtlc): Uint8Array {
  return new Records()
    .add(0, fromHex(h.channelId, 32))
    .add(2, u128Bytes(h.userChannelId))
    .add(4, u32Bytes(h.cltvExpiry))
    .add(6, u64Bytes(h.valueMsat))
    .finish();
}

function decodeClaimedHtlc(bytes: Uint8Array): ClaimedHtlc {
  const x = Fields.read(bytes, [0, 2, 4, 6], 'ClaimedHtlc');
  return {
    channelId: x.hex(0, 32),
    userChannelId: x.u128(2),
    cltvExpiry: x.u32(4),
    valueMsat: x.u64(6),
  };
}

// --- Events ---------------------------------------------------------------------------------

/** The TLV stream of a payment event (without its event number). */
export function encodePaymentEventBody(event: PaymentEvent): Uint8Array {
  const r = new Records();
  switch (event.type) {
    case 'PaymentClaimable':
      r.add(0, fromHex(event.receiverNodeId, 33))
        .add(2, fromHex(event.paymentHash, 32))
        .add(4, u64Bytes(event.amountMsat))
        .add(6, encodePurpose(event.purpose))
        .add(8, fromHex(event.viaChannelId, 32))
        .add(10, optionalHex(event.paymentMetadata))
        .add(12, u32Bytes(event.claimDeadline));
      break;
    case 'PaymentClaimed':
      r.add(0, fromHex(event.receiverNodeId, 33))
        .add(2, fromHex(event.paymentHash, 32))
        .add(4, u64Bytes(event.amountMsat))
        .add(6, encodePurpose(event.purpose))
        .add(8, encodeList(event.htlcs, encodeClaimedHtlc));
      break;
    case 'PaymentSent':
      r.add(0, fromHex(event.paymentId, 32))
        .add(2, fromHex(event.paymentPreimage, 32))
        .add(4, fromHex(event.paymentHash, 32))
        .add(6, u64Bytes(event.feePaidMsat));
      break;
    case 'PaymentPathSuccessful':
      r.add(0, fromHex(event.paymentId, 32))
        .add(2, fromHex(event.paymentHash, 32))
        .add(4, encodePath(event.path));
      break;
    case 'PaymentPathFailed':
      r.add(0, fromHex(event.paymentId, 32))
        .add(2, fromHex(event.paymentHash, 32))
        .add(4, boolBytes(event.paymentFailedPermanently))
        .add(6, encodePath(event.path))
        .add(8, event.shortChannelId === undefined ? undefined : u64Bytes(event.shortChannelId))
        .add(10, optionalHex(event.failingNodeId, 33))
        .add(12, event.failureCode === undefined ? undefined : u16Bytes(event.failureCode))
        .add(14, optionalHex(event.failureData))
        .add(16, boolBytes(event.willRetry));
      break;
    case 'PaymentFailed':
      r.add(0, fromHex(event.paymentId, 32))
        .add(2, optionalHex(event.paymentHash, 32))
        .add(4, u16Bytes(FAILURE_REASON_NUMBER[event.reason]));
      break;
    case 'PendingHTLCsForwardable':
      r.add(0, safeUintBytes(event.timeForwardableMs, 'timeForwardableMs'));
      break;
    case 'HTLCHandlingFailed':
      r.add(0, fromHex(event.prevChannelId, 32)).add(
        2,
        encodeDestination(event.failedNextDestination),
      );
      break;
    case 'PaymentForwarded':
      r.add(0, fromHex(event.prevChannelId, 32))
        .add(2, fromHex(event.nextChannelId, 32))
        .add(4, optionalHex(event.prevNodeId, 33))
        .add(6, optionalHex(event.nextNodeId, 33))
        .add(8, u64Bytes(event.totalFeeEarnedMsat))
        .add(10, u64Bytes(event.outboundAmountForwardedMsat))
        .add(12, boolBytes(event.claimFromOnchainTx));
      break;
  }
  return r.finish();
}

/**
 * Reads the TLV stream of the payment event `type` (as `encodePaymentEventBody` wrote it).
 * Throws `DecodeError` for a missing field, a wrong length, an unknown even TLV type or kind.
 */
export function decodePaymentEventBody(type: PaymentEventType, body: Uint8Array): PaymentEvent {
  switch (type) {
    case 'PaymentClaimable': {
      const x = Fields.read(body, [0, 2, 4, 6, 8, 10, 12], type);
      return {
        type,
        receiverNodeId: x.hex(0, 33),
        paymentHash: x.hex(2, 32),
        amountMsat: x.u64(4),
        purpose: decodePurpose(x.bytes(6)),
        viaChannelId: x.hex(8, 32),
        paymentMetadata: x.optional(10, (t) => x.hex(t)),
        claimDeadline: x.u32(12),
      };
    }
    case 'PaymentClaimed': {
      const x = Fields.read(body, [0, 2, 4, 6, 8], type);
      return {
        type,
        receiverNodeId: x.hex(0, 33),
        paymentHash: x.hex(2, 32),
        amountMsat: x.u64(4),
        purpose: decodePurpose(x.bytes(6)),
        htlcs: decodeList(x.bytes(8), decodeClaimedHtlc, 'PaymentClaimed htlcs'),
      };
    }
    case 'PaymentSent': {
      const x = Fields.read(body, [0, 2, 4, 6], type);
      return {
        type,
        paymentId: x.hex(0, 32),
        paymentPreimage: x.hex(2, 32),
        paymentHash: x.hex(4, 32),
        feePaidMsat: x.u64(6),
      };
    }
    case 'PaymentPathSuccessful': {
      const x = Fields.read(body, [0, 2, 4], type);
      return {
        type,
        paymentId: x.hex(0, 32),
        paymentHash: x.hex(2, 32),
        path: decodePath(x.bytes(4)),
      };
    }
    case 'PaymentPathFailed': {
      const x = Fields.read(body, [0, 2, 4, 6, 8, 10, 12, 14, 16], type);
      return {
        type,
        paymentId: x.hex(0, 32),
        paymentHash: x.hex(2, 32),
        paymentFailedPermanently: x.bool(4),
        path: decodePath(x.bytes(6)),
        shortChannelId: x.optional(8, (t) => x.u64(t)),
        failingNodeId: x.optional(10, (t) => x.hex(t, 33)),
        failureCode: x.optional(12, (t) => x.u16(t)),
        failureData: x.optional(14, (t) => x.hex(t)),
        willRetry: x.bool(16),
      };
    }
    case 'PaymentFailed': {
      const x = Fields.read(body, [0, 2, 4], type);
      return {
        type,
        paymentId: x.hex(0, 32),
        paymentHash: x.optional(2, (t) => x.hex(t, 32)),
        reason: kindOf(FAILURE_REASON_NUMBER, x.u16(4), 'PaymentFailureReason'),
      };
    }
    case 'PendingHTLCsForwardable': {
      const x = Fields.read(body, [0], type);
      return { type, timeForwardableMs: x.safeUint(0) };
    }
    case 'HTLCHandlingFailed': {
      const x = Fields.read(body, [0, 2], type);
      return {
        type,
        prevChannelId: x.hex(0, 32),
        failedNextDestination: decodeDestination(x.bytes(2)),
      };
    }
    case 'PaymentForwarded': {
      const x = Fields.read(body, [0, 2, 4, 6, 8, 10, 12], type);
      return {
        type,
        prevChannelId: x.hex(0, 32),
        nextChannelId: x.hex(2, 32),
        prevNodeId: x.optional(4, (t) => x.hex(t, 33)),
        nextNodeId: x.optional(6, (t) => x.hex(t, 33)),
        totalFeeEarnedMsat: x.u64(8),
        outboundAmountForwardedMsat: x.u64(10),
        claimFromOnchainTx: x.bool(12),
      };
    }
  }
}
