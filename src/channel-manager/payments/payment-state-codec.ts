/**
 * The persisted form of the `ChannelManager`'s `PaymentState`: a version byte, then one TLV
 * stream (BOLT 1 "Type-Length-Value Format") of the whole state, nested streams for each record.
 * Required fields take even types and optional ones odd types, so a later version can add odd
 * fields that this one skips ("it's OK to be odd"); an unknown even field is a `DecodeError`.
 *
 * The maps are stored as lists of their values in map order; their keys are recomputed on
 * decode (hex payment id, hex payment hash, `outgoingKey`), and a repeated key is a
 * `DecodeError`. The state is written in the same snapshot as the channels it refers to, so a
 * restart sees the HTLCs and the payments that own them together (`payment-state.ts`).
 */
import { persistCodecs } from '../../chain/channel-monitor-update-steps.js';
import { toHex } from '../../util/bytes.js';
import { APIMisuseError, DecodeError } from '../../util/errors.js';
import { WireReader } from '../../wire/reader.js';
import { listCodec } from '../../wire/tlv-struct.js';
import { WireWriter } from '../../wire/writer.js';
import { mutableList } from '../channel/serialize-codecs.js';
import {
  channelIdCodec,
  claimableHtlcCodec,
  failureReasonCodec,
  htlcSourceCodec,
  nodeIdCodec,
  outboundStatusCodec,
  partStatusCodec,
  pathCodec,
  retryCodec,
  routeParamsCodec,
  struct,
  taggedCodec,
  type VariantBody,
} from './payment-state-codec-parts.js';
import {
  outgoingKey,
  type InboundPayment,
  type OutboundPart,
  type OutboundPayment,
  type OutgoingHtlc,
  type PaymentState,
  type PendingHtlc,
  type RecipientOnionFields,
} from './payment-state.js';

const c = persistCodecs;

/** The format version; a reader refuses any other. */
const PAYMENT_STATE_VERSION = 1;

// Outbound payments ----------------------------------------------------------------------------

const onionFieldsCodec = struct<RecipientOnionFields>(
  'recipient_onion_fields',
  {
    paymentSecret: { type: 1n, codec: c.bytes32 },
    paymentMetadata: { type: 3n, codec: c.bytes },
  },
  [],
);

const outboundPartCodec = struct<OutboundPart>(
  'outbound_part',
  {
    partId: { type: 0n, codec: c.u32 },
    path: { type: 2n, codec: pathCodec },
    finalValueMsat: { type: 4n, codec: c.u64 },
    status: { type: 6n, codec: partStatusCodec },
  },
  ['partId', 'path', 'finalValueMsat', 'status'],
);

const outboundCodec = struct<OutboundPayment>(
  'outbound_payment',
  {
    paymentId: { type: 0n, codec: c.bytes32 },
    paymentHash: { type: 2n, codec: c.bytes32 },
    onionFields: { type: 4n, codec: onionFieldsCodec },
    keysendPreimage: { type: 5n, codec: c.bytes32 },
    totalMsat: { type: 6n, codec: c.u64 },
    routeParams: { type: 7n, codec: routeParamsCodec },
    retry: { type: 8n, codec: retryCodec },
    attempts: { type: 10n, codec: c.u32 },
    // Seconds since 1970: a u64, so the format outlives 2106.
    startedAtSeconds: { type: 12n, codec: c.safeInt },
    status: { type: 14n, codec: outboundStatusCodec },
    paymentPreimage: { type: 15n, codec: c.bytes32 },
    failureReason: { type: 17n, codec: failureReasonCodec },
    failedChannels: { type: 18n, codec: mutableList(listCodec(c.u64, 'failed channels')) },
    parts: { type: 20n, codec: mutableList(listCodec(outboundPartCodec, 'outbound parts')) },
    nextPartId: { type: 22n, codec: c.u32 },
    resolvedTicks: { type: 24n, codec: c.u32 },
  },
  [
    'paymentId',
    'paymentHash',
    'onionFields',
    'totalMsat',
    'retry',
    'attempts',
    'startedAtSeconds',
    'status',
    'failedChannels',
    'parts',
    'nextPartId',
    'resolvedTicks',
  ],
  ['keysendPreimage', 'routeParams', 'paymentPreimage', 'failureReason'],
);

// Inbound payments -----------------------------------------------------------------------------

type Purpose = InboundPayment['purpose'];

