/**
 * The persisted form of a `ChannelManager`: a version byte, then a TLV stream (BigSize type and
 * length, types increasing; unknown odd types skipped, unknown even ones refused) holding the
 * best block, every live channel (its own serialization plus the manager's few fields), the
 * channels awaiting a unilateral close, and the events not yet drained.
 */
import type { BestBlock } from '../chain/best-block.js';
import { decodeOutPoint, encodeOutPoint, type OutPoint } from '../chain/outpoint.js';
import { displayHexToHash, hashToDisplayHex } from '../chain/txid.js';
import type { ClosureReason } from '../events/closure-reason.js';
import {
  decodeClosureReason,
  decodeEvent,
  encodeClosureReason,
  encodeEvent,
} from '../events/event-codec.js';
import type { Event } from '../events/event.js';
import { fromHex, toHex } from '../util/bytes.js';
import { DecodeError } from '../util/errors.js';
import { WireReader } from '../wire/reader.js';
import { WireWriter } from '../wire/writer.js';
import type { CounterpartyForwarding } from './manager-state.js';

export const MANAGER_SERIALIZATION_VERSION = 1;

/** One live channel as stored. */
export interface StoredChannel {
  readonly counterpartyNodeId: string;
  readonly temporaryChannelId: string;
  readonly channelBytes: Uint8Array;
  readonly fundingScript: Uint8Array | undefined;
  readonly fundingOutpoint: OutPoint | undefined;
  readonly confirmedBlockHash: string | undefined;
  /** Absent from bytes written before it existed: `false`. */
  readonly shutdownInitiatedLocally: boolean;
  /** The reason a held `ChannelClosed` will report (see `ChannelEntry.closeReason`). */
  readonly closeReason: ClosureReason | undefined;
  /** Absent from bytes written before it existed: the reader counts from its best block. */
  readonly createdAtHeight: number | undefined;
  /** The peer's fees for the channel, from its `channel_update` (appended later). */
  readonly counterpartyForwarding?: CounterpartyForwarding | undefined;
}

export interface StoredClosed {
  readonly channelId: string;
  readonly counterpartyNodeId: string;
  readonly fundingOutpoint: OutPoint;
  /** Appended later: absent in managers written before. */
  readonly nextMonitorUpdateId: bigint | undefined;
}

export interface StoredManager {
  readonly bestBlock: BestBlock;
  readonly channels: readonly StoredChannel[];
  readonly closed: readonly StoredClosed[];
  readonly pendingEvents: readonly Event[];
  /** `encodePaymentState` bytes; absent in managers written before payments. */
  readonly payments: Uint8Array | undefined;
}

const T_BEST_BLOCK = 0;
const T_CHANNEL = 2;
const T_CLOSED = 4;
const T_EVENT = 6;
/** Even: a reader that cannot read payments would lose where forwarded HTLCs came from. */
const T_PAYMENTS = 8;

function varBytes(w: WireWriter, b: Uint8Array): void {
  w.bigSize(BigInt(b.length)).bytes(b);
}
function readVarBytes(r: WireReader, what: string): Uint8Array {
  const n = r.bigSize(what);
  if (n > BigInt(r.remaining())) throw new DecodeError(`${what}: length past the end`);
  return r.bytes(Number(n), what);
}
function optional(w: WireWriter, b: Uint8Array | undefined): void {
  if (b === undefined) w.u8(0);
  else {
    w.u8(1);
    varBytes(w, b);
  }
}
function readOptional(r: WireReader, what: string): Uint8Array | undefined {
  const flag = r.u8(what);
  if (flag === 0) return undefined;
  if (flag !== 1) throw new DecodeError(`${what}: bad presence flag`);
  return readVarBytes(r, what);
}

export function encodeManager(m: StoredManager): Uint8Array {
  const w = new WireWriter();
  w.u8(MANAGER_SERIALIZATION_VERSION);
  const record = (type: number, value: Uint8Array): void => {
    w.bigSize(BigInt(type));
    varBytes(w, value);
  };
  record(
    T_BEST_BLOCK,
    new WireWriter(36)
      .bytes(displayHexToHash(m.bestBlock.blockHash))
      .u32(m.bestBlock.height)
      .finish(),
  );
  for (const c of m.channels) {
    const v = new WireWriter();
    v.bytes(fromHex(c.counterpartyNodeId, 33)).bytes(fromHex(c.temporaryChannelId, 32));
    varBytes(v, c.channelBytes);
    optional(v, c.fundingScript);
    optional(v, c.fundingOutpoint === undefined ? undefined : encodeOutPoint(c.fundingOutpoint));
    optional(
      v,
      c.confirmedBlockHash === undefined ? undefined : displayHexToHash(c.confirmedBlockHash),
    );
    // Later fields are appended; a reader of older bytes finds none and takes the defaults.
    v.u8(c.shutdownInitiatedLocally ? 1 : 0);
    optional(v, c.closeReason === undefined ? undefined : encodeClosureReason(c.closeReason));
    if (c.createdAtHeight !== undefined) {
      v.u32(c.createdAtHeight);
      const f = c.counterpartyForwarding;
      optional(
        v,
        f === undefined
          ? undefined
          : new WireWriter(14)
              .u32(f.feeBaseMsat)
              .u32(f.feeProportionalMillionths)
              .u16(f.cltvExpiryDelta)
              .u32(f.timestamp)
              .finish(),
      );
    }
    record(T_CHANNEL, v.finish());
  }
  for (const c of m.closed) {
    const v = new WireWriter(109)
      .bytes(fromHex(c.channelId, 32))
      .bytes(fromHex(c.counterpartyNodeId, 33))
      .bytes(encodeOutPoint(c.fundingOutpoint));
    if (c.nextMonitorUpdateId !== undefined) v.u64(c.nextMonitorUpdateId);
    record(T_CLOSED, v.finish());
  }
  for (const e of m.pendingEvents) record(T_EVENT, encodeEvent(e));
  if (m.payments !== undefined) record(T_PAYMENTS, m.payments);
  return w.finish();
}

