/**
 * The stable encoding of an `Event`, so pending events survive a restart: a u16 event number,
 * then a TLV stream (BOLT 1 style: BigSize type, BigSize length, value, types increasing). A
 * reader ignores unknown odd TLV types and refuses unknown even ones, so later versions can add
 * optional fields. Event numbers and TLV types never change once released.
 */
import { fromHex } from '../util/bytes.js';
import { DecodeError } from '../util/errors.js';
import { WireReader } from '../wire/reader.js';
import { WireWriter } from '../wire/writer.js';
import { CLOSURE_REASON_TYPES, type ClosureReason } from './closure-reason.js';
import type { Event, EventType } from './event.js';
import { Fields, Records, encodeText, u128Bytes, u32Bytes, u64Bytes } from './event-records.js';
import {
  PAYMENT_EVENT_NUMBER,
  decodePaymentEventBody,
  encodePaymentEventBody,
} from './payment-event-codec.js';
import type { PaymentEvent } from './payment-events.js';

/** Channel events' numbers; even, so a reader that does not know one must fail. */
const CHANNEL_EVENT_NUMBER = {
  FundingGenerationReady: 0,
  OpenChannelRequest: 2,
  ChannelPending: 4,
  ChannelReady: 6,
  ChannelClosed: 8,
  DiscardFunding: 10,
} as const;

/** Stable event numbers: the channel events above, then the payment events (12 and up). */
const EVENT_NUMBER: Readonly<Record<EventType, number>> = {
  ...CHANNEL_EVENT_NUMBER,
  ...PAYMENT_EVENT_NUMBER,
};

/** The event type of each number. */
const EVENT_TYPE_OF_NUMBER: ReadonlyMap<number, EventType> = new Map(
  (Object.entries(EVENT_NUMBER) as [EventType, number][]).map(([t, n]) => [n, t]),
);

/** The bytes of a `ClosureReason` (also stored by the `ChannelManager` for a pending close). */
export function encodeClosureReason(reason: ClosureReason): Uint8Array {
  const n = CLOSURE_REASON_TYPES.indexOf(reason.type);
  const r = new Records().add(0, u32Bytes(n));
  if (reason.type === 'CounterpartyForceClosed') r.add(1, encodeText(reason.peerMsg));
  if (reason.type === 'ProcessingError') r.add(1, encodeText(reason.err));
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
        .add(8, encodeText(event.channelType))
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
        .add(6, encodeText(event.channelType));
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
    default:
      return withNumber(EVENT_NUMBER[event.type], encodePaymentEventBody(event));
  }
  return withNumber(EVENT_NUMBER[event.type], r.finish());
}

function withNumber(n: number, body: Uint8Array): Uint8Array {
  return new WireWriter(body.length + 2).u16(n, 'event number').bytes(body).finish();
}

function isPaymentEventType(t: EventType): t is PaymentEvent['type'] {
  return Object.hasOwn(PAYMENT_EVENT_NUMBER, t);
}

/** Reads what `encodeClosureReason` wrote; `DecodeError` for malformed bytes. */
export function decodeClosureReason(bytes: Uint8Array): ClosureReason {
  const f = Fields.read(bytes, [0, 1], 'ClosureReason');
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
  const type = EVENT_TYPE_OF_NUMBER.get(n);
  if (type === undefined) throw new DecodeError(`event: unknown event number ${n}`);
  if (isPaymentEventType(type)) return decodePaymentEventBody(type, body);
  const all = [0, 2, 4, 6, 8, 10];
  const f = (what: string): Fields => Fields.read(body, all, what);
  switch (type) {
    case 'FundingGenerationReady': {
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
    case 'OpenChannelRequest': {
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
    case 'ChannelPending': {
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
    case 'ChannelReady': {
      const x = f('ChannelReady');
      return {
        type: 'ChannelReady',
        channelId: x.hex(0, 32),
        userChannelId: x.u128(2),
        counterpartyNodeId: x.hex(4, 33),
        channelType: x.str(6),
      };
    }
    case 'ChannelClosed': {
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
    case 'DiscardFunding': {
      const x = f('DiscardFunding');
      return { type: 'DiscardFunding', channelId: x.hex(0, 32), fundingTx: x.bytes(2) };
    }
    default:
      throw new DecodeError(`event: unknown event number ${n}`);
  }
}
