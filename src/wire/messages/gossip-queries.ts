/**
 * BOLT 7 gossip queries: `query_short_channel_ids`, `reply_short_channel_ids_end`,
 * `query_channel_range`, `reply_channel_range` and `gossip_timestamp_filter`, with the extended
 * query TLVs (query flags, timestamps, checksums).
 *
 * Arrays of ids, flags and timestamps carry an encoding byte. Only `0` (uncompressed) is
 * defined: BOLT 7 says encoding `1` (zlib) "MUST NOT be used" any more, and lets the receiver
 * warn and close on an unknown encoding, so both decode to `DecodeError` and are never sent.
 *
 * See BOLT 7, "Query Messages".
 */
import { DecodeError } from '../../util/errors.js';
import type { WireReader } from '../reader.js';
import type { ShortChannelId } from '../short-channel-id.js';
import {
  decodeTlvStream,
  defineTlvStream,
  encodeTlvStream,
  type TlvCodec,
  type TlvRecord,
} from '../tlv.js';
import type { WireWriter } from '../writer.js';
import { decodeExtension, encodeExtension, withUnknown } from './extension.js';

/** The only encoding type BOLT 7 still allows: a plain array. */
export const ENCODING_UNCOMPRESSED = 0;

function readEncoding(r: WireReader, what: string): void {
  const enc = r.u8(`${what} encoding_type`);
  if (enc === 1) throw new DecodeError(`${what}: zlib encoding is no longer allowed (BOLT 7)`);
  if (enc !== ENCODING_UNCOMPRESSED) throw new DecodeError(`${what}: unknown encoding ${enc}`);
}

function readShortIds(r: WireReader): ShortChannelId[] {
  const len = r.u16('encoded_short_ids length');
  if (len === 0) throw new DecodeError('encoded_short_ids: missing encoding type');
  const sub = r.sub(len, 'encoded_short_ids');
  readEncoding(sub, 'encoded_short_ids');
  if ((len - 1) % 8 !== 0) {
    throw new DecodeError('encoded_short_ids: not a whole number of short_channel_ids');
  }
  const n = (len - 1) / 8;
  const out = new Array<ShortChannelId>(n);
  for (let i = 0; i < n; i++) out[i] = sub.shortChannelId();
  return out;
}

function writeShortIds(w: WireWriter, ids: readonly ShortChannelId[]): void {
  w.u16(1 + 8 * ids.length, 'encoded_short_ids length');
  w.u8(ENCODING_UNCOMPRESSED);
  for (const id of ids) w.shortChannelId(id);
}

/** `query_flags` record: one bitfield per queried id (bit 0 announcement, 1-2 updates, 3-4 nodes). */
const queryFlagsCodec: TlvCodec<readonly bigint[]> = {
  decode: (r) => {
    readEncoding(r, 'encoded_query_flags');
    const out: bigint[] = [];
    while (r.remaining() > 0) out.push(r.bigSize('query flag'));
    return out;
  },
  encode: (w, v) => {
    w.u8(ENCODING_UNCOMPRESSED);
    for (const f of v) w.bigSize(f, 'query flag');
  },
};

interface QueryShortChannelIdsTlvs {
  readonly queryFlags?: readonly bigint[];
}

const queryShortChannelIdsTlvs = defineTlvStream<QueryShortChannelIdsTlvs>(
  'query_short_channel_ids_tlvs',
  { queryFlags: { type: 1n, codec: queryFlagsCodec } },
);

/** Bits of a `query_flags` entry (BOLT 7). */
export const QueryFlag = {
  channelAnnouncement: 1n,
  channelUpdateNode1: 2n,
  channelUpdateNode2: 4n,
  nodeAnnouncementNode1: 8n,
  nodeAnnouncementNode2: 16n,
} as const;

/** `query_short_channel_ids` (type 261): ask for the gossip of specific channels. */
export interface QueryShortChannelIdsMessage extends QueryShortChannelIdsTlvs {
  readonly type: 'query_short_channel_ids';
  readonly chainHash: Uint8Array;
  readonly shortChannelIds: readonly ShortChannelId[];
  readonly unknownOddTlvs?: readonly TlvRecord[];
}

/** Reads a `query_short_channel_ids` payload (after the 2-byte type); `DecodeError` on bad input. */
export function decodeQueryShortChannelIds(r: WireReader): QueryShortChannelIdsMessage {
  const chainHash = r.chainHash();
  const shortChannelIds = readShortIds(r);
  const { values, unknownOddTlvs } = decodeTlvStream(r, queryShortChannelIdsTlvs);
  return withUnknown(
    { type: 'query_short_channel_ids' as const, chainHash, shortChannelIds, ...values },
    unknownOddTlvs,
  );
}

