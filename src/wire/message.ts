/**
 * Whole Lightning messages: the 2-byte big-endian type followed by the payload (BOLT 1,
 * "Lightning Message Format").
 *
 * A decoded message is a plain object discriminated by `type`, its BOLT name (`'init'`,
 * `'open_channel'`, ...); the number for each name is in `message-types.ts`. A type boltkit does
 * not decode comes back as `{ kind: 'unknown', type, payload }` with the numeric type, so the
 * `PeerManager` can apply the "it's OK to be odd" rule and route custom messages.
 *
 * Bytes after a message's known fields are its `extension`, a TLV stream (BOLT 1, "Lightning
 * Message Format" and Appendix C). Earlier BOLT 1 revisions said to ignore any additional data;
 * the current rule is that a receiver may ignore the extension but must reject an invalid one.
 * boltkit decodes it: unknown odd records are kept in `unknownOddTlvs` (signatures cover them),
 * while a truncated stream, records out of order or an unknown even record give `DecodeError`.
 */
import { APIMisuseError, DecodeError } from '../util/errors.js';
import { MessageType } from './message-types.js';
import {
  decodeAcceptChannel,
  decodeChannelReady,
  decodeFundingCreated,
  decodeFundingSigned,
  decodeOpenChannel,
  encodeAcceptChannel,
  encodeChannelReady,
  encodeFundingCreated,
  encodeFundingSigned,
  encodeOpenChannel,
  type AcceptChannelMessage,
  type ChannelReadyMessage,
  type FundingCreatedMessage,
  type FundingSignedMessage,
  type OpenChannelMessage,
} from './messages/channel-establish.js';
import {
  decodeClosingSigned,
  decodeShutdown,
  encodeClosingSigned,
  encodeShutdown,
  type ClosingSignedMessage,
  type ShutdownMessage,
} from './messages/channel-close.js';
import {
  decodeCommitmentSigned,
  decodeRevokeAndAck,
  decodeUpdateAddHtlc,
  decodeUpdateFailHtlc,
  decodeUpdateFailMalformedHtlc,
  decodeUpdateFee,
  decodeUpdateFulfillHtlc,
  encodeCommitmentSigned,
  encodeRevokeAndAck,
  encodeUpdateAddHtlc,
  encodeUpdateFailHtlc,
  encodeUpdateFailMalformedHtlc,
  encodeUpdateFee,
  encodeUpdateFulfillHtlc,
  type CommitmentSignedMessage,
  type RevokeAndAckMessage,
  type UpdateAddHtlcMessage,
  type UpdateFailHtlcMessage,
  type UpdateFailMalformedHtlcMessage,
  type UpdateFeeMessage,
  type UpdateFulfillHtlcMessage,
} from './messages/commitment.js';
import {
  decodeAnnouncementSignatures,
  decodeChannelAnnouncement,
  decodeChannelUpdate,
  decodeNodeAnnouncement,
  encodeAnnouncementSignatures,
  encodeChannelAnnouncement,
  encodeChannelUpdate,
  encodeNodeAnnouncement,
  type AnnouncementSignaturesMessage,
  type ChannelAnnouncementMessage,
  type ChannelUpdateMessage,
  type NodeAnnouncementMessage,
} from './messages/gossip.js';
import {
  decodeGossipTimestampFilter,
  decodeQueryChannelRange,
  decodeQueryShortChannelIds,
  decodeReplyChannelRange,
  decodeReplyShortChannelIdsEnd,
  encodeGossipTimestampFilter,
  encodeQueryChannelRange,
  encodeQueryShortChannelIds,
  encodeReplyChannelRange,
  encodeReplyShortChannelIdsEnd,
  type GossipTimestampFilterMessage,
  type QueryChannelRangeMessage,
  type QueryShortChannelIdsMessage,
  type ReplyChannelRangeMessage,
  type ReplyShortChannelIdsEndMessage,
} from './messages/gossip-queries.js';
import {
  decodeChannelReestablish,
  encodeChannelReestablish,
  type ChannelReestablishMessage,
} from './messages/reestablish.js';
import {
  decodeError,
  decodeInit,
  decodePing,
  decodePong,
  decodeWarning,
  encodeError,
  encodeInit,
  encodePing,
  encodePong,
  encodeWarning,
  type ErrorMessage,
  type InitMessage,
  type PingMessage,
  type PongMessage,
  type WarningMessage,
} from './messages/setup.js';
import { WireReader } from './reader.js';
import { WireWriter } from './writer.js';

