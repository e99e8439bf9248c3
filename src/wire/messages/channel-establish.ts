/**
 * BOLT 2 channel establishment v1: `open_channel`, `accept_channel`, `funding_created`,
 * `funding_signed`, `channel_ready`.
 *
 * Fields follow the BOLT tables, named in camelCase; amounts keep their BOLT unit suffix
 * (`fundingSatoshis`, `pushMsat`), and `feerate_per_kw` is `feerateSatPerKw`. Points are
 * checked for their compressed prefix only; BOLT 2 makes the channel fail (not the decode) when a
 * basepoint is not on the curve, so the channel layer checks them with its `CryptoBackend`.
 *
 * See BOLT 2, "Channel Establishment v1".
 */
import type { WireReader } from '../reader.js';
import type { ShortChannelId } from '../short-channel-id.js';
import {
  decodeTlvStream,
  defineTlvStream,
  encodeTlvStream,
  tlvCodecs,
  type TlvRecord,
} from '../tlv.js';
import type { WireWriter } from '../writer.js';
import { decodeExtension, encodeExtension, withUnknown } from './extension.js';

/** `channel_flags` bit 0: the opener wants the channel announced (BOLT 2, BOLT 7). */
export const CHANNEL_FLAG_ANNOUNCE_CHANNEL = 1;

/** The TLVs shared by `open_channel` and `accept_channel`. */
interface OpeningTlvs {
  /**
   * `upfront_shutdown_script`: where our funds must go on close; zero length means "not
   * committing to one".
   */
  readonly upfrontShutdownScript?: Uint8Array;
  /** `channel_type`: the feature bits of the channel type (BOLT 2 "Defined Channel Types"). */
  readonly channelType?: Uint8Array;
}

const openChannelTlvs = defineTlvStream<OpeningTlvs>('open_channel_tlvs', {
  upfrontShutdownScript: { type: 0n, codec: tlvCodecs.bytes },
  channelType: { type: 1n, codec: tlvCodecs.bytes },
});

const acceptChannelTlvs = defineTlvStream<OpeningTlvs>('accept_channel_tlvs', {
  upfrontShutdownScript: { type: 0n, codec: tlvCodecs.bytes },
  channelType: { type: 1n, codec: tlvCodecs.bytes },
});

/** `open_channel` (type 32): the opener proposes a channel and its parameters. */
export interface OpenChannelMessage extends OpeningTlvs {
  readonly type: 'open_channel';
  readonly chainHash: Uint8Array;
  readonly temporaryChannelId: Uint8Array;
  readonly fundingSatoshis: bigint;
  readonly pushMsat: bigint;
  readonly dustLimitSatoshis: bigint;
  readonly maxHtlcValueInFlightMsat: bigint;
  readonly channelReserveSatoshis: bigint;
  readonly htlcMinimumMsat: bigint;
  readonly feerateSatPerKw: number;
  readonly toSelfDelay: number;
  readonly maxAcceptedHtlcs: number;
  readonly fundingPubkey: Uint8Array;
  readonly revocationBasepoint: Uint8Array;
  readonly paymentBasepoint: Uint8Array;
  readonly delayedPaymentBasepoint: Uint8Array;
  readonly htlcBasepoint: Uint8Array;
  readonly firstPerCommitmentPoint: Uint8Array;
  /** Bit 0 is `announce_channel`; other bits are ignored by the receiver. */
  readonly channelFlags: number;
  readonly unknownOddTlvs?: readonly TlvRecord[];
}

/** Reads a `open_channel` payload (after the 2-byte type); `DecodeError` on bad input. */
export function decodeOpenChannel(r: WireReader): OpenChannelMessage {
  const m = {
    type: 'open_channel' as const,
    chainHash: r.chainHash(),
    temporaryChannelId: r.bytes32('temporary_channel_id'),
    fundingSatoshis: r.u64('funding_satoshis'),
    pushMsat: r.u64('push_msat'),
    dustLimitSatoshis: r.u64('dust_limit_satoshis'),
    maxHtlcValueInFlightMsat: r.u64('max_htlc_value_in_flight_msat'),
    channelReserveSatoshis: r.u64('channel_reserve_satoshis'),
    htlcMinimumMsat: r.u64('htlc_minimum_msat'),
    feerateSatPerKw: r.u32('feerate_per_kw'),
    toSelfDelay: r.u16('to_self_delay'),
    maxAcceptedHtlcs: r.u16('max_accepted_htlcs'),
    fundingPubkey: r.point('funding_pubkey'),
    revocationBasepoint: r.point('revocation_basepoint'),
    paymentBasepoint: r.point('payment_basepoint'),
    delayedPaymentBasepoint: r.point('delayed_payment_basepoint'),
    htlcBasepoint: r.point('htlc_basepoint'),
    firstPerCommitmentPoint: r.point('first_per_commitment_point'),
    channelFlags: r.u8('channel_flags'),
  };
  const { values, unknownOddTlvs } = decodeTlvStream(r, openChannelTlvs);
  return withUnknown({ ...m, ...values }, unknownOddTlvs);
}

