// The stable encoding of the payment events: every variant round-trips with its optional fields
// present and absent, nested records (paths, purposes, destinations, claimed HTLCs) keep the
// BOLT 1 TLV rules (unknown odd skipped, unknown even refused), and malformed bytes are a
// DecodeError, never a TypeError or RangeError.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeEvent, encodeEvent } from '../../src/events/event-codec.js';
import type { Event } from '../../src/events/event.js';
import {
  type HtlcDestination,
  type PaymentEvent,
  PaymentFailureReason,
  type PaymentPurpose,
} from '../../src/events/payment-events.js';
import type { Path } from '../../src/routing/route.js';
import { toHex } from '../../src/util/bytes.js';
import { ErrorCode } from '../../src/util/errors.js';
import { WireReader } from '../../src/wire/reader.js';

const h32 = (b: string): string => b.repeat(32);
const node = (b: string): string => '02' + b.repeat(32);

const path: Path = {
  hops: [
    {
      pubkey: node('11'),
      shortChannelId: (700_000n << 40n) | (5n << 16n) | 1n,
      feeMsat: 1_000n,
      cltvExpiryDelta: 40,
    },
    { pubkey: node('22'), shortChannelId: 0xffffffffffffffffn, feeMsat: 0n, cltvExpiryDelta: 144 },
    {
      pubkey: '03' + 'ee'.repeat(32),
      shortChannelId: 1n,
      feeMsat: 21_000_000n * 10n ** 11n,
      cltvExpiryDelta: 0xffffffff,
    },
  ],
};
const emptyPath: Path = { hops: [] };

const purposes: PaymentPurpose[] = [
  { type: 'Bolt11InvoicePayment', paymentPreimage: h32('aa'), paymentSecret: h32('bb') },
  { type: 'Bolt11InvoicePayment', paymentPreimage: undefined, paymentSecret: h32('bc') },
  { type: 'SpontaneousPayment', paymentPreimage: h32('cc') },
];

const destinations: HtlcDestination[] = [
  { type: 'NextHopChannel', nodeId: node('33'), channelId: h32('44') },
  { type: 'NextHopChannel', nodeId: undefined, channelId: h32('45') },
  { type: 'UnknownNextHop', requestedForwardScid: 123456789n },
  { type: 'InvalidOnion' },
  { type: 'FailedPayment', paymentHash: h32('55') },
];