/** The largest message BOLT 1 allows (type included): the transport's length is a u16. */
export const MAX_MESSAGE_LENGTH = 65535;

/** Every message boltkit decodes. */
export type Message =
  // BOLT 1
  | InitMessage
  | ErrorMessage
  | WarningMessage
  | PingMessage
  | PongMessage
  // BOLT 2
  | OpenChannelMessage
  | AcceptChannelMessage
  | FundingCreatedMessage
  | FundingSignedMessage
  | ChannelReadyMessage
  | ShutdownMessage
  | ClosingSignedMessage
  | UpdateAddHtlcMessage
  | UpdateFulfillHtlcMessage
  | UpdateFailHtlcMessage
  | UpdateFailMalformedHtlcMessage
  | CommitmentSignedMessage
  | RevokeAndAckMessage
  | UpdateFeeMessage
  | ChannelReestablishMessage
  // BOLT 7
  | ChannelAnnouncementMessage
  | NodeAnnouncementMessage
  | ChannelUpdateMessage
  | AnnouncementSignaturesMessage
  | QueryShortChannelIdsMessage
  | ReplyShortChannelIdsEndMessage
  | QueryChannelRangeMessage
  | ReplyChannelRangeMessage
  | GossipTimestampFilterMessage;

/** The BOLT name of a message boltkit decodes. */
export type MessageKind = Message['type'];

/** A message whose type boltkit does not decode: known to the BOLTs but not handled yet, or custom. */
export interface UnknownMessage {
  readonly kind: 'unknown';
  /** The numeric message type. */
  readonly type: number;
  /** Everything after the 2-byte type, copied. */
  readonly payload: Uint8Array;
}

interface Codec<M extends Message> {
  readonly decode: (r: WireReader) => M;
  readonly encode: (w: WireWriter, m: M) => void;
}

type CodecTable = { readonly [K in MessageKind]: Codec<Extract<Message, { type: K }>> };

const codecs: CodecTable = {
  init: { decode: decodeInit, encode: encodeInit },
  error: { decode: decodeError, encode: encodeError },
  warning: { decode: decodeWarning, encode: encodeWarning },
  ping: { decode: decodePing, encode: encodePing },
  pong: { decode: decodePong, encode: encodePong },
  open_channel: { decode: decodeOpenChannel, encode: encodeOpenChannel },
  accept_channel: { decode: decodeAcceptChannel, encode: encodeAcceptChannel },
  funding_created: { decode: decodeFundingCreated, encode: encodeFundingCreated },
  funding_signed: { decode: decodeFundingSigned, encode: encodeFundingSigned },
  channel_ready: { decode: decodeChannelReady, encode: encodeChannelReady },
  shutdown: { decode: decodeShutdown, encode: encodeShutdown },
  closing_signed: { decode: decodeClosingSigned, encode: encodeClosingSigned },
  update_add_htlc: { decode: decodeUpdateAddHtlc, encode: encodeUpdateAddHtlc },
  update_fulfill_htlc: { decode: decodeUpdateFulfillHtlc, encode: encodeUpdateFulfillHtlc },
  update_fail_htlc: { decode: decodeUpdateFailHtlc, encode: encodeUpdateFailHtlc },
  update_fail_malformed_htlc: {
    decode: decodeUpdateFailMalformedHtlc,
    encode: encodeUpdateFailMalformedHtlc,
  },
  commitment_signed: { decode: decodeCommitmentSigned, encode: encodeCommitmentSigned },
  revoke_and_ack: { decode: decodeRevokeAndAck, encode: encodeRevokeAndAck },
  update_fee: { decode: decodeUpdateFee, encode: encodeUpdateFee },
  channel_reestablish: { decode: decodeChannelReestablish, encode: encodeChannelReestablish },
  channel_announcement: { decode: decodeChannelAnnouncement, encode: encodeChannelAnnouncement },
  node_announcement: { decode: decodeNodeAnnouncement, encode: encodeNodeAnnouncement },
  channel_update: { decode: decodeChannelUpdate, encode: encodeChannelUpdate },
  announcement_signatures: {
    decode: decodeAnnouncementSignatures,
    encode: encodeAnnouncementSignatures,
  },
  query_short_channel_ids: {
    decode: decodeQueryShortChannelIds,
    encode: encodeQueryShortChannelIds,
  },
  reply_short_channel_ids_end: {
    decode: decodeReplyShortChannelIdsEnd,
    encode: encodeReplyShortChannelIdsEnd,
  },
  query_channel_range: { decode: decodeQueryChannelRange, encode: encodeQueryChannelRange },
  reply_channel_range: { decode: decodeReplyChannelRange, encode: encodeReplyChannelRange },
  gossip_timestamp_filter: {
    decode: decodeGossipTimestampFilter,
    encode: encodeGossipTimestampFilter,
  },
};