const purposeCodec = taggedCodec<Purpose, 'type'>(
  'payment purpose',
  'type',
  ['Bolt11InvoicePayment', 'SpontaneousPayment'],
  {
    Bolt11InvoicePayment: struct<VariantBody<Purpose, 'type', 'Bolt11InvoicePayment'>>(
      'purpose_bolt11',
      {
        paymentSecret: { type: 0n, codec: c.bytes32 },
        paymentPreimage: { type: 1n, codec: c.bytes32 },
      },
      ['paymentSecret'],
      ['paymentPreimage'],
    ),
    SpontaneousPayment: struct<VariantBody<Purpose, 'type', 'SpontaneousPayment'>>(
      'purpose_spontaneous',
      { paymentPreimage: { type: 0n, codec: c.bytes32 } },
      ['paymentPreimage'],
    ),
  },
);

const inboundCodec = struct<InboundPayment>(
  'inbound_payment',
  {
    paymentHash: { type: 0n, codec: c.bytes32 },
    purpose: { type: 2n, codec: purposeCodec },
    paymentMetadata: { type: 3n, codec: c.bytes },
    htlcs: { type: 4n, codec: mutableList(listCodec(claimableHtlcCodec, 'claimable htlcs')) },
    claimable: { type: 6n, codec: c.bool },
    claiming: { type: 8n, codec: c.bool },
    ticksIncomplete: { type: 10n, codec: c.u32 },
  },
  ['paymentHash', 'purpose', 'htlcs', 'claimable', 'claiming', 'ticksIncomplete'],
  ['paymentMetadata'],
);

// HTLCs ----------------------------------------------------------------------------------------

const outgoingHtlcCodec = struct<OutgoingHtlc>(
  'outgoing_htlc',
  {
    channelId: { type: 0n, codec: channelIdCodec },
    htlcId: { type: 2n, codec: c.u64 },
    amountMsat: { type: 4n, codec: c.u64 },
    source: { type: 6n, codec: htlcSourceCodec },
  },
  ['channelId', 'htlcId', 'amountMsat', 'source'],
);

const pendingHtlcCodec = taggedCodec<PendingHtlc, 'kind'>(
  'pending htlc',
  'kind',
  ['forward', 'receive'],
  {
    forward: struct<VariantBody<PendingHtlc, 'kind', 'forward'>>(
      'pending_forward',
      {
        prevChannelId: { type: 0n, codec: channelIdCodec },
        prevCounterpartyNodeId: { type: 2n, codec: nodeIdCodec },
        prevHtlcId: { type: 4n, codec: c.u64 },
        incomingAmountMsat: { type: 6n, codec: c.u64 },
        incomingCltvExpiry: { type: 8n, codec: c.u32 },
        sharedSecret: { type: 10n, codec: c.bytes32 },
        blinded: { type: 12n, codec: c.bool },
        paymentHash: { type: 14n, codec: c.bytes32 },
        nextShortChannelId: { type: 16n, codec: c.u64 },
        amountToForwardMsat: { type: 18n, codec: c.u64 },
        outgoingCltvValue: { type: 20n, codec: c.u32 },
        // Stored as it came; its length was checked when the incoming onion was peeled.
        nextOnion: { type: 22n, codec: c.bytes },
      },
      [
        'prevChannelId',
        'prevCounterpartyNodeId',
        'prevHtlcId',
        'incomingAmountMsat',
        'incomingCltvExpiry',
        'sharedSecret',
        'blinded',
        'paymentHash',
        'nextShortChannelId',
        'amountToForwardMsat',
        'outgoingCltvValue',
        'nextOnion',
      ],
    ),
    receive: struct<VariantBody<PendingHtlc, 'kind', 'receive'>>(
      'pending_receive',
      {
        htlc: { type: 0n, codec: claimableHtlcCodec },
        paymentHash: { type: 2n, codec: c.bytes32 },
        amountToForwardMsat: { type: 4n, codec: c.u64 },
        outgoingCltvValue: { type: 6n, codec: c.u32 },
        paymentSecret: { type: 7n, codec: c.bytes32 },
        paymentMetadata: { type: 9n, codec: c.bytes },
        keysendPreimage: { type: 11n, codec: c.bytes32 },
      },
      ['htlc', 'paymentHash', 'amountToForwardMsat', 'outgoingCltvValue'],
      ['paymentSecret', 'paymentMetadata', 'keysendPreimage'],
    ),
  },
);

// The whole state ------------------------------------------------------------------------------