/** Reads what `encodeManager` wrote; `DecodeError` for malformed bytes or another version. */
export function decodeManager(bytes: Uint8Array): StoredManager {
  if (!(bytes instanceof Uint8Array)) throw new DecodeError('ChannelManager: expected bytes');
  const r = new WireReader(bytes);
  const version = r.u8('version');
  if (version !== MANAGER_SERIALIZATION_VERSION) {
    throw new DecodeError(`ChannelManager: unknown serialization version ${version}`);
  }
  let bestBlock: BestBlock | undefined;
  const channels: StoredChannel[] = [];
  const closed: StoredClosed[] = [];
  const pendingEvents: Event[] = [];
  let payments: Uint8Array | undefined;
  let last = -1n;
  while (r.remaining() > 0) {
    const type = r.bigSize('record type');
    if (type < last) throw new DecodeError('ChannelManager: record types not in order');
    last = type;
    const value = readVarBytes(r, 'record');
    const v = new WireReader(value);
    switch (Number(type)) {
      case T_BEST_BLOCK:
        bestBlock = { blockHash: hashToDisplayHex(v.bytes(32)), height: v.u32() };
        break;
      case T_CHANNEL: {
        const counterpartyNodeId = toHex(v.bytes(33));
        const temporaryChannelId = toHex(v.bytes(32));
        const channelBytes = readVarBytes(v, 'channel');
        const fundingScript = readOptional(v, 'funding script');
        const outpoint = readOptional(v, 'funding outpoint');
        const hash = readOptional(v, 'confirmation block');
        let shutdownInitiatedLocally = false;
        let closeReason: ClosureReason | undefined;
        if (v.remaining() > 0) {
          const flags = v.u8('channel flags');
          if (flags > 1) throw new DecodeError('ChannelManager: unknown channel flags');
          shutdownInitiatedLocally = flags === 1;
          const reason = readOptional(v, 'close reason');
          closeReason = reason === undefined ? undefined : decodeClosureReason(reason);
        }
        const createdAtHeight = v.remaining() > 0 ? v.u32('creation height') : undefined;
        const forwarding = v.remaining() > 0 ? readOptional(v, 'peer forwarding') : undefined;
        let counterpartyForwarding: CounterpartyForwarding | undefined;
        if (forwarding !== undefined) {
          const f = new WireReader(forwarding);
          counterpartyForwarding = {
            feeBaseMsat: f.u32('fee base'),
            feeProportionalMillionths: f.u32('fee proportional'),
            cltvExpiryDelta: f.u16('cltv delta'),
            timestamp: f.u32('timestamp'),
          };
        }
        channels.push({
          counterpartyNodeId,
          temporaryChannelId,
          channelBytes,
          fundingScript,
          fundingOutpoint: outpoint === undefined ? undefined : decodeOutPoint(outpoint),
          confirmedBlockHash: hash === undefined ? undefined : hashToDisplayHex(hash),
          shutdownInitiatedLocally,
          closeReason,
          createdAtHeight,
          counterpartyForwarding,
        });
        break;
      }
      case T_CLOSED:
        closed.push({
          channelId: toHex(v.bytes(32)),
          counterpartyNodeId: toHex(v.bytes(33)),
          fundingOutpoint: decodeOutPoint(v.bytes(36)),
          nextMonitorUpdateId: v.remaining() > 0 ? v.u64('next monitor update id') : undefined,
        });
        break;
      case T_EVENT:
        pendingEvents.push(decodeEvent(value));
        break;
      case T_PAYMENTS:
        payments = value;
        break;
      default:
        if (type % 2n === 0n) throw new DecodeError(`ChannelManager: unknown record ${type}`);
    }
  }
  if (bestBlock === undefined) throw new DecodeError('ChannelManager: best block missing');
  return { bestBlock, channels, closed, pendingEvents, payments };
}