/** Writes a `open_channel` payload (without the type); `APIMisuseError` on a bad field. */
export function encodeOpenChannel(w: WireWriter, m: OpenChannelMessage): void {
  w.chainHash(m.chainHash);
  w.bytes32(m.temporaryChannelId, 'temporary_channel_id');
  w.u64(m.fundingSatoshis, 'funding_satoshis');
  w.u64(m.pushMsat, 'push_msat');
  w.u64(m.dustLimitSatoshis, 'dust_limit_satoshis');
  w.u64(m.maxHtlcValueInFlightMsat, 'max_htlc_value_in_flight_msat');
  w.u64(m.channelReserveSatoshis, 'channel_reserve_satoshis');
  w.u64(m.htlcMinimumMsat, 'htlc_minimum_msat');
  w.u32(m.feerateSatPerKw, 'feerate_per_kw');
  w.u16(m.toSelfDelay, 'to_self_delay');
  w.u16(m.maxAcceptedHtlcs, 'max_accepted_htlcs');
  w.point(m.fundingPubkey, 'funding_pubkey');
  w.point(m.revocationBasepoint, 'revocation_basepoint');
  w.point(m.paymentBasepoint, 'payment_basepoint');
  w.point(m.delayedPaymentBasepoint, 'delayed_payment_basepoint');
  w.point(m.htlcBasepoint, 'htlc_basepoint');
  w.point(m.firstPerCommitmentPoint, 'first_per_commitment_point');
  w.u8(m.channelFlags, 'channel_flags');
  encodeTlvStream(w, openChannelTlvs, m, m.unknownOddTlvs);
}

/** `accept_channel` (type 33): the accepter's parameters and keys. */
export interface AcceptChannelMessage extends OpeningTlvs {
  readonly type: 'accept_channel';
  readonly temporaryChannelId: Uint8Array;
  readonly dustLimitSatoshis: bigint;
  readonly maxHtlcValueInFlightMsat: bigint;
  readonly channelReserveSatoshis: bigint;
  readonly htlcMinimumMsat: bigint;
  /** Confirmations the accepter waits for before `channel_ready`. */
  readonly minimumDepth: number;
  readonly toSelfDelay: number;
  readonly maxAcceptedHtlcs: number;
  readonly fundingPubkey: Uint8Array;
  readonly revocationBasepoint: Uint8Array;
  readonly paymentBasepoint: Uint8Array;
  readonly delayedPaymentBasepoint: Uint8Array;
  readonly htlcBasepoint: Uint8Array;
  readonly firstPerCommitmentPoint: Uint8Array;
  readonly unknownOddTlvs?: readonly TlvRecord[];
}

/** Reads a `accept_channel` payload (after the 2-byte type); `DecodeError` on bad input. */
export function decodeAcceptChannel(r: WireReader): AcceptChannelMessage {
  const m = {
    type: 'accept_channel' as const,
    temporaryChannelId: r.bytes32('temporary_channel_id'),
    dustLimitSatoshis: r.u64('dust_limit_satoshis'),
    maxHtlcValueInFlightMsat: r.u64('max_htlc_value_in_flight_msat'),
    channelReserveSatoshis: r.u64('channel_reserve_satoshis'),
    htlcMinimumMsat: r.u64('htlc_minimum_msat'),
    minimumDepth: r.u32('minimum_depth'),
    toSelfDelay: r.u16('to_self_delay'),
    maxAcceptedHtlcs: r.u16('max_accepted_htlcs'),
    fundingPubkey: r.point('funding_pubkey'),
    revocationBasepoint: r.point('revocation_basepoint'),
    paymentBasepoint: r.point('payment_basepoint'),
    delayedPaymentBasepoint: r.point('delayed_payment_basepoint'),
    htlcBasepoint: r.point('htlc_basepoint'),
    firstPerCommitmentPoint: r.point('first_per_commitment_point'),
  };
  const { values, unknownOddTlvs } = decodeTlvStream(r, acceptChannelTlvs);
  return withUnknown({ ...m, ...values }, unknownOddTlvs);
}

/** Writes a `accept_channel` payload (without the type); `APIMisuseError` on a bad field. */
export function encodeAcceptChannel(w: WireWriter, m: AcceptChannelMessage): void {
  w.bytes32(m.temporaryChannelId, 'temporary_channel_id');
  w.u64(m.dustLimitSatoshis, 'dust_limit_satoshis');
  w.u64(m.maxHtlcValueInFlightMsat, 'max_htlc_value_in_flight_msat');
  w.u64(m.channelReserveSatoshis, 'channel_reserve_satoshis');
  w.u64(m.htlcMinimumMsat, 'htlc_minimum_msat');
  w.u32(m.minimumDepth, 'minimum_depth');
  w.u16(m.toSelfDelay, 'to_self_delay');
  w.u16(m.maxAcceptedHtlcs, 'max_accepted_htlcs');
  w.point(m.fundingPubkey, 'funding_pubkey');
  w.point(m.revocationBasepoint, 'revocation_basepoint');
  w.point(m.paymentBasepoint, 'payment_basepoint');
  w.point(m.delayedPaymentBasepoint, 'delayed_payment_basepoint');
  w.point(m.htlcBasepoint, 'htlc_basepoint');
  w.point(m.firstPerCommitmentPoint, 'first_per_commitment_point');
  encodeTlvStream(w, acceptChannelTlvs, m, m.unknownOddTlvs);
}

