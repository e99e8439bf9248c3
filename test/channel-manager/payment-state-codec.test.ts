// The persisted PaymentState: a rich state (every union variant, optional fields present and
// absent, multi-hop paths, route hints, bigints at their limits) round-trips and re-encodes to
// the same bytes; unknown odd fields are skipped and unknown even ones refused, at the top and in
// nested records; and no bytes (random, truncated, bit-flipped) make the decoder throw anything
// but DecodeError. PAYMENT_CODEC_FC_SEED pins another seed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodePaymentState,
  encodePaymentState,
} from '../../src/channel-manager/payments/payment-state-codec.js';
import {
  emptyPaymentState,
  outgoingKey,
  type InboundPayment,
  type OutboundPayment,
  type OutgoingHtlc,
  type PaymentState,
  type PendingHtlc,
} from '../../src/channel-manager/payments/payment-state.js';
import { PaymentFailureReason } from '../../src/events/payment-events.js';
import type { Path, RouteParameters } from '../../src/routing/route.js';
import { equalBytes, toHex } from '../../src/util/bytes.js';
import { BoltkitError, ErrorCode } from '../../src/util/errors.js';
import { WireReader } from '../../src/wire/reader.js';
import { decodeTlvRecords, type TlvRecord } from '../../src/wire/tlv.js';
import { WireWriter } from '../../src/wire/writer.js';

const FC_SEED = Number(process.env.PAYMENT_CODEC_FC_SEED ?? 7);
const U64_MAX = 2n ** 64n - 1n;
const U128_MAX = 2n ** 128n - 1n;

const bytes = (fill: number, length = 32): Uint8Array => new Uint8Array(length).fill(fill);
const hex = (fill: number, length = 32): string => toHex(bytes(fill, length));
const nodeId = (fill: number): string => '02' + hex(fill);

function codeOf(f: () => unknown): ErrorCode | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof BoltkitError) return e.code;
    throw e;
  }
  return undefined;
}

const path = (first: number, hops: number): Path => ({
  hops: Array.from({ length: hops }, (_, i) => ({
    pubkey: nodeId(first + i),
    shortChannelId: i === 0 ? 0n : i === hops - 1 ? U64_MAX : BigInt(first * 1000 + i),
    feeMsat: i === hops - 1 ? 50_000n : BigInt(1000 + i),
    cltvExpiryDelta: i === hops - 1 ? 0 : 40 + i,
  })),
});

const fullRouteParams: RouteParameters = {
  paymentParams: {
    payeeNodeId: nodeId(0x70),
    routeHints: [
      [
        {
          srcNodeId: nodeId(0x71),
          shortChannelId: 123n,
          feeBaseMsat: 1000,
          feeProportionalMillionths: 0xffffffff,
          cltvExpiryDelta: 144,
          htlcMinimumMsat: 0n,
          htlcMaximumMsat: U64_MAX,
        },
        {
          srcNodeId: nodeId(0x72),
          shortChannelId: 456n,
          feeBaseMsat: 0,
          feeProportionalMillionths: 1,
          cltvExpiryDelta: 18,
        },
      ],
      [],
    ],
    finalCltvExpiryDelta: 18,
    allowMpp: true,
    maxTotalCltvExpiryDelta: 1008,
    maxPathCount: 10,
    previouslyFailedChannels: [0n, 77n, U64_MAX],
    expiryTimeSeconds: 2 ** 40,
  },
  finalValueMsat: 100_000n,
  maxTotalRoutingFeeMsat: 0n,
};

const bareRouteParams: RouteParameters = {
  paymentParams: {
    payeeNodeId: '03' + hex(0x73),
    routeHints: [],
    finalCltvExpiryDelta: 0,
    allowMpp: false,
    maxTotalCltvExpiryDelta: 0,
    maxPathCount: 1,
    previouslyFailedChannels: [],
  },
  finalValueMsat: 0n,
};

function outbound(id: number, over: Partial<OutboundPayment>): OutboundPayment {
  return {
    paymentId: bytes(id),
    paymentHash: bytes(id + 1),
    onionFields: {},
    keysendPreimage: undefined,
    totalMsat: 0n,
    routeParams: undefined,
    retry: { type: 'Attempts', count: 0 },
    attempts: 1,
    startedAtSeconds: 0,
    status: 'Pending',
    paymentPreimage: undefined,
    failureReason: undefined,
    failedChannels: [],
    parts: [],
    nextPartId: 0,
    resolvedTicks: 0,
    ...over,
  };
}