/** Writes a `query_short_channel_ids` payload (without the type); `APIMisuseError` on a bad field. */
export function encodeQueryShortChannelIds(w: WireWriter, m: QueryShortChannelIdsMessage): void {
  w.chainHash(m.chainHash);
  writeShortIds(w, m.shortChannelIds);
  encodeTlvStream(w, queryShortChannelIdsTlvs, m, m.unknownOddTlvs);
}

/** `reply_short_channel_ids_end` (type 262): the answer to a `query_short_channel_ids` is done. */
export interface ReplyShortChannelIdsEndMessage {
  readonly type: 'reply_short_channel_ids_end';
  readonly chainHash: Uint8Array;
  /** 0 when the sender lacks up-to-date information for this chain. */
  readonly fullInformation: number;
  readonly unknownOddTlvs?: readonly TlvRecord[];
}

/** Reads a `reply_short_channel_ids_end` payload (after the 2-byte type); `DecodeError` on bad input. */
export function decodeReplyShortChannelIdsEnd(r: WireReader): ReplyShortChannelIdsEndMessage {
  const m = {
    type: 'reply_short_channel_ids_end' as const,
    chainHash: r.chainHash(),
    fullInformation: r.u8('full_information'),
  };
  return withUnknown(m, decodeExtension(r));
}

/** Writes a `reply_short_channel_ids_end` payload (without the type); `APIMisuseError` on a bad field. */
export function encodeReplyShortChannelIdsEnd(
  w: WireWriter,
  m: ReplyShortChannelIdsEndMessage,
): void {
  w.chainHash(m.chainHash);
  w.u8(m.fullInformation, 'full_information');
  encodeExtension(w, m.unknownOddTlvs);
}

interface QueryChannelRangeTlvs {
  /** `query_option` record: bit 0 wants timestamps, bit 1 wants checksums. */
  readonly queryOptionFlags?: bigint;
}

const queryChannelRangeTlvs = defineTlvStream<QueryChannelRangeTlvs>('query_channel_range_tlvs', {
  queryOptionFlags: {
    type: 1n,
    codec: { decode: (r) => r.bigSize('query_option_flags'), encode: (w, v) => w.bigSize(v) },
  },
});

/** Bits of `query_option_flags` (BOLT 7). */
export const QueryOption = { wantTimestamps: 1n, wantChecksums: 2n } as const;

/** `query_channel_range` (type 263): ask for the channels opened in a block range. */
export interface QueryChannelRangeMessage extends QueryChannelRangeTlvs {
  readonly type: 'query_channel_range';
  readonly chainHash: Uint8Array;
  readonly firstBlocknum: number;
  readonly numberOfBlocks: number;
  readonly unknownOddTlvs?: readonly TlvRecord[];
}

/** Reads a `query_channel_range` payload (after the 2-byte type); `DecodeError` on bad input. */
export function decodeQueryChannelRange(r: WireReader): QueryChannelRangeMessage {
  const m = {
    type: 'query_channel_range' as const,
    chainHash: r.chainHash(),
    firstBlocknum: r.u32('first_blocknum'),
    numberOfBlocks: r.u32('number_of_blocks'),
  };
  const { values, unknownOddTlvs } = decodeTlvStream(r, queryChannelRangeTlvs);
  return withUnknown({ ...m, ...values }, unknownOddTlvs);
}

/** Writes a `query_channel_range` payload (without the type); `APIMisuseError` on a bad field. */
export function encodeQueryChannelRange(w: WireWriter, m: QueryChannelRangeMessage): void {
  w.chainHash(m.chainHash);
  w.u32(m.firstBlocknum, 'first_blocknum');
  w.u32(m.numberOfBlocks, 'number_of_blocks');
  encodeTlvStream(w, queryChannelRangeTlvs, m, m.unknownOddTlvs);
}

/** Timestamps of the two `channel_update`s of one channel (0 when there is none). */
export interface ChannelUpdateTimestamps {
  readonly timestampNodeId1: number;
  readonly timestampNodeId2: number;
}

/** CRC32C checksums of the two `channel_update`s of one channel (0 when there is none). */
export interface ChannelUpdateChecksums {
  readonly checksumNodeId1: number;
  readonly checksumNodeId2: number;
}

interface ReplyChannelRangeTlvs {
  /** `timestamps_tlv`: one entry per id in `shortChannelIds`. */
  readonly timestamps?: readonly ChannelUpdateTimestamps[];
  /** `checksums_tlv`: one entry per id in `shortChannelIds`. */
  readonly checksums?: readonly ChannelUpdateChecksums[];
}

