/**
 * Every BOLT 4 `failure_code`, its flags and the data it carries (BOLT 4, "Failure Messages").
 * The top bits of a code are flags:
 *
 * - BADONION (0x8000): the sending peer's onion could not be parsed; only these codes go in
 *   `update_fail_malformed_htlc`;
 * - PERM (0x4000): permanent, otherwise transient;
 * - NODE (0x2000): the node failed, otherwise its channel;
 * - UPDATE (0x1000): a channel forwarding parameter was violated (a `channel_update` may follow).
 *
 * Codes 16 (`incorrect_payment_amount`) and 17 (`final_expiry_too_soon`) are retired: BOLT 4
 * folds them into `incorrect_or_unknown_payment_details`, so a final node never leaks which
 * check failed. They decode as unknown codes.
 */

/** The flag bits of a failure code. */
export const FailureFlag = {
  BadOnion: 0x8000,
  Perm: 0x4000,
  Node: 0x2000,
  Update: 0x1000,
} as const;
export type FailureFlag = (typeof FailureFlag)[keyof typeof FailureFlag];

/** Every failure code BOLT 4 defines, by camelCase BOLT name. */
export const FailureCode = {
  /** NODE|2: a transient failure of the whole node. */
  temporaryNodeFailure: 0x2002,
  /** PERM|NODE|2: a permanent failure of the whole node. */
  permanentNodeFailure: 0x6002,
  /** PERM|NODE|3: the node requires a feature the onion lacks. */
  requiredNodeFeatureMissing: 0x6003,
  /** BADONION|PERM|4: the version byte is not 0. */
  invalidOnionVersion: 0xc004,
  /** BADONION|PERM|5: the HMAC does not verify. */
  invalidOnionHmac: 0xc005,
  /** BADONION|PERM|6: the ephemeral key does not parse. */
  invalidOnionKey: 0xc006,
  /** UPDATE|7: the outgoing channel cannot take this HTLC now. */
  temporaryChannelFailure: 0x1007,
  /** PERM|8: the outgoing channel cannot take any HTLC. */
  permanentChannelFailure: 0x4008,
  /** PERM|9: the outgoing channel requires a feature the onion lacks. */
  requiredChannelFeatureMissing: 0x4009,
  /** PERM|10: no channel with that `short_channel_id` leads from the node. */
  unknownNextPeer: 0x400a,
  /** UPDATE|11: below the outgoing channel's `htlc_minimum_msat`. */
  amountBelowMinimum: 0x100b,
  /** UPDATE|12: the fee is below the outgoing channel's. */
  feeInsufficient: 0x100c,
  /** UPDATE|13: `cltv_expiry` leaves less than the channel's `cltv_expiry_delta`. */
  incorrectCltvExpiry: 0x100d,
  /** UPDATE|14: `cltv_expiry` is too close to the current height. */
  expiryTooSoon: 0x100e,
  /** PERM|15: the final node rejects the payment hash, secret, amount or expiry. */
  incorrectOrUnknownPaymentDetails: 0x400f,
  /** 18: the final HTLC's `cltv_expiry` is below the onion's `outgoing_cltv_value`. */
  finalIncorrectCltvExpiry: 18,
  /** 19: the final HTLC's amount is below the onion's `amt_to_forward`. */
  finalIncorrectHtlcAmount: 19,
  /** UPDATE|20: the outgoing channel is disabled. */
  channelDisabled: 0x1014,
  /** 21: `cltv_expiry` is too far in the future. */
  expiryTooFar: 21,
  /** PERM|22: the hop payload is invalid or incomplete. */
  invalidOnionPayload: 0x4016,
  /** 23: the rest of a multi-part payment did not arrive in time. */
  mppTimeout: 23,
  /** BADONION|PERM|24: an error inside a blinded path. */
  invalidOnionBlinding: 0xc018,
} as const;
export type FailureCode = (typeof FailureCode)[keyof typeof FailureCode];

/** The data fields a failure message can carry, by camelCase BOLT name. */
export type FailureField =
  | 'sha256OfOnion'
  | 'htlcMsat'
  | 'cltvExpiry'
  | 'height'
  | 'incomingHtlcAmtMsat'
  | 'disabledFlags'
  | 'channelUpdate'
  | 'tlvType'
  | 'offset';