function richState(): PaymentState {
  const outbounds: OutboundPayment[] = [
    outbound(0x10, {
      onionFields: { paymentSecret: bytes(0x12), paymentMetadata: Uint8Array.of(1, 2, 3) },
      totalMsat: U64_MAX,
      routeParams: fullRouteParams,
      retry: { type: 'Attempts', count: 0xffffffff },
      attempts: 3,
      startedAtSeconds: Number.MAX_SAFE_INTEGER,
      failedChannels: [0n, U64_MAX],
      parts: [
        { partId: 0, path: path(0x20, 3), finalValueMsat: 50_000n, status: 'failed' },
        { partId: 1, path: path(0x30, 1), finalValueMsat: 0n, status: 'inflight' },
        { partId: 2, path: path(0x40, 4), finalValueMsat: U64_MAX, status: 'fulfilled' },
      ],
      nextPartId: 3,
      resolvedTicks: 2,
    }),
    outbound(0x13, {
      onionFields: { paymentMetadata: new Uint8Array(0) },
      keysendPreimage: bytes(0x14),
      totalMsat: 1n,
      routeParams: bareRouteParams,
      retry: { type: 'Timeout', seconds: 60 },
      status: 'Fulfilled',
      paymentPreimage: bytes(0x14),
    }),
    ...Object.values(PaymentFailureReason).map((reason, i) =>
      outbound(0x50 + 2 * i, {
        onionFields: { paymentSecret: bytes(0x4f) },
        retry: { type: 'Timeout', seconds: 0 },
        status: 'Abandoned',
        failureReason: reason,
      }),
    ),
  ];
  const claimable = (fill: number, userChannelId: bigint) => ({
    channelId: hex(fill),
    counterpartyNodeId: nodeId(fill + 1),
    userChannelId,
    htlcId: userChannelId === 0n ? 0n : U64_MAX,
    amountMsat: 1000n,
    cltvExpiry: 0xffffffff,
    totalMsat: 2000n,
    sharedSecret: bytes(fill + 2),
    blinded: userChannelId !== 0n,
  });
  const inbounds: InboundPayment[] = [
    {
      paymentHash: bytes(0x80),
      purpose: {
        type: 'Bolt11InvoicePayment',
        paymentSecret: bytes(0x81),
        paymentPreimage: bytes(0x82),
      },
      paymentMetadata: Uint8Array.of(9),
      htlcs: [claimable(0x83, 0n), claimable(0x86, U128_MAX)],
      claimable: true,
      claiming: false,
      ticksIncomplete: 0,
    },
    {
      paymentHash: bytes(0x90),
      purpose: {
        type: 'Bolt11InvoicePayment',
        paymentSecret: bytes(0x91),
        paymentPreimage: undefined,
      },
      paymentMetadata: undefined,
      htlcs: [],
      claimable: false,
      claiming: true,
      ticksIncomplete: 3,
    },
    {
      paymentHash: bytes(0xa0),
      purpose: { type: 'SpontaneousPayment', paymentPreimage: bytes(0xa1) },
      paymentMetadata: undefined,
      htlcs: [claimable(0xa2, 42n)],
      claimable: false,
      claiming: false,
      ticksIncomplete: 1,
    },
  ];
  const outgoing: OutgoingHtlc[] = [
    {
      channelId: hex(0xb0),
      htlcId: 0n,
      amountMsat: 51_000n,
      source: {
        kind: 'outbound',
        paymentId: bytes(0x10),
        partId: 0,
        sessionKey: bytes(0xb1),
        path: path(0x20, 3),
      },
    },
    {
      channelId: hex(0xb0),
      htlcId: U64_MAX,
      amountMsat: U64_MAX,
      source: {
        kind: 'forward',
        prevChannelId: hex(0xb2),
        prevCounterpartyNodeId: nodeId(0xb3),
        prevHtlcId: U64_MAX,
        sharedSecret: bytes(0xb4),
        incomingAmountMsat: 0n,
        blinded: true,
      },
    },
  ];
  const pending: PendingHtlc[] = [
    {
      kind: 'forward',
      prevChannelId: hex(0xc0),
      prevCounterpartyNodeId: nodeId(0xc1),
      prevHtlcId: 5n,
      incomingAmountMsat: 10_000n,
      incomingCltvExpiry: 800_000,
      sharedSecret: bytes(0xc2),
      blinded: false,
      paymentHash: bytes(0xc3),
      nextShortChannelId: U64_MAX,
      amountToForwardMsat: 9_000n,
      outgoingCltvValue: 799_960,
      nextOnion: Uint8Array.from({ length: 1366 }, (_, i) => i & 0xff),
    },
    {
      kind: 'receive',
      htlc: claimable(0xc4, 7n),
      paymentHash: bytes(0x80),
      amountToForwardMsat: 1000n,
      outgoingCltvValue: 800_100,
      paymentSecret: bytes(0x81),
      paymentMetadata: Uint8Array.of(9),
      keysendPreimage: bytes(0xc7),
    },
    {
      kind: 'receive',
      htlc: claimable(0xc8, 0n),
      paymentHash: bytes(0xa0),
      amountToForwardMsat: 0n,
      outgoingCltvValue: 0,
      paymentSecret: undefined,
      paymentMetadata: undefined,
      keysendPreimage: undefined,
    },
  ];
  return {
    outbound: new Map(outbounds.map((p) => [toHex(p.paymentId), p])),
    inbound: new Map(inbounds.map((p) => [toHex(p.paymentHash), p])),
    outgoingHtlcs: new Map(outgoing.map((h) => [outgoingKey(h.channelId, h.htlcId), h])),
    pendingHtlcs: pending,
    forwardableSignalled: true,
    highestSeenTimestamp: 1_700_000_000,
  };
}

