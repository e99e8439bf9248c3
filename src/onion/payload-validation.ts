/**
 * Which hop payload records a hop needs, as BOLT 4 requires of the reader ("`payload` format",
 * Requirements). A decoded payload becomes one of four typed hops:
 *
 * - `forward`: outside a blinded path, not last: `amt_to_forward`, `outgoing_cltv_value` and
 *   `short_channel_id`;
 * - `receive`: outside a blinded path, last: `amt_to_forward` and `outgoing_cltv_value`, with
 *   `payment_data`, `payment_metadata` or a keysend preimage as the sender put them;
 * - `blinded-forward`: inside a blinded path, not last: only `encrypted_recipient_data` (and
 *   `current_path_key` at the path's first node); amounts come from the decrypted record;
 * - `blinded-receive`: inside a blinded path, last: `encrypted_recipient_data`,
 *   `amt_to_forward`, `outgoing_cltv_value` and `total_amount_msat`, nothing else.
 *
 * Violations throw `InvalidOnionPayloadError` with the record at fault (offset 0: a missing or
 * unexpected record is not a position in the stream). Inside a blinded path BOLT 4 wants
 * `invalid_onion_blinding` returned instead; `payment-onion.ts` makes that switch.
 */
import type { ShortChannelId } from '../wire/short-channel-id.js';
import type { TlvRecord } from '../wire/tlv.js';
import { InvalidOnionPayloadError } from './errors.js';
import { HopPayloadType, type DecodedHopPayload, type HopPayload } from './payload.js';

/** A forwarding hop outside blinded paths. */
export interface ForwardHopPayload {
  readonly kind: 'forward';
  readonly shortChannelId: ShortChannelId;
  readonly amtToForwardMsat: bigint;
  readonly outgoingCltvValue: number;
  readonly unknownOddTlvs: readonly TlvRecord[];
}

/** The recipient, outside blinded paths. */
export interface ReceiveHopPayload {
  readonly kind: 'receive';
  readonly amtToForwardMsat: bigint;
  readonly outgoingCltvValue: number;
  /**
   * The payment total this HTLC is part of: `payment_data.total_msat`, or `amt_to_forward` when
   * there is no `payment_data` (BOLT 4: treat `total_msat` as equal to `amt_to_forward`).
   */
  readonly totalMsat: bigint;
  /** Absent when the sender sent none; the payment layer refuses that unless it is keysend. */
  readonly paymentSecret?: Uint8Array;
  readonly paymentMetadata?: Uint8Array;
  readonly keysendPreimage?: Uint8Array;
  /** Custom records (odd types) the sender added for the recipient. */
  readonly unknownOddTlvs: readonly TlvRecord[];
}

/** A forwarding hop inside a blinded path: where to go is in `encryptedRecipientData`. */
export interface BlindedForwardHopPayload {
  readonly kind: 'blinded-forward';
  readonly encryptedRecipientData: Uint8Array;
  /** Set at the path's first node only, when the path key was not in `update_add_htlc`. */
  readonly currentPathKey?: Uint8Array;
}

/** The recipient at the end of a blinded path. */
export interface BlindedReceiveHopPayload {
  readonly kind: 'blinded-receive';
  readonly encryptedRecipientData: Uint8Array;
  readonly currentPathKey?: Uint8Array;
  readonly amtToForwardMsat: bigint;
  readonly outgoingCltvValue: number;
  /** `total_amount_msat`. */
  readonly totalMsat: bigint;
  readonly unknownOddTlvs: readonly TlvRecord[];
}

export type PaymentHopPayload =
  ForwardHopPayload | ReceiveHopPayload | BlindedForwardHopPayload | BlindedReceiveHopPayload;

export interface HopContext {
  /** This hop is the last one: the onion's next HMAC was all zero. */
  readonly isFinal: boolean;
  /** The HTLC came with a `path_key` (the `update_add_htlc` `blinded_path` record). */
  readonly hasIncomingPathKey: boolean;
}

const recordNames: Readonly<Record<keyof HopPayload, bigint>> = {
  amtToForwardMsat: HopPayloadType.amtToForward,
  outgoingCltvValue: HopPayloadType.outgoingCltvValue,
  shortChannelId: HopPayloadType.shortChannelId,
  paymentData: HopPayloadType.paymentData,
  encryptedRecipientData: HopPayloadType.encryptedRecipientData,
  currentPathKey: HopPayloadType.currentPathKey,
  paymentMetadata: HopPayloadType.paymentMetadata,
  totalAmountMsat: HopPayloadType.totalAmountMsat,
  keysendPreimage: HopPayloadType.keysendPreimage,
};

function missing(field: keyof HopPayload, why: string): InvalidOnionPayloadError {
  return new InvalidOnionPayloadError(
    `invalid_onion_payload: ${why} needs record ${recordNames[field]}`,
    recordNames[field],
    0,
  );
}

