/**
 * The stable encoding of an `Event`, so pending events survive a restart: a u16 event number,
 * then a TLV stream (BOLT 1 style: BigSize type, BigSize length, value, types increasing). A
 * reader ignores unknown odd TLV types and refuses unknown even ones, so later versions can add
 * optional fields. Event numbers and TLV types never change once released.
 */
import { fromHex, toHex } from '../util/bytes.js';
import { DecodeError } from '../util/errors.js';
import { WireReader } from '../wire/reader.js';
import { WireWriter } from '../wire/writer.js';
import { CLOSURE_REASON_TYPES, type ClosureReason } from './closure-reason.js';
import type { Event, EventType } from './event.js';

/** Stable event numbers. Even numbers: a reader that does not know one must fail. */
const EVENT_NUMBER: Readonly<Record<EventType, number>> = {
  FundingGenerationReady: 0,
  OpenChannelRequest: 2,
  ChannelPending: 4,
  ChannelReady: 6,
  ChannelClosed: 8,
  DiscardFunding: 10,
};

/** Text fields are stored as code units below 256; anything else becomes `?`. */
const text = {
  encode: (s: string): Uint8Array =>
    Uint8Array.from(s, (c) => {
      const code = c.charCodeAt(0);
      return code < 0x100 ? code : 0x3f;
    }),
};
const untext = {
  decode: (b: Uint8Array): string => String.fromCharCode(...b),
};

function u64Bytes(v: bigint): Uint8Array {
  return new WireWriter(8).u64(v).finish();
}
function u128Bytes(v: bigint): Uint8Array {
  if (v < 0n || v >= 1n << 128n) throw new DecodeError('userChannelId: expected a u128');
  return new WireWriter(16)
    .u64(v >> 64n)
    .u64(v & 0xffffffffffffffffn)
    .finish();
}
function u32Bytes(v: number): Uint8Array {
  return new WireWriter(4).u32(v).finish();
}