/** `PaymentState` with its maps as lists of their values. */
interface StoredPaymentState {
  readonly outbound: readonly OutboundPayment[];
  readonly inbound: readonly InboundPayment[];
  readonly outgoingHtlcs: readonly OutgoingHtlc[];
  readonly pendingHtlcs: readonly PendingHtlc[];
  readonly forwardableSignalled: boolean;
  readonly highestSeenTimestamp: number;
}

const storedCodec = struct<StoredPaymentState>(
  'payment_state',
  {
    outbound: { type: 0n, codec: listCodec(outboundCodec, 'outbound payments') },
    inbound: { type: 2n, codec: listCodec(inboundCodec, 'inbound payments') },
    outgoingHtlcs: { type: 4n, codec: listCodec(outgoingHtlcCodec, 'outgoing htlcs') },
    pendingHtlcs: { type: 6n, codec: listCodec(pendingHtlcCodec, 'pending htlcs') },
    forwardableSignalled: { type: 8n, codec: c.bool },
    highestSeenTimestamp: { type: 10n, codec: c.safeInt },
  },
  [
    'outbound',
    'inbound',
    'outgoingHtlcs',
    'pendingHtlcs',
    'forwardableSignalled',
    'highestSeenTimestamp',
  ],
);

/** A map of `values` under `keyOf`; a repeated key means corrupt bytes. */
function toMap<T>(values: readonly T[], keyOf: (v: T) => string, what: string): Map<string, T> {
  const map = new Map<string, T>();
  for (const v of values) {
    const key = keyOf(v);
    if (map.has(key)) throw new DecodeError(`payment state: ${what} ${key} stored twice`);
    map.set(key, v);
  }
  return map;
}

/**
 * The values of `map`, checking each is under the key `keyOf` gives it: only values are stored,
 * so a value under another key would come back rekeyed.
 */
function valuesOf<T>(map: Map<string, T>, keyOf: (v: T) => string, what: string): T[] {
  const out: T[] = [];
  for (const [key, v] of map) {
    if (keyOf(v) !== key) throw new APIMisuseError(`payment state: ${what} stored under ${key}`);
    out.push(v);
  }
  return out;
}

const paymentIdKey = (p: OutboundPayment): string => toHex(p.paymentId);
const paymentHashKey = (p: InboundPayment): string => toHex(p.paymentHash);
const htlcKey = (h: OutgoingHtlc): string => outgoingKey(h.channelId, h.htlcId);

/**
 * The bytes of `state`, to be written in the same snapshot as the channels it refers to. Throws
 * `APIMisuseError` when a field does not fit its stored form (a non-hex channel id, a byte field
 * of the wrong length, a number out of range) or a map value is under another key than its own:
 * the in-memory state broke its own invariants.
 */
export function encodePaymentState(state: PaymentState): Uint8Array {
  const w = new WireWriter(1024);
  w.u8(PAYMENT_STATE_VERSION, 'version');
  storedCodec.encode(w, {
    outbound: valuesOf(state.outbound, paymentIdKey, 'payment id'),
    inbound: valuesOf(state.inbound, paymentHashKey, 'payment hash'),
    outgoingHtlcs: valuesOf(state.outgoingHtlcs, htlcKey, 'outgoing htlc'),
    pendingHtlcs: state.pendingHtlcs,
    forwardableSignalled: state.forwardableSignalled,
    highestSeenTimestamp: state.highestSeenTimestamp,
  });
  return w.finish();
}

/**
 * Reads what `encodePaymentState` wrote. Any malformed input (another version, a short read, an
 * unknown even field, a missing required field, a value out of range, a repeated map key)
 * throws `DecodeError` and nothing else; unknown odd fields are skipped.
 */
export function decodePaymentState(bytes: Uint8Array): PaymentState {
  const r = new WireReader(bytes);
  const version = r.u8('version');
  if (version !== PAYMENT_STATE_VERSION) {
    throw new DecodeError(`payment state: unknown version ${version}`);
  }
  const stored = storedCodec.decode(r);
  return {
    outbound: toMap(stored.outbound, paymentIdKey, 'payment id'),
    inbound: toMap(stored.inbound, paymentHashKey, 'payment hash'),
    outgoingHtlcs: toMap(stored.outgoingHtlcs, htlcKey, 'outgoing htlc'),
    pendingHtlcs: [...stored.pendingHtlcs],
    forwardableSignalled: stored.forwardableSignalled,
    highestSeenTimestamp: stored.highestSeenTimestamp,
  };
}