const events: PaymentEvent[] = [
  ...purposes.map((purpose): PaymentEvent => ({
    type: 'PaymentClaimable',
    receiverNodeId: node('01'),
    paymentHash: h32('02'),
    amountMsat: 5_000_000n,
    purpose,
    viaChannelId: h32('03'),
    paymentMetadata: purpose.type === 'SpontaneousPayment' ? undefined : '0102abcdef',
    claimDeadline: 800_123,
  })),
  {
    type: 'PaymentClaimable',
    receiverNodeId: node('01'),
    paymentHash: h32('02'),
    amountMsat: 1n,
    purpose: purposes[0]!,
    viaChannelId: h32('03'),
    paymentMetadata: '',
    claimDeadline: 0,
  },
  ...purposes.map((purpose, i): PaymentEvent => ({
    type: 'PaymentClaimed',
    receiverNodeId: node('04'),
    paymentHash: h32('05'),
    amountMsat: 9_999n,
    purpose,
    htlcs: Array.from({ length: i }, (_, j) => ({
      channelId: h32('0' + String(6 + j)),
      userChannelId: (1n << 127n) + BigInt(j),
      cltvExpiry: 700_000 + j,
      valueMsat: 4_000n + BigInt(j),
    })),
  })),
  {
    type: 'PaymentSent',
    paymentId: h32('10'),
    paymentPreimage: h32('11'),
    paymentHash: h32('12'),
    feePaidMsat: 0n,
  },
  { type: 'PaymentPathSuccessful', paymentId: h32('13'), paymentHash: h32('14'), path },
  { type: 'PaymentPathSuccessful', paymentId: h32('13'), paymentHash: h32('14'), path: emptyPath },
  {
    type: 'PaymentPathFailed',
    paymentId: h32('15'),
    paymentHash: h32('16'),
    paymentFailedPermanently: true,
    path,
    shortChannelId: 42n,
    failingNodeId: node('17'),
    failureCode: 0x400f,
    failureData: '00000000000f424000000064',
    willRetry: false,
  },
  {
    type: 'PaymentPathFailed',
    paymentId: h32('15'),
    paymentHash: h32('16'),
    paymentFailedPermanently: false,
    path,
    shortChannelId: undefined,
    failingNodeId: undefined,
    failureCode: undefined,
    failureData: undefined,
    willRetry: true,
  },
  ...Object.values(PaymentFailureReason).map((reason, i): PaymentEvent => ({
    type: 'PaymentFailed',
    paymentId: h32('18'),
    paymentHash: i % 2 === 0 ? h32('19') : undefined,
    reason,
  })),
  { type: 'PendingHTLCsForwardable', timeForwardableMs: 0 },
  { type: 'PendingHTLCsForwardable', timeForwardableMs: Number.MAX_SAFE_INTEGER },
  ...destinations.map((failedNextDestination): PaymentEvent => ({
    type: 'HTLCHandlingFailed',
    prevChannelId: h32('20'),
    failedNextDestination,
  })),
  {
    type: 'PaymentForwarded',
    prevChannelId: h32('21'),
    nextChannelId: h32('22'),
    prevNodeId: node('23'),
    nextNodeId: node('24'),
    totalFeeEarnedMsat: 1_234n,
    outboundAmountForwardedMsat: 1_000_000n,
    claimFromOnchainTx: true,
  },
  {
    type: 'PaymentForwarded',
    prevChannelId: h32('21'),
    nextChannelId: h32('22'),
    prevNodeId: undefined,
    nextNodeId: undefined,
    totalFeeEarnedMsat: 0n,
    outboundAmountForwardedMsat: 0xffffffffffffffffn,
    claimFromOnchainTx: false,
  },
];

const decodeErrorOf = (f: () => unknown): unknown => {
  try {
    f();
  } catch (e) {
    return (e as { code?: unknown }).code;
  }
  return 'no error';
};

/** Appends one TLV record (single-byte type and length) to an encoded event. */
const withRecord = (bytes: Uint8Array, type: number, value: number[]): Uint8Array =>
  Uint8Array.of(...bytes, type, value.length, ...value);