/**
 * `funding_created` (type 34): the funding outpoint and the opener's signature for the
 * accepter's first commitment transaction.
 */
export interface FundingCreatedMessage {
  readonly type: 'funding_created';
  readonly temporaryChannelId: Uint8Array;
  /** The funding txid in internal byte order, as BOLT 2 sends a `sha256`. */
  readonly fundingTxid: Uint8Array;
  readonly fundingOutputIndex: number;
  readonly signature: Uint8Array;
  readonly unknownOddTlvs?: readonly TlvRecord[];
}

/** Reads a `funding_created` payload (after the 2-byte type); `DecodeError` on bad input. */
export function decodeFundingCreated(r: WireReader): FundingCreatedMessage {
  const m = {
    type: 'funding_created' as const,
    temporaryChannelId: r.bytes32('temporary_channel_id'),
    fundingTxid: r.bytes32('funding_txid'),
    fundingOutputIndex: r.u16('funding_output_index'),
    signature: r.signature(),
  };
  return withUnknown(m, decodeExtension(r));
}

/** Writes a `funding_created` payload (without the type); `APIMisuseError` on a bad field. */
export function encodeFundingCreated(w: WireWriter, m: FundingCreatedMessage): void {
  w.bytes32(m.temporaryChannelId, 'temporary_channel_id');
  w.bytes32(m.fundingTxid, 'funding_txid');
  w.u16(m.fundingOutputIndex, 'funding_output_index');
  w.signature(m.signature);
  encodeExtension(w, m.unknownOddTlvs);
}

/** `funding_signed` (type 35): the accepter's signature for the opener's first commitment. */
export interface FundingSignedMessage {
  readonly type: 'funding_signed';
  readonly channelId: Uint8Array;
  readonly signature: Uint8Array;
  readonly unknownOddTlvs?: readonly TlvRecord[];
}

/** Reads a `funding_signed` payload (after the 2-byte type); `DecodeError` on bad input. */
export function decodeFundingSigned(r: WireReader): FundingSignedMessage {
  const m = {
    type: 'funding_signed' as const,
    channelId: r.bytes32('channel_id'),
    signature: r.signature(),
  };
  return withUnknown(m, decodeExtension(r));
}

/** Writes a `funding_signed` payload (without the type); `APIMisuseError` on a bad field. */
export function encodeFundingSigned(w: WireWriter, m: FundingSignedMessage): void {
  w.bytes32(m.channelId, 'channel_id');
  w.signature(m.signature);
  encodeExtension(w, m.unknownOddTlvs);
}

interface ChannelReadyTlvs {
  /** `short_channel_id` record: an alias the peer may use for this channel in route hints. */
  readonly shortChannelIdAlias?: ShortChannelId;
}

const channelReadyTlvs = defineTlvStream<ChannelReadyTlvs>('channel_ready_tlvs', {
  shortChannelIdAlias: { type: 1n, codec: tlvCodecs.shortChannelId },
});

/** `channel_ready` (type 36): the funding transaction is deep enough; the channel is usable. */
export interface ChannelReadyMessage extends ChannelReadyTlvs {
  readonly type: 'channel_ready';
  readonly channelId: Uint8Array;
  readonly secondPerCommitmentPoint: Uint8Array;
  readonly unknownOddTlvs?: readonly TlvRecord[];
}

/** Reads a `channel_ready` payload (after the 2-byte type); `DecodeError` on bad input. */
export function decodeChannelReady(r: WireReader): ChannelReadyMessage {
  const m = {
    type: 'channel_ready' as const,
    channelId: r.bytes32('channel_id'),
    secondPerCommitmentPoint: r.point('second_per_commitment_point'),
  };
  const { values, unknownOddTlvs } = decodeTlvStream(r, channelReadyTlvs);
  return withUnknown({ ...m, ...values }, unknownOddTlvs);
}

/** Writes a `channel_ready` payload (without the type); `APIMisuseError` on a bad field. */
export function encodeChannelReady(w: WireWriter, m: ChannelReadyMessage): void {
  w.bytes32(m.channelId, 'channel_id');
  w.point(m.secondPerCommitmentPoint, 'second_per_commitment_point');
  encodeTlvStream(w, channelReadyTlvs, m, m.unknownOddTlvs);
}