const decodersByNumber = new Map<number, (r: WireReader) => Message>(
  (Object.keys(codecs) as MessageKind[]).map((k) => [
    MessageType[k],
    codecs[k].decode as (r: WireReader) => Message,
  ]),
);

/** True when `m` is a message boltkit could not decode (unknown or not yet handled type). */
export function isUnknownMessage(m: Message | UnknownMessage): m is UnknownMessage {
  return 'kind' in m;
}

/** The numeric type of a message. */
export function messageTypeOf(m: Message | UnknownMessage): number {
  return isUnknownMessage(m) ? m.type : MessageType[m.type];
}

/** True when boltkit has a codec for the numeric type `type`. */
export function isDecodedMessageType(type: number): boolean {
  return decodersByNumber.has(type);
}

/**
 * Encodes a message with its 2-byte type. Throws `APIMisuseError` when a field is out of range
 * or has the wrong length, or the message would exceed `MAX_MESSAGE_LENGTH`. An `UnknownMessage` is written back as its type and payload.
 */
export function encodeMessage(m: Message | UnknownMessage): Uint8Array {
  let w: WireWriter;
  if (isUnknownMessage(m)) {
    w = new WireWriter(m.payload.length + 2);
    w.u16(m.type, 'message type');
    w.bytes(m.payload, undefined, 'payload');
  } else {
    const codec = (codecs as Record<string, Codec<Message> | undefined>)[m.type];
    if (codec === undefined) throw new APIMisuseError(`message: unknown type ${m.type as string}`);
    w = new WireWriter();
    w.u16(MessageType[m.type]);
    codec.encode(w, m);
  }
  if (w.length > MAX_MESSAGE_LENGTH) {
    throw new APIMisuseError(`message: ${w.length} bytes is over the ${MAX_MESSAGE_LENGTH} limit`);
  }
  return w.finish();
}

/**
 * Decodes one message (type and payload, as the transport delivers it). Returns an
 * `UnknownMessage` for types boltkit does not decode, odd or even: the caller decides. Throws
 * `DecodeError` when the bytes are shorter than two, or a known message is truncated or has an
 * invalid extension.
 */
export function decodeMessage(bytes: Uint8Array): Message | UnknownMessage {
  if (!(bytes instanceof Uint8Array)) throw new DecodeError('message: expected a Uint8Array');
  if (bytes.length < 2) throw new DecodeError('message: shorter than its 2-byte type');
  const r = new WireReader(bytes);
  const type = r.u16('message type');
  const decode = decodersByNumber.get(type);
  if (decode === undefined) return { kind: 'unknown', type, payload: r.rest() };
  return decode(r);
}