function expectSameState(a: PaymentState, b: PaymentState): void {
  expect(a).toStrictEqual(b);
  // Map values are only loosely compared by toStrictEqual (a key holding `undefined` equals a
  // missing key): compare the entries as arrays, which also checks the order is kept.
  expect([...a.outbound]).toStrictEqual([...b.outbound]);
  expect([...a.inbound]).toStrictEqual([...b.inbound]);
  expect([...a.outgoingHtlcs]).toStrictEqual([...b.outgoingHtlcs]);
}

/** The top-level records of an encoding, and the encoding rebuilt from records. */
function recordsOf(encoded: Uint8Array): TlvRecord[] {
  return decodeTlvRecords(new WireReader(encoded, 1));
}
function withRecords(records: readonly TlvRecord[], version = 1): Uint8Array {
  const w = new WireWriter().u8(version);
  for (const r of [...records].sort((x, y) => (x.type < y.type ? -1 : 1))) {
    w.bigSize(r.type).bigSize(BigInt(r.value.length)).bytes(r.value);
  }
  return w.finish();
}
/** A list of one item, as `listCodec` writes it. */
function listOfOne(item: Uint8Array): Uint8Array {
  return new WireWriter().bigSize(1n).bigSize(BigInt(item.length)).bytes(item).finish();
}
/** The single item of a one-item list. */
function onlyItem(list: Uint8Array): Uint8Array {
  const r = new WireReader(list);
  expect(r.bigSize()).toBe(1n);
  return r.bytes(Number(r.bigSize()));
}