function unexpected(field: keyof HopPayload, why: string): InvalidOnionPayloadError {
  return new InvalidOnionPayloadError(
    `invalid_onion_payload: record ${recordNames[field]} is not allowed ${why}`,
    recordNames[field],
    0,
  );
}

function required<K extends keyof HopPayload>(
  p: HopPayload,
  field: K,
  why: string,
): Exclude<HopPayload[K], undefined> {
  const v = p[field];
  if (v === undefined) throw missing(field, why);
  return v as Exclude<HopPayload[K], undefined>;
}

/** Throws for the first record of `p` outside `allowed`. */
function onlyAllowed(p: HopPayload, allowed: readonly (keyof HopPayload)[], why: string): void {
  for (const key of Object.keys(recordNames) as (keyof HopPayload)[]) {
    if (p[key] !== undefined && !allowed.includes(key)) throw unexpected(key, why);
  }
}

function blindedHop(decoded: DecodedHopPayload, ctx: HopContext): PaymentHopPayload {
  const p = decoded.payload;
  const encryptedRecipientData = p.encryptedRecipientData!;
  // The path key arrives in exactly one place: in update_add_htlc inside the path, in the
  // payload at its first node.
  if (ctx.hasIncomingPathKey && p.currentPathKey !== undefined) {
    throw unexpected('currentPathKey', 'with a path_key in update_add_htlc');
  }
  if (!ctx.hasIncomingPathKey && p.currentPathKey === undefined) {
    throw missing('currentPathKey', 'a blinded hop without a path_key in update_add_htlc');
  }
  const pathKey = p.currentPathKey === undefined ? {} : { currentPathKey: p.currentPathKey };
  if (!ctx.isFinal) {
    onlyAllowed(p, ['encryptedRecipientData', 'currentPathKey'], 'at a blinded forwarding hop');
    return { kind: 'blinded-forward', encryptedRecipientData, ...pathKey };
  }
  const why = 'a blinded final hop';
  onlyAllowed(
    p,
    [
      'encryptedRecipientData',
      'currentPathKey',
      'amtToForwardMsat',
      'outgoingCltvValue',
      'totalAmountMsat',
    ],
    `at ${why}`,
  );
  return {
    kind: 'blinded-receive',
    encryptedRecipientData,
    ...pathKey,
    amtToForwardMsat: required(p, 'amtToForwardMsat', why),
    outgoingCltvValue: required(p, 'outgoingCltvValue', why),
    totalMsat: required(p, 'totalAmountMsat', why),
    unknownOddTlvs: decoded.unknownOddTlvs,
  };
}

/**
 * Checks a decoded payload against what BOLT 4 requires of a hop in `ctx`. Throws
 * `InvalidOnionPayloadError` naming the record missing or not allowed.
 */
export function validateHopPayload(decoded: DecodedHopPayload, ctx: HopContext): PaymentHopPayload {
  const p = decoded.payload;
  if (p.encryptedRecipientData !== undefined) return blindedHop(decoded, ctx);
  if (ctx.hasIncomingPathKey) {
    throw missing('encryptedRecipientData', 'an HTLC with a path_key');
  }
  if (p.currentPathKey !== undefined) {
    throw unexpected('currentPathKey', 'without encrypted_recipient_data');
  }
  const why = ctx.isFinal ? 'a final hop' : 'a forwarding hop';
  const amtToForwardMsat = required(p, 'amtToForwardMsat', why);
  const outgoingCltvValue = required(p, 'outgoingCltvValue', why);
  if (!ctx.isFinal) {
    const shortChannelId = required(p, 'shortChannelId', why);
    // Records only the recipient reads: a forwarding hop carrying them was built wrongly.
    for (const k of ['paymentData', 'totalAmountMsat', 'keysendPreimage'] as const) {
      if (p[k] !== undefined) throw unexpected(k, 'at a forwarding hop');
    }
    return {
      kind: 'forward',
      shortChannelId,
      amtToForwardMsat,
      outgoingCltvValue,
      unknownOddTlvs: decoded.unknownOddTlvs,
    };
  }
  if (p.shortChannelId !== undefined) throw unexpected('shortChannelId', 'at a final hop');
  if (p.totalAmountMsat !== undefined) {
    throw unexpected('totalAmountMsat', 'outside a blinded path');
  }
  const optional = {
    ...(p.paymentData === undefined ? {} : { paymentSecret: p.paymentData.paymentSecret }),
    ...(p.paymentMetadata === undefined ? {} : { paymentMetadata: p.paymentMetadata }),
    ...(p.keysendPreimage === undefined ? {} : { keysendPreimage: p.keysendPreimage }),
  };
  return {
    kind: 'receive',
    amtToForwardMsat,
    outgoingCltvValue,
    totalMsat: p.paymentData?.totalMsat ?? amtToForwardMsat,
    ...optional,
    unknownOddTlvs: decoded.unknownOddTlvs,
  };
}
