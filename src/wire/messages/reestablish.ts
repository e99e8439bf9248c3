/**
 * BOLT 2 `channel_reestablish`: after a reconnection each side says which commitment and
 * revocation it expects next, proves what it last saw (`option_data_loss_protect`, now assumed),
 * and, with splicing, which funding transactions are in flight or locked.
 *
 * See BOLT 2, "Message Retransmission".
 */
import type { WireReader } from '../reader.js';
import { decodeTlvStream, defineTlvStream, encodeTlvStream, type TlvRecord } from '../tlv.js';
import type { WireWriter } from '../writer.js';
import { withUnknown } from './extension.js';

/** A txid with the retransmit bitfield of the `next_funding`/`my_current_funding_locked` records. */
export interface FundingRetransmit {
  /** The funding txid, internal byte order. */
  readonly txid: Uint8Array;
  /** `next_funding`: bit 0 asks for `commitment_signed`; `my_current_funding_locked`: bit 0 asks
   * for `announcement_signatures`. */
  readonly retransmitFlags: number;
}

interface ChannelReestablishTlvs {
  /** `next_funding` (type 1): the interactive funding transaction still being signed. */
  readonly nextFunding?: FundingRetransmit;
  /** `my_current_funding_locked` (type 5): the latest funding transaction we sent `splice_locked`
   * or `channel_ready` for. */
  readonly myCurrentFundingLocked?: FundingRetransmit;
}

const fundingRetransmitCodec = {
  decode: (r: WireReader): FundingRetransmit => ({
    txid: r.bytes32('txid'),
    retransmitFlags: r.u8('retransmit_flags'),
  }),
  encode: (w: WireWriter, v: FundingRetransmit): void => {
    w.bytes32(v.txid, 'txid');
    w.u8(v.retransmitFlags, 'retransmit_flags');
  },
};

const channelReestablishTlvs = defineTlvStream<ChannelReestablishTlvs>('channel_reestablish_tlvs', {
  nextFunding: { type: 1n, codec: fundingRetransmitCodec },
  myCurrentFundingLocked: { type: 5n, codec: fundingRetransmitCodec },
});

/** `channel_reestablish` (type 136). */
export interface ChannelReestablishMessage extends ChannelReestablishTlvs {
  readonly type: 'channel_reestablish';
  readonly channelId: Uint8Array;
  /** The commitment number (48-bit counter) the sender expects to receive next. */
  readonly nextCommitmentNumber: bigint;
  /** The commitment number whose revocation the sender expects next. */
  readonly nextRevocationNumber: bigint;
  /** The last per-commitment secret received, or 32 zero bytes if none. */
  readonly yourLastPerCommitmentSecret: Uint8Array;
  /** The sender's per-commitment point for its current commitment. */
  readonly myCurrentPerCommitmentPoint: Uint8Array;
  readonly unknownOddTlvs?: readonly TlvRecord[];
}

/** Reads a `channel_reestablish` payload (after the 2-byte type); `DecodeError` on bad input. */
export function decodeChannelReestablish(r: WireReader): ChannelReestablishMessage {
  const m = {
    type: 'channel_reestablish' as const,
    channelId: r.bytes32('channel_id'),
    nextCommitmentNumber: r.u64('next_commitment_number'),
    nextRevocationNumber: r.u64('next_revocation_number'),
    yourLastPerCommitmentSecret: r.bytes32('your_last_per_commitment_secret'),
    myCurrentPerCommitmentPoint: r.point('my_current_per_commitment_point'),
  };
  const { values, unknownOddTlvs } = decodeTlvStream(r, channelReestablishTlvs);
  return withUnknown({ ...m, ...values }, unknownOddTlvs);
}

/** Writes a `channel_reestablish` payload (without the type); `APIMisuseError` on a bad field. */
export function encodeChannelReestablish(w: WireWriter, m: ChannelReestablishMessage): void {
  w.bytes32(m.channelId, 'channel_id');
  w.u64(m.nextCommitmentNumber, 'next_commitment_number');
  w.u64(m.nextRevocationNumber, 'next_revocation_number');
  w.bytes32(m.yourLastPerCommitmentSecret, 'your_last_per_commitment_secret');
  w.point(m.myCurrentPerCommitmentPoint, 'my_current_per_commitment_point');
  encodeTlvStream(w, channelReestablishTlvs, m, m.unknownOddTlvs);
}