describe('payment event codec', () => {
  it('covers every payment event type', () => {
    const types = new Set(events.map((e) => e.type));
    expect([...types].sort()).toEqual(
      [
        'HTLCHandlingFailed',
        'PaymentClaimable',
        'PaymentClaimed',
        'PaymentFailed',
        'PaymentForwarded',
        'PaymentPathFailed',
        'PaymentPathSuccessful',
        'PaymentSent',
        'PendingHTLCsForwardable',
      ].sort(),
    );
  });

  it('round-trips every variant, optional fields present and absent', () => {
    for (const e of events) {
      const bytes = encodeEvent(e);
      expect(decodeEvent(bytes)).toEqual(e);
      // Stable: encoding the decoded event gives the same bytes.
      expect(encodeEvent(decodeEvent(bytes))).toEqual(bytes);
    }
  });

  it('uses new even event numbers after the channel events, one per type', () => {
    const numbers = new Map<string, number>();
    for (const e of events) numbers.set(e.type, new WireReader(encodeEvent(e)).u16());
    expect(numbers).toEqual(
      new Map([
        ['PaymentClaimable', 12],
        ['PaymentClaimed', 14],
        ['PaymentSent', 16],
        ['PaymentPathSuccessful', 18],
        ['PaymentPathFailed', 20],
        ['PaymentFailed', 22],
        ['PendingHTLCsForwardable', 24],
        ['HTLCHandlingFailed', 26],
        ['PaymentForwarded', 28],
      ]),
    );
  });

  it('pins the bytes of one event with a path', () => {
    const e: Event = {
      type: 'PaymentPathSuccessful',
      paymentId: h32('01'),
      paymentHash: h32('02'),
      path: { hops: [{ pubkey: node('03'), shortChannelId: 5n, feeMsat: 7n, cltvExpiryDelta: 9 }] },
    };
    const hop = `0021${node('03')}0208000000000000000504080000000000000007060400000009`;
    const hopLen = (hop.length / 2).toString(16);
    const list = `01${hopLen}${hop}`;
    const pathRecord = `00${(list.length / 2).toString(16)}${list}`;
    const expected =
      `0012` +
      `0020${h32('01')}` +
      `0220${h32('02')}` +
      `04${(pathRecord.length / 2).toString(16)}${pathRecord}`;
    expect(toHex(encodeEvent(e))).toBe(expected);
  });

  it('skips unknown odd TLVs and refuses unknown even ones, at the top level', () => {
    for (const e of events) {
      const bytes = encodeEvent(e);
      expect(decodeEvent(withRecord(bytes, 0xf1, [1, 2]))).toEqual(e);
      expect(decodeErrorOf(() => decodeEvent(withRecord(bytes, 0xf0, [1])))).toBe(
        ErrorCode.DecodeError,
      );
    }
  });

  it('skips unknown odd TLVs and refuses unknown even ones inside nested records', () => {
    // A hop record with an extra odd (0x0b) or even (0x0a) field, spliced into a path event.
    const hop = (extra: number[]): number[] => [
      0x00,
      33,
      2,
      ...new Array<number>(32).fill(0x03),
      0x02,
      8,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      5,
      0x04,
      8,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      7,
      0x06,
      4,
      0,
      0,
      0,
      9,
      ...extra,
    ];
    const event = (extra: number[]): Uint8Array => {
      const h = hop(extra);
      const list = [1, h.length, ...h];
      const pathRecord = [0x00, list.length, ...list];
      return Uint8Array.of(
        0,
        18,
        0x00,
        32,
        ...new Array<number>(32).fill(1),
        0x02,
        32,
        ...new Array<number>(32).fill(2),
        0x04,
        pathRecord.length,
        ...pathRecord,
      );
    };
    expect(decodeEvent(event([0x0b, 1, 0xff]))).toEqual({
      type: 'PaymentPathSuccessful',
      paymentId: h32('01'),
      paymentHash: h32('02'),
      path: { hops: [{ pubkey: node('03'), shortChannelId: 5n, feeMsat: 7n, cltvExpiryDelta: 9 }] },
    });
    expect(decodeErrorOf(() => decodeEvent(event([0x0a, 1, 0xff])))).toBe(ErrorCode.DecodeError);

    // A purpose record with an unknown odd field (skipped) or even field (refused).
    const withOdd = decodeEvent(encodeEventPurposeWithExtra(purposes[2]!, [0x07, 1, 0]));
    expect(withOdd.type === 'PaymentClaimable' ? withOdd.purpose : undefined).toEqual(purposes[2]);
    const withEven = encodeEventPurposeWithExtra(purposes[2]!, [0x06, 1, 0]);
    expect(decodeErrorOf(() => decodeEvent(withEven))).toBe(ErrorCode.DecodeError);
  });

  it('refuses unknown kind and reason numbers', () => {
    // PaymentFailed with reason 99.
    const failed = Uint8Array.of(0, 22, 0x00, 32, ...new Array<number>(32).fill(1), 0x04, 2, 0, 99);
    expect(decodeErrorOf(() => decodeEvent(failed))).toBe(ErrorCode.DecodeError);
    // HTLCHandlingFailed with destination kind 9.
    const handling = Uint8Array.of(
      0,
      26,
      0x00,
      32,
      ...new Array<number>(32).fill(1),
      0x02,
      4,
      0x00,
      2,
      0,
      9,
    );
    expect(decodeErrorOf(() => decodeEvent(handling))).toBe(ErrorCode.DecodeError);
    // An event number past the known ones.
    expect(decodeErrorOf(() => decodeEvent(Uint8Array.of(0, 30)))).toBe(ErrorCode.DecodeError);
  });

  it('refuses a missing required field, a wrong length and a bad boolean', () => {
    // PaymentSent without its fee (TLV 6).
    const sent = encodeEvent(events.find((e) => e.type === 'PaymentSent')!);
    expect(decodeErrorOf(() => decodeEvent(sent.subarray(0, sent.length - 10)))).toBe(
      ErrorCode.DecodeError,
    );
    // PendingHTLCsForwardable with a u64 past the safe integer range.
    const big = Uint8Array.of(0, 24, 0x00, 8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
    expect(decodeErrorOf(() => decodeEvent(big))).toBe(ErrorCode.DecodeError);
    // PaymentForwarded whose boolean is 2.
    const fwd = encodeEvent(events[events.length - 1]!);
    const bad = fwd.slice();
    bad[bad.length - 1] = 2;
    expect(decodeErrorOf(() => decodeEvent(bad))).toBe(ErrorCode.DecodeError);
  });

  it('every truncation or single-byte change decodes or fails with DecodeError only', () => {
    for (const e of events) {
      const bytes = encodeEvent(e);
      for (let n = 0; n < bytes.length; n++) {
        const code = decodeErrorOf(() => decodeEvent(bytes.subarray(0, n)));
        // A cut on a record boundary may leave a valid event only if everything cut was optional.
        if (code !== 'no error') expect(code).toBe(ErrorCode.DecodeError);
      }
      for (let i = 0; i < bytes.length; i++) {
        const flipped = bytes.slice();
        flipped[i]! ^= 0xff;
        const code = decodeErrorOf(() => decodeEvent(flipped));
        if (code !== 'no error') expect(code).toBe(ErrorCode.DecodeError);
      }
    }
  });

  it('round-trips random paths and forwarded-payment events (property)', () => {
    const hex = (n: number): fc.Arbitrary<string> =>
      fc.uint8Array({ minLength: n, maxLength: n }).map((b) => toHex(b));
    const nodeId = hex(32).map((x) => '03' + x);
    const u64 = fc.bigInt({ min: 0n, max: 0xffffffffffffffffn });
    const hopArb = fc.record({
      pubkey: nodeId,
      shortChannelId: u64,
      feeMsat: u64,
      cltvExpiryDelta: fc.nat({ max: 0xffffffff }),
    });
    const failed = fc.record({
      type: fc.constant('PaymentPathFailed' as const),
      paymentId: hex(32),
      paymentHash: hex(32),
      paymentFailedPermanently: fc.boolean(),
      path: fc.record({ hops: fc.array(hopArb, { maxLength: 20 }) }),
      shortChannelId: fc.option(u64, { nil: undefined }),
      failingNodeId: fc.option(nodeId, { nil: undefined }),
      failureCode: fc.option(fc.nat({ max: 0xffff }), { nil: undefined }),
      failureData: fc.option(
        fc.uint8Array({ maxLength: 300 }).map((b) => toHex(b)),
        { nil: undefined },
      ),
      willRetry: fc.boolean(),
    });
    fc.assert(
      fc.property(failed, (e) => {
        expect(decodeEvent(encodeEvent(e))).toEqual(e);
      }),
      { numRuns: 150, seed: 0x5eed },
    );
  });
});

/** A `PaymentClaimable` whose purpose record carries `extra` bytes after its own fields. */
function encodeEventPurposeWithExtra(purpose: PaymentPurpose, extra: number[]): Uint8Array {
  const e: Event = {
    type: 'PaymentClaimable',
    receiverNodeId: node('01'),
    paymentHash: h32('02'),
    amountMsat: 1n,
    purpose,
    viaChannelId: h32('03'),
    paymentMetadata: undefined,
    claimDeadline: 1,
  };
  const bytes = encodeEvent(e);
  // Records: 0 (33), 2 (32), 4 (8), 6 (purpose), 8 (32), 12 (4). Find record 6 and extend it.
  const r = new WireReader(bytes.subarray(2));
  const out: number[] = [bytes[0]!, bytes[1]!];
  while (r.remaining() > 0) {
    const type = Number(r.bigSize());
    const value = [...r.bytes(Number(r.bigSize()))];
    const v = type === 6 ? [...value, ...extra] : value;
    out.push(type, v.length, ...v);
  }
  return Uint8Array.from(out);
}