/** Builds one TLV stream; records must be added in increasing type order. */
class Records {
  readonly #w = new WireWriter();
  #last = -1;
  add(type: number, value: Uint8Array | undefined): this {
    if (value === undefined) return this;
    if (type <= this.#last) throw new DecodeError(`TLV type ${type} out of order`);
    this.#last = type;
    this.#w.bigSize(BigInt(type)).bigSize(BigInt(value.length)).bytes(value);
    return this;
  }
  finish(): Uint8Array {
    return this.#w.finish();
  }
}

/** The bytes of a `ClosureReason` (also stored by the `ChannelManager` for a pending close). */
export function encodeClosureReason(reason: ClosureReason): Uint8Array {
  const n = CLOSURE_REASON_TYPES.indexOf(reason.type);
  const r = new Records().add(0, u32Bytes(n));
  if (reason.type === 'CounterpartyForceClosed') r.add(1, text.encode(reason.peerMsg));
  if (reason.type === 'ProcessingError') r.add(1, text.encode(reason.err));
  if (reason.type === 'CooperativeClosure')
    r.add(1, Uint8Array.of(reason.locallyInitiated ? 1 : 0));
  return r.finish();
}

/** The bytes of `event`; `decodeEvent` gives an equal event back. */
export function encodeEvent(event: Event): Uint8Array {
  const r = new Records();
  switch (event.type) {
    case 'FundingGenerationReady':
      r.add(0, fromHex(event.temporaryChannelId, 32))
        .add(2, fromHex(event.counterpartyNodeId, 33))
        .add(4, u64Bytes(event.channelValueSat))
        .add(6, event.outputScript)
        .add(8, u128Bytes(event.userChannelId));
      break;
    case 'OpenChannelRequest':
      r.add(0, fromHex(event.temporaryChannelId, 32))
        .add(2, fromHex(event.counterpartyNodeId, 33))
        .add(4, u64Bytes(event.fundingSat))
        .add(6, u64Bytes(event.pushMsat))
        .add(8, text.encode(event.channelType))
        .add(10, Uint8Array.of(event.isAnnounced ? 1 : 0));
      break;
    case 'ChannelPending':
      r.add(0, fromHex(event.channelId, 32))
        .add(2, u128Bytes(event.userChannelId))
        .add(4, fromHex(event.formerTemporaryChannelId, 32))
        .add(6, fromHex(event.counterpartyNodeId, 33))
        .add(8, fromHex(event.fundingTxo.txid, 32))
        .add(10, u32Bytes(event.fundingTxo.index));
      break;
    case 'ChannelReady':
      r.add(0, fromHex(event.channelId, 32))
        .add(2, u128Bytes(event.userChannelId))
        .add(4, fromHex(event.counterpartyNodeId, 33))
        .add(6, text.encode(event.channelType));
      break;
    case 'ChannelClosed':
      r.add(0, fromHex(event.channelId, 32))
        .add(2, u128Bytes(event.userChannelId))
        .add(4, encodeClosureReason(event.reason))
        .add(
          6,
          event.counterpartyNodeId === undefined
            ? undefined
            : fromHex(event.counterpartyNodeId, 33),
        )
        .add(
          8,
          event.channelCapacitySat === undefined ? undefined : u64Bytes(event.channelCapacitySat),
        );
      break;
    case 'DiscardFunding':
      r.add(0, fromHex(event.channelId, 32)).add(2, event.fundingTx);
      break;
  }
  const body = r.finish();
  return new WireWriter(body.length + 2).u16(EVENT_NUMBER[event.type]).bytes(body).finish();
}

/** Reads a TLV stream into a map, checking order and refusing unknown even types. */
function readRecords(bytes: Uint8Array, known: readonly number[]): Map<number, Uint8Array> {
  const r = new WireReader(bytes);
  const out = new Map<number, Uint8Array>();
  let last = -1n;
  while (r.remaining() > 0) {
    const type = r.bigSize('tlv type');
    if (type <= last) throw new DecodeError(`event TLV type ${type} not increasing`);
    last = type;
    const length = r.bigSize('tlv length');
    if (length > BigInt(r.remaining())) throw new DecodeError('event TLV length past the end');
    const value = r.bytes(Number(length), 'tlv value');
    const t = Number(type);
    if (known.includes(t)) out.set(t, value);
    else if (type % 2n === 0n) throw new DecodeError(`event: unknown even TLV type ${type}`);
  }
  return out;
}

class Fields {
  readonly map: Map<number, Uint8Array>;
  readonly what: string;
  constructor(map: Map<number, Uint8Array>, what: string) {
    this.map = map;
    this.what = what;
  }
  bytes(t: number, length?: number): Uint8Array {
    const v = this.map.get(t);
    if (v === undefined) throw new DecodeError(`${this.what}: TLV ${t} missing`);
    if (length !== undefined && v.length !== length) {
      throw new DecodeError(`${this.what}: TLV ${t} expected ${length} bytes, got ${v.length}`);
    }
    return v;
  }
  hex(t: number, length: number): string {
    return toHex(this.bytes(t, length));
  }
  u64(t: number): bigint {
    return new WireReader(this.bytes(t, 8)).u64();
  }
  u32(t: number): number {
    return new WireReader(this.bytes(t, 4)).u32();
  }
  u128(t: number): bigint {
    const r = new WireReader(this.bytes(t, 16));
    return (r.u64() << 64n) | r.u64();
  }
  bool(t: number): boolean {
    const b = this.bytes(t, 1)[0];
    if (b !== 0 && b !== 1) throw new DecodeError(`${this.what}: TLV ${t} expected a boolean`);
    return b === 1;
  }
  str(t: number): string {
    return untext.decode(this.bytes(t));
  }
  has(t: number): boolean {
    return this.map.has(t);
  }
}

/** Reads what `encodeClosureReason` wrote; `DecodeError` for malformed bytes. */
export function decodeClosureReason(bytes: Uint8Array): ClosureReason {
  const f = new Fields(readRecords(bytes, [0, 1]), 'ClosureReason');
  const type = CLOSURE_REASON_TYPES[f.u32(0)];
  switch (type) {
    case undefined:
      throw new DecodeError('ClosureReason: unknown reason');
    case 'CounterpartyForceClosed':
      return { type, peerMsg: f.str(1) };
    case 'ProcessingError':
      return { type, err: f.str(1) };
    case 'CooperativeClosure':
      return { type, locallyInitiated: f.bool(1) };
    default:
      return { type };
  }
}

/** Reads an event `encodeEvent` wrote. Throws `DecodeError` for malformed bytes. */
export function decodeEvent(bytes: Uint8Array): Event {
  if (!(bytes instanceof Uint8Array)) throw new DecodeError('event: expected bytes');
  const r = new WireReader(bytes);
  const n = r.u16('event number');
  const body = r.rest();
  const all = [0, 2, 4, 6, 8, 10];
  const f = (what: string): Fields => new Fields(readRecords(body, all), what);
  switch (n) {
    case EVENT_NUMBER.FundingGenerationReady: {
      const x = f('FundingGenerationReady');
      return {
        type: 'FundingGenerationReady',
        temporaryChannelId: x.hex(0, 32),
        counterpartyNodeId: x.hex(2, 33),
        channelValueSat: x.u64(4),
        outputScript: x.bytes(6),
        userChannelId: x.u128(8),
      };
    }
    case EVENT_NUMBER.OpenChannelRequest: {
      const x = f('OpenChannelRequest');
      return {
        type: 'OpenChannelRequest',
        temporaryChannelId: x.hex(0, 32),
        counterpartyNodeId: x.hex(2, 33),
        fundingSat: x.u64(4),
        pushMsat: x.u64(6),
        channelType: x.str(8),
        isAnnounced: x.bool(10),
      };
    }
    case EVENT_NUMBER.ChannelPending: {
      const x = f('ChannelPending');
      return {
        type: 'ChannelPending',
        channelId: x.hex(0, 32),
        userChannelId: x.u128(2),
        formerTemporaryChannelId: x.hex(4, 32),
        counterpartyNodeId: x.hex(6, 33),
        fundingTxo: { txid: x.hex(8, 32), index: x.u32(10) },
      };
    }
    case EVENT_NUMBER.ChannelReady: {
      const x = f('ChannelReady');
      return {
        type: 'ChannelReady',
        channelId: x.hex(0, 32),
        userChannelId: x.u128(2),
        counterpartyNodeId: x.hex(4, 33),
        channelType: x.str(6),
      };
    }
    case EVENT_NUMBER.ChannelClosed: {
      const x = f('ChannelClosed');
      return {
        type: 'ChannelClosed',
        channelId: x.hex(0, 32),
        userChannelId: x.u128(2),
        reason: decodeClosureReason(x.bytes(4)),
        counterpartyNodeId: x.has(6) ? x.hex(6, 33) : undefined,
        channelCapacitySat: x.has(8) ? x.u64(8) : undefined,
      };
    }
    case EVENT_NUMBER.DiscardFunding: {
      const x = f('DiscardFunding');
      return { type: 'DiscardFunding', channelId: x.hex(0, 32), fundingTx: x.bytes(2) };
    }
    default:
      throw new DecodeError(`event: unknown event number ${n}`);
  }
}
