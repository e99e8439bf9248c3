/**
 * The short channel id: where a channel's funding output sits on chain, packed into a u64 as
 * 3 bytes block height, 3 bytes transaction index, 2 bytes output index. Inside boltkit it is a
 * `bigint` (cheap to compare, usable as a `Map` key); people read it as `BLOCKxTXxOUTPUT`.
 *
 * See BOLT 7, "Definition of short_channel_id".
 */
import { APIMisuseError, DecodeError } from '../util/errors.js';

/** A short channel id as its u64 value. */
export type ShortChannelId = bigint;

/** The three parts of a short channel id. */
export interface ShortChannelIdParts {
  /** Height of the block that holds the funding transaction (24 bits). */
  readonly blockHeight: number;
  /** Index of the funding transaction in that block (24 bits). */
  readonly txIndex: number;
  /** Index of the funding output in that transaction (16 bits). */
  readonly outputIndex: number;
}

const MAX_U64 = 0xffffffffffffffffn;

function checkPart(value: number, max: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new APIMisuseError(`short_channel_id: ${what} must be an integer in [0, ${max}]`);
  }
}

/** Packs the three parts. Throws `APIMisuseError` when a part does not fit its width. */
export function shortChannelIdFromParts(
  blockHeight: number,
  txIndex: number,
  outputIndex: number,
): ShortChannelId {
  checkPart(blockHeight, 0xffffff, 'blockHeight');
  checkPart(txIndex, 0xffffff, 'txIndex');
  checkPart(outputIndex, 0xffff, 'outputIndex');
  return (BigInt(blockHeight) << 40n) | (BigInt(txIndex) << 16n) | BigInt(outputIndex);
}

/** Splits a short channel id into its parts. */
export function shortChannelIdToParts(scid: ShortChannelId): ShortChannelIdParts {
  if (typeof scid !== 'bigint' || scid < 0n || scid > MAX_U64) {
    throw new APIMisuseError('short_channel_id: expected a bigint u64');
  }
  return {
    blockHeight: Number(scid >> 40n),
    txIndex: Number((scid >> 16n) & 0xffffffn),
    outputIndex: Number(scid & 0xffffn),
  };
}

/** The human form `BLOCKxTXxOUTPUT`, in decimal, as BOLT 7 writes it. */
export function formatShortChannelId(scid: ShortChannelId): string {
  const p = shortChannelIdToParts(scid);
  return `${p.blockHeight}x${p.txIndex}x${p.outputIndex}`;
}

const SCID_STRING = /^(\d{1,8})x(\d{1,8})x(\d{1,5})$/;

/**
 * Parses `BLOCKxTXxOUTPUT`. Throws `DecodeError` when the string is not in that form or a part
 * does not fit its width.
 */
export function parseShortChannelId(text: string): ShortChannelId {
  const m = typeof text === 'string' ? SCID_STRING.exec(text) : null;
  if (m === null) throw new DecodeError('short_channel_id: expected BLOCKxTXxOUTPUT');
  const block = Number(m[1]);
  const tx = Number(m[2]);
  const out = Number(m[3]);
  if (block > 0xffffff || tx > 0xffffff || out > 0xffff) {
    throw new DecodeError('short_channel_id: a part is too large for its width');
  }
  return shortChannelIdFromParts(block, tx, out);
}
