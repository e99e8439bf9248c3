/**
 * The commitment formats boltkit builds. Both use `option_static_remotekey` (the `to_remote`
 * output pays the counterparty's unchanging payment basepoint). `anchors_zero_fee_htlc_tx` adds
 * the two 330-sat anchor outputs, a one-block CSV on every non-anchor output, and zero-fee HTLC
 * transactions signed by the counterparty with SIGHASH_SINGLE|ANYONECANPAY.
 *
 * BOLT 3 "Commitment Transaction Outputs"; BOLT 9 features 12/13 (`option_static_remotekey`) and
 * 22/23 (`option_anchors`).
 */
import { APIMisuseError } from '../util/errors.js';

export const ChannelType = {
  StaticRemoteKey: 'static_remotekey',
  AnchorsZeroFeeHtlcTx: 'anchors_zero_fee_htlc_tx',
} as const;
export type ChannelType = (typeof ChannelType)[keyof typeof ChannelType];

/** True for the anchor format, whose scripts carry the extra `1 OP_CHECKSEQUENCEVERIFY`. */
export function hasAnchors(channelType: ChannelType): boolean {
  return channelType === ChannelType.AnchorsZeroFeeHtlcTx;
}

/** Throws `APIMisuseError` unless `value` is a known channel type. */
export function assertChannelType(value: unknown, what = 'channelType'): ChannelType {
  if (value !== ChannelType.StaticRemoteKey && value !== ChannelType.AnchorsZeroFeeHtlcTx) {
    throw new APIMisuseError(
      `${what}: expected '${ChannelType.StaticRemoteKey}' or '${ChannelType.AnchorsZeroFeeHtlcTx}', got ${String(value)}`,
    );
  }
  return value;
}