describe('payment state codec', () => {
  it('round-trips a rich state and re-encodes it byte for byte', () => {
    const state = richState();
    expect(state.outbound.size).toBe(8);
    const encoded = encodePaymentState(state);
    const decoded = decodePaymentState(encoded);
    expectSameState(decoded, state);
    expect(encodePaymentState(decoded)).toStrictEqual(encoded);
    // The input is not aliased: decoded byte fields are copies.
    encoded.fill(0);
    expectSameState(decoded, richState());
  });

  it('round-trips the empty state', () => {
    const encoded = encodePaymentState(emptyPaymentState());
    expect(encoded[0]).toBe(1);
    const decoded = decodePaymentState(encoded);
    expectSameState(decoded, emptyPaymentState());
    expect(encodePaymentState(decoded)).toStrictEqual(encoded);
  });

  it('skips unknown odd fields, at the top and inside a record', () => {
    const state = richState();
    const records = recordsOf(encodePaymentState(state));
    const top = [
      ...records,
      { type: 11n, value: Uint8Array.of(1, 2) },
      { type: 2n ** 60n + 1n, value: new Uint8Array(0) },
    ];
    expectSameState(decodePaymentState(withRecords(top)), state);

    // One outgoing HTLC whose record gains odd field 7 after its known fields.
    const single: PaymentState = {
      ...emptyPaymentState(),
      outgoingHtlcs: new Map([...state.outgoingHtlcs].slice(1)),
    };
    const singleRecords = recordsOf(encodePaymentState(single));
    const htlcs = singleRecords.find((r) => r.type === 4n)!;
    const item = onlyItem(htlcs.value);
    const extended = Uint8Array.from([...item, 7, 1, 0xee]);
    const patched = singleRecords.map((r) =>
      r.type === 4n ? { type: 4n, value: listOfOne(extended) } : r,
    );
    expectSameState(decodePaymentState(withRecords(patched)), single);
  });

  it('refuses unknown even fields, at the top and inside a record', () => {
    const state = richState();
    const records = recordsOf(encodePaymentState(state));
    expect(
      codeOf(() =>
        decodePaymentState(withRecords([...records, { type: 12n, value: new Uint8Array(0) }])),
      ),
    ).toBe(ErrorCode.DecodeError);

    const single: PaymentState = {
      ...emptyPaymentState(),
      outgoingHtlcs: new Map([...state.outgoingHtlcs].slice(0, 1)),
    };
    const singleRecords = recordsOf(encodePaymentState(single));
    const item = onlyItem(singleRecords.find((r) => r.type === 4n)!.value);
    const extended = Uint8Array.from([...item, 8, 0]);
    const patched = singleRecords.map((r) =>
      r.type === 4n ? { type: 4n, value: listOfOne(extended) } : r,
    );
    expect(codeOf(() => decodePaymentState(withRecords(patched)))).toBe(ErrorCode.DecodeError);
  });

  it('refuses another version, no bytes and a missing required field', () => {
    const encoded = encodePaymentState(richState());
    for (const version of [0, 2, 255]) {
      const other = encoded.slice();
      other[0] = version;
      expect(codeOf(() => decodePaymentState(other))).toBe(ErrorCode.DecodeError);
    }
    expect(codeOf(() => decodePaymentState(new Uint8Array(0)))).toBe(ErrorCode.DecodeError);
    const records = recordsOf(encoded);
    for (const t of [0n, 2n, 4n, 6n, 8n, 10n]) {
      const without = records.filter((r) => r.type !== t);
      expect(codeOf(() => decodePaymentState(withRecords(without)))).toBe(ErrorCode.DecodeError);
    }
  });

  it('refuses a map key stored twice', () => {
    const first = [...richState().outbound][0]!;
    const records = recordsOf(
      encodePaymentState({ ...emptyPaymentState(), outbound: new Map([first]) }),
    );
    const item = onlyItem(records.find((r) => r.type === 0n)!.value);
    const twice = new WireWriter().bigSize(2n);
    for (let k = 0; k < 2; k++) twice.bigSize(BigInt(item.length)).bytes(item);
    const patched = records.map((r) => (r.type === 0n ? { type: 0n, value: twice.finish() } : r));
    expect(codeOf(() => decodePaymentState(withRecords(patched)))).toBe(ErrorCode.DecodeError);
  });

  it('refuses to encode a state that broke its invariants', () => {
    const upper: PaymentState = {
      ...emptyPaymentState(),
      outgoingHtlcs: new Map([
        [
          outgoingKey('AB'.repeat(32), 0n),
          { ...[...richState().outgoingHtlcs.values()][0]!, channelId: 'AB'.repeat(32) },
        ],
      ]),
    };
    expect(codeOf(() => encodePaymentState(upper))).toBe(ErrorCode.APIMisuse);
    const shortHash: PaymentState = {
      ...emptyPaymentState(),
      outbound: new Map([[toHex(bytes(1)), outbound(1, { paymentHash: bytes(1, 31) })]]),
    };
    expect(codeOf(() => encodePaymentState(shortHash))).toBe(ErrorCode.APIMisuse);
    const rekeyed: PaymentState = {
      ...emptyPaymentState(),
      inbound: new Map([['00'.repeat(32), [...richState().inbound.values()][0]!]]),
    };
    expect(codeOf(() => encodePaymentState(rekeyed))).toBe(ErrorCode.APIMisuse);
    const badReason: PaymentState = {
      ...emptyPaymentState(),
      outbound: new Map([
        [toHex(bytes(1)), outbound(1, { failureReason: 'Nope' as PaymentFailureReason })],
      ]),
    };
    expect(codeOf(() => encodePaymentState(badReason))).toBe(ErrorCode.APIMisuse);
  });
});

describe('payment state decoder on hostile bytes', () => {
  const valid = encodePaymentState(richState());

  /** Decodes `b`: either a state that re-encodes and decodes to itself, or a DecodeError. */
  function check(b: Uint8Array): void {
    let state: PaymentState;
    try {
      state = decodePaymentState(b);
    } catch (e) {
      // Rethrown as is, so a failure shows what escaped (a TypeError, a RangeError).
      if (e instanceof BoltkitError && e.code === ErrorCode.DecodeError) return;
      throw e;
    }
    // Whatever decodes is a valid state: it encodes, and that encoding is stable.
    const again = encodePaymentState(state);
    expect(equalBytes(encodePaymentState(decodePaymentState(again)), again)).toBe(true);
  }

  it('random bytes, with and without a valid version byte', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.uint8Array({ maxLength: 300 }), (versioned, b) => {
        check(versioned ? Uint8Array.from([1, ...b]) : b);
      }),
      { seed: FC_SEED, numRuns: 500 },
    );
  });

  it('every truncation of a valid encoding', () => {
    for (let n = 0; n < valid.length; n++) check(valid.subarray(0, n));
  });

  it('bit flips and byte overwrites of a valid encoding', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(valid.length - 1), fc.nat(7), fc.boolean(), fc.nat(255)), {
          minLength: 1,
          maxLength: 3,
        }),
        (edits) => {
          const b = valid.slice();
          for (const [at, bit, overwrite, byte] of edits)
            b[at] = overwrite ? byte : b[at]! ^ (1 << bit);
          check(b);
        },
      ),
      { seed: FC_SEED, numRuns: 400 },
    );
  });
});
