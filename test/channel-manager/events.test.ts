import { describe, expect, it } from 'vitest';
import { decodeEvent, encodeEvent } from '../../src/events/event-codec.js';
import type { Event } from '../../src/events/event.js';
import { CLOSURE_REASON_TYPES, type ClosureReason } from '../../src/events/closure-reason.js';

const id = 'ab'.repeat(32);
const node = '02' + 'cd'.repeat(32);

function reasonOf(type: (typeof CLOSURE_REASON_TYPES)[number]): ClosureReason {
  switch (type) {
    case 'CounterpartyForceClosed':
      return { type, peerMsg: 'bye' };
    case 'ProcessingError':
      return { type, err: 'bad' };
    case 'CooperativeClosure':
      return { type, locallyInitiated: true };
    default:
      return { type };
  }
}

const events: Event[] = [
  {
    type: 'FundingGenerationReady',
    temporaryChannelId: id,
    counterpartyNodeId: node,
    channelValueSat: 1_000_000n,
    outputScript: Uint8Array.of(0, 32, 1, 2),
    userChannelId: (1n << 100n) + 5n,
  },
  {
    type: 'OpenChannelRequest',
    temporaryChannelId: id,
    counterpartyNodeId: node,
    fundingSat: 5n,
    pushMsat: 7n,
    channelType: 'anchors_zero_fee_htlc_tx',
    isAnnounced: false,
  },
  {
    type: 'ChannelPending',
    channelId: id,
    userChannelId: 1n,
    formerTemporaryChannelId: 'ee'.repeat(32),
    counterpartyNodeId: node,
    fundingTxo: { txid: '11'.repeat(32), index: 3 },
  },
  {
    type: 'ChannelReady',
    channelId: id,
    userChannelId: 2n,
    counterpartyNodeId: node,
    channelType: 'x',
  },
  ...CLOSURE_REASON_TYPES.map((t): Event => ({
    type: 'ChannelClosed',
    channelId: id,
    userChannelId: 3n,
    reason: reasonOf(t),
    counterpartyNodeId: t === 'HolderForceClosed' ? undefined : node,
    channelCapacitySat: t === 'HolderForceClosed' ? undefined : 9n,
  })),
  { type: 'DiscardFunding', channelId: id, fundingTx: Uint8Array.of(1, 2, 3) },
];

describe('events', () => {
  it('every event and closure reason round-trips through its encoding', () => {
    for (const e of events) expect(decodeEvent(encodeEvent(e))).toEqual(e);
  });

  it('refuses malformed bytes with DecodeError', () => {
    const bytes = encodeEvent(events[0]!);
    for (const bad of [
      bytes.subarray(0, 1),
      Uint8Array.of(0, 99),
      bytes.subarray(0, bytes.length - 3),
    ]) {
      expect(() => decodeEvent(bad)).toThrow(expect.objectContaining({ code: 'DecodeError' }));
    }
    // An unknown odd TLV is skipped; an unknown even one is refused.
    expect(decodeEvent(Uint8Array.of(...bytes, 0x0b, 0x01, 0x00))).toEqual(events[0]);
    expect(() => decodeEvent(Uint8Array.of(...bytes, 0x0c, 0x01, 0x00))).toThrow(
      expect.objectContaining({ code: 'DecodeError' }),
    );
  });
});