/** A failure code's BOLT name and the fields of its data, in wire order. */
export interface FailureCodeInfo {
  readonly code: FailureCode;
  /** The BOLT 4 name, such as `temporary_channel_failure`. */
  readonly name: string;
  readonly fields: readonly FailureField[];
}

const info = (code: FailureCode, name: string, fields: readonly FailureField[] = []) =>
  [code, { code, name, fields }] as const;

/** Every defined code, with the fields its data carries in wire order. */
export const failureCodeTable: ReadonlyMap<number, FailureCodeInfo> = new Map<
  number,
  FailureCodeInfo
>([
  info(FailureCode.temporaryNodeFailure, 'temporary_node_failure'),
  info(FailureCode.permanentNodeFailure, 'permanent_node_failure'),
  info(FailureCode.requiredNodeFeatureMissing, 'required_node_feature_missing'),
  info(FailureCode.invalidOnionVersion, 'invalid_onion_version', ['sha256OfOnion']),
  info(FailureCode.invalidOnionHmac, 'invalid_onion_hmac', ['sha256OfOnion']),
  info(FailureCode.invalidOnionKey, 'invalid_onion_key', ['sha256OfOnion']),
  info(FailureCode.temporaryChannelFailure, 'temporary_channel_failure', ['channelUpdate']),
  info(FailureCode.permanentChannelFailure, 'permanent_channel_failure'),
  info(FailureCode.requiredChannelFeatureMissing, 'required_channel_feature_missing'),
  info(FailureCode.unknownNextPeer, 'unknown_next_peer'),
  info(FailureCode.amountBelowMinimum, 'amount_below_minimum', ['htlcMsat', 'channelUpdate']),
  info(FailureCode.feeInsufficient, 'fee_insufficient', ['htlcMsat', 'channelUpdate']),
  info(FailureCode.incorrectCltvExpiry, 'incorrect_cltv_expiry', ['cltvExpiry', 'channelUpdate']),
  info(FailureCode.expiryTooSoon, 'expiry_too_soon', ['channelUpdate']),
  info(FailureCode.incorrectOrUnknownPaymentDetails, 'incorrect_or_unknown_payment_details', [
    'htlcMsat',
    'height',
  ]),
  info(FailureCode.finalIncorrectCltvExpiry, 'final_incorrect_cltv_expiry', ['cltvExpiry']),
  info(FailureCode.finalIncorrectHtlcAmount, 'final_incorrect_htlc_amount', [
    'incomingHtlcAmtMsat',
  ]),
  info(FailureCode.channelDisabled, 'channel_disabled', ['disabledFlags', 'channelUpdate']),
  info(FailureCode.expiryTooFar, 'expiry_too_far'),
  info(FailureCode.invalidOnionPayload, 'invalid_onion_payload', ['tlvType', 'offset']),
  info(FailureCode.mppTimeout, 'mpp_timeout'),
  info(FailureCode.invalidOnionBlinding, 'invalid_onion_blinding', ['sha256OfOnion']),
]);

/** True when `code` has the BADONION bit: the reply is `update_fail_malformed_htlc`. */
export function isBadOnion(code: number): boolean {
  return (code & FailureFlag.BadOnion) !== 0;
}

/** True when `code` has the PERM bit: retrying the same path will not help. */
export function isPermanent(code: number): boolean {
  return (code & FailureFlag.Perm) !== 0;
}

/** True when `code` has the NODE bit: the node failed, not only one of its channels. */
export function isNodeFailure(code: number): boolean {
  return (code & FailureFlag.Node) !== 0;
}

/** True when `code` has the UPDATE bit: its data may carry a `channel_update`. */
export function isUpdateFailure(code: number): boolean {
  return (code & FailureFlag.Update) !== 0;
}

/** The BOLT name of `code`, or `unknown_failure_0x…` for a code BOLT 4 does not define. */
export function failureCodeName(code: number): string {
  return (
    failureCodeTable.get(code)?.name ?? `unknown_failure_0x${code.toString(16).padStart(4, '0')}`
  );
}