function checkPairs(r: WireReader, what: string): number {
  if (r.remaining() % 8 !== 0) throw new DecodeError(`${what}: not a whole number of entries`);
  return r.remaining() / 8;
}

const replyChannelRangeTlvs = defineTlvStream<ReplyChannelRangeTlvs>('reply_channel_range_tlvs', {
  timestamps: {
    type: 1n,
    codec: {
      decode: (r) => {
        readEncoding(r, 'encoded_timestamps');
        const n = checkPairs(r, 'encoded_timestamps');
        const out = new Array<ChannelUpdateTimestamps>(n);
        for (let i = 0; i < n; i++) {
          out[i] = { timestampNodeId1: r.u32(), timestampNodeId2: r.u32() };
        }
        return out;
      },
      encode: (w, v) => {
        w.u8(ENCODING_UNCOMPRESSED);
        for (const t of v) w.u32(t.timestampNodeId1).u32(t.timestampNodeId2);
      },
    },
  },
  checksums: {
    type: 3n,
    codec: {
      decode: (r) => {
        const n = checkPairs(r, 'checksums');
        const out = new Array<ChannelUpdateChecksums>(n);
        for (let i = 0; i < n; i++) {
          out[i] = { checksumNodeId1: r.u32(), checksumNodeId2: r.u32() };
        }
        return out;
      },
      encode: (w, v) => {
        for (const c of v) w.u32(c.checksumNodeId1).u32(c.checksumNodeId2);
      },
    },
  },
});

/** `reply_channel_range` (type 264): one part of the answer to a `query_channel_range`. */
export interface ReplyChannelRangeMessage extends ReplyChannelRangeTlvs {
  readonly type: 'reply_channel_range';
  readonly chainHash: Uint8Array;
  readonly firstBlocknum: number;
  readonly numberOfBlocks: number;
  /** 1 on the last reply (formerly `complete`). */
  readonly syncComplete: number;
  readonly shortChannelIds: readonly ShortChannelId[];
  readonly unknownOddTlvs?: readonly TlvRecord[];
}

/** Reads a `reply_channel_range` payload (after the 2-byte type); `DecodeError` on bad input. */
export function decodeReplyChannelRange(r: WireReader): ReplyChannelRangeMessage {
  const m = {
    type: 'reply_channel_range' as const,
    chainHash: r.chainHash(),
    firstBlocknum: r.u32('first_blocknum'),
    numberOfBlocks: r.u32('number_of_blocks'),
    syncComplete: r.u8('sync_complete'),
    shortChannelIds: readShortIds(r),
  };
  const { values, unknownOddTlvs } = decodeTlvStream(r, replyChannelRangeTlvs);
  return withUnknown({ ...m, ...values }, unknownOddTlvs);
}

/** Writes a `reply_channel_range` payload (without the type); `APIMisuseError` on a bad field. */
export function encodeReplyChannelRange(w: WireWriter, m: ReplyChannelRangeMessage): void {
  w.chainHash(m.chainHash);
  w.u32(m.firstBlocknum, 'first_blocknum');
  w.u32(m.numberOfBlocks, 'number_of_blocks');
  w.u8(m.syncComplete, 'sync_complete');
  writeShortIds(w, m.shortChannelIds);
  encodeTlvStream(w, replyChannelRangeTlvs, m, m.unknownOddTlvs);
}

/**
 * `gossip_timestamp_filter` (type 265): send me gossip with timestamps in
 * [firstTimestamp, firstTimestamp + timestampRange).
 */
export interface GossipTimestampFilterMessage {
  readonly type: 'gossip_timestamp_filter';
  readonly chainHash: Uint8Array;
  readonly firstTimestamp: number;
  readonly timestampRange: number;
  readonly unknownOddTlvs?: readonly TlvRecord[];
}

/** Reads a `gossip_timestamp_filter` payload (after the 2-byte type); `DecodeError` on bad input. */
export function decodeGossipTimestampFilter(r: WireReader): GossipTimestampFilterMessage {
  const m = {
    type: 'gossip_timestamp_filter' as const,
    chainHash: r.chainHash(),
    firstTimestamp: r.u32('first_timestamp'),
    timestampRange: r.u32('timestamp_range'),
  };
  return withUnknown(m, decodeExtension(r));
}

/** Writes a `gossip_timestamp_filter` payload (without the type); `APIMisuseError` on a bad field. */
export function encodeGossipTimestampFilter(w: WireWriter, m: GossipTimestampFilterMessage): void {
  w.chainHash(m.chainHash);
  w.u32(m.firstTimestamp, 'first_timestamp');
  w.u32(m.timestampRange, 'timestamp_range');
  encodeExtension(w, m.unknownOddTlvs);
}
