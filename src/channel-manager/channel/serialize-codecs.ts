/**
 * Codecs for the parts of a `ChannelState` (`serialize.ts` assembles them): channel parameters,
 * commitment specs and commitments, the update log (as the wire messages themselves), and the
 * events held for a monitor update. Every struct is a TLV stream (`structCodec`), so fields can
 * be added later with new odd types without breaking old readers.
 */
import { persistCodecs, pubkeysCodec } from '../../chain/channel-monitor-update-steps.js';
import { listCodec, structCodec } from '../../wire/tlv-struct.js';
import { fromHex, toHex } from '../../util/bytes.js';
import { DecodeError } from '../../util/errors.js';
import {
  decodeMessage,
  encodeMessage,
  isUnknownMessage,
  type Message,
} from '../../wire/message.js';
import type { TlvCodec } from '../../wire/tlv.js';
import type { ChannelEvent, ClosureKind } from './events.js';
import type {
  ClosingNegotiation,
  CommitmentSpec,
  CounterpartyCommitment,
  FundingInfo,
  HolderCommitment,
  HtlcRefusal,
  PendingRevocation,
  SideParams,
  SpecHtlc,
  UpdateLog,
  UpdateMessage,
} from './state.js';

const c = persistCodecs;

/** A wire message with its type, as `encodeMessage` writes it. */
export const messageCodec: TlvCodec<Message> = {
  decode: (r) => {
    const m = decodeMessage(r.rest());
    if (isUnknownMessage(m)) throw new DecodeError(`stored message: unknown type ${m.type}`);
    return m;
  },
  encode: (w, m) => w.bytes(encodeMessage(m)),
};

const UPDATE_TYPES = new Set([
  'update_add_htlc',
  'update_fulfill_htlc',
  'update_fail_htlc',
  'update_fail_malformed_htlc',
  'update_fee',
]);

const updateCodec: TlvCodec<UpdateMessage> = {
  decode: (r) => {
    const m = messageCodec.decode(r);
    if (!UPDATE_TYPES.has(m.type)) throw new DecodeError(`update log: ${m.type} is not an update`);
    return m as UpdateMessage;
  },
  encode: (w, m) => {
    messageCodec.encode(w, m);
  },
};

/** A list decoded into a mutable array, for the state's own lists. */
export function mutableList<T>(codec: TlvCodec<readonly T[]>): TlvCodec<T[]> {
  return {
    decode: (r) => [...codec.decode(r)],
    encode: (w, v) => {
      codec.encode(w, v);
    },
  };
}

const updatesCodec = mutableList(listCodec(updateCodec, 'updates'));
export const messagesCodec: TlvCodec<Message[]> = mutableList(listCodec(messageCodec, 'messages'));

/** Lowercase hex of any length as its bytes. */
const hexCodec: TlvCodec<string> = {
  decode: (r) => toHex(r.rest()),
  encode: (w, v) => w.bytes(fromHex(v)),
};

/** ASCII text as its bytes (our reasons and phases are ASCII). */
export const textCodec: TlvCodec<string> = {
  decode: (r) => String.fromCharCode(...r.rest()),
  encode: (w, v) => w.bytes(Uint8Array.from(v, (ch) => ch.charCodeAt(0) & 0x7f)),
};

/** A value from a fixed list, as its index. */
export function enumCodec<T extends string>(values: readonly T[], what: string): TlvCodec<T> {
  return {
    decode: (r) => {
      const i = r.u8(what);
      const v = values[i];
      if (v === undefined) throw new DecodeError(`${what}: unknown value ${i}`);
      return v;
    },
    encode: (w, v) => w.u8(values.indexOf(v), what),
  };
}

export const sideParamsCodec: TlvCodec<SideParams> = structCodec<SideParams>(
  'side_params',
  {
    dustLimitSat: { type: 0n, codec: c.u64 },
    maxHtlcValueInFlightMsat: { type: 2n, codec: c.u64 },
    channelReserveSat: { type: 4n, codec: c.u64 },
    htlcMinimumMsat: { type: 6n, codec: c.u64 },
    toSelfDelay: { type: 8n, codec: c.u16 },
    maxAcceptedHtlcs: { type: 10n, codec: c.u16 },
    pubkeys: { type: 12n, codec: pubkeysCodec },
    upfrontShutdownScript: { type: 14n, codec: c.bytes },
  },
  [
    'dustLimitSat',
    'maxHtlcValueInFlightMsat',
    'channelReserveSat',
    'htlcMinimumMsat',
    'toSelfDelay',
    'maxAcceptedHtlcs',
    'pubkeys',
    'upfrontShutdownScript',
  ],
);

const specHtlcCodec = structCodec<SpecHtlc>(
  'spec_htlc',
  {
    direction: { type: 0n, codec: enumCodec(['offered', 'received'] as const, 'direction') },
    id: { type: 2n, codec: c.u64 },
    amountMsat: { type: 4n, codec: c.u64 },
    paymentHash: { type: 6n, codec: c.bytes32 },
    cltvExpiry: { type: 8n, codec: c.u32 },
  },
  ['direction', 'id', 'amountMsat', 'paymentHash', 'cltvExpiry'],
);

/** A spec's balances are never negative once committed, so u64 fits them. */
const specCodec = structCodec<CommitmentSpec>(
  'commitment_spec',
  {
    htlcs: { type: 0n, codec: listCodec(specHtlcCodec, 'spec htlcs') },
    toHolderMsat: { type: 2n, codec: c.u64 },
    toCounterpartyMsat: { type: 4n, codec: c.u64 },
    feerateSatPerKw: { type: 6n, codec: c.u32 },
  },
  ['htlcs', 'toHolderMsat', 'toCounterpartyMsat', 'feerateSatPerKw'],
);

export const holderCommitmentCodec: TlvCodec<HolderCommitment> = structCodec<HolderCommitment>(
  'holder_commitment',
  {
    commitmentNumber: { type: 0n, codec: c.safeInt },
    spec: { type: 2n, codec: specCodec },
    txid: { type: 4n, codec: c.bytes32 },
    counterpartySignature: { type: 6n, codec: c.bytes },
    counterpartyHtlcSignatures: { type: 8n, codec: listCodec(c.bytes, 'htlc signatures') },
  },
  ['commitmentNumber', 'spec', 'txid', 'counterpartySignature', 'counterpartyHtlcSignatures'],
);

export const counterpartyCommitmentCodec: TlvCodec<CounterpartyCommitment> =
  structCodec<CounterpartyCommitment>(
    'counterparty_commitment',
    {
      commitmentNumber: { type: 0n, codec: c.safeInt },
      perCommitmentPoint: { type: 2n, codec: c.point },
      spec: { type: 4n, codec: specCodec },
      txid: { type: 6n, codec: c.bytes32 },
    },
    ['commitmentNumber', 'perCommitmentPoint', 'spec', 'txid'],
  );

export const pendingRevocationCodec: TlvCodec<PendingRevocation> = structCodec<PendingRevocation>(
  'pending_revocation',
  {
    commitment: { type: 0n, codec: counterpartyCommitmentCodec },
    sentAfterHolderCommitmentNumber: { type: 2n, codec: c.safeInt },
  },
  ['commitment', 'sentAfterHolderCommitmentNumber'],
);

export const fundingCodec: TlvCodec<FundingInfo> = structCodec<FundingInfo>(
  'funding',
  {
    txid: { type: 0n, codec: c.bytes32 },
    outputIndex: { type: 2n, codec: c.u16 },
    tx: { type: 4n, codec: c.bytes },
    confirmationHeight: { type: 6n, codec: c.u32 },
  },
  ['txid', 'outputIndex'],
);

export const updateLogCodec: TlvCodec<UpdateLog> = structCodec<UpdateLog>(
  'update_log',
  {
    ourProposed: { type: 0n, codec: updatesCodec },
    ourSigned: { type: 2n, codec: updatesCodec },
    ourAcked: { type: 4n, codec: updatesCodec },
    theirProposed: { type: 6n, codec: updatesCodec },
    theirAcked: { type: 8n, codec: updatesCodec },
    theirSigned: { type: 10n, codec: updatesCodec },
  },
  ['ourProposed', 'ourSigned', 'ourAcked', 'theirProposed', 'theirAcked', 'theirSigned'],
);

const refusalCodec = enumCodec<HtlcRefusal>(
  ['dust_exposure', 'fee_spike_buffer', 'shutting_down'],
  'refusal',
);

export const refusedHtlcsCodec: TlvCodec<{ readonly id: bigint; readonly refusal: HtlcRefusal }[]> =
  mutableList(
    listCodec(
      structCodec<{ readonly id: bigint; readonly refusal: HtlcRefusal }>(
        'refused_htlc',
        { id: { type: 0n, codec: c.u64 }, refusal: { type: 2n, codec: refusalCodec } },
        ['id', 'refusal'],
      ),
      'refused htlcs',
    ),
  );

export const closingCodec: TlvCodec<ClosingNegotiation> = structCodec<ClosingNegotiation>(
  'closing',
  {
    ourMinFeeSat: { type: 0n, codec: c.u64 },
    ourMaxFeeSat: { type: 2n, codec: c.u64 },
    lastSentFeeSat: { type: 4n, codec: c.u64 },
    lastReceivedFeeSat: { type: 6n, codec: c.u64 },
  },
  ['ourMinFeeSat', 'ourMaxFeeSat'],
);

// Events, one struct per variant behind a u8 tag.
type Body<T extends ChannelEvent['type']> = Omit<Extract<ChannelEvent, { type: T }>, 'type'>;

const CLOSURE_KINDS: readonly ClosureKind[] = [
  'CooperativeClosure',
  'HolderForceClosed',
  'CounterpartyForceClosed',
  'FundingAborted',
  'DataLossProven',
];

const eventBodies: { readonly [K in ChannelEvent['type']]: TlvCodec<Body<K>> } = {
  FundingGenerationReady: structCodec<Body<'FundingGenerationReady'>>(
    'ev_funding_generation_ready',
    {
      temporaryChannelId: { type: 0n, codec: hexCodec },
      userChannelId: { type: 2n, codec: c.u128 },
      fundingValueSat: { type: 4n, codec: c.u64 },
      outputScript: { type: 6n, codec: c.bytes },
    },
    ['temporaryChannelId', 'userChannelId', 'fundingValueSat', 'outputScript'],
  ),
  FundingTxBroadcastSafe: structCodec<Body<'FundingTxBroadcastSafe'>>(
    'ev_funding_tx_broadcast_safe',
    { channelId: { type: 0n, codec: hexCodec }, fundingTx: { type: 2n, codec: c.bytes } },
    ['channelId', 'fundingTx'],
  ),
  ChannelPending: structCodec<Body<'ChannelPending'>>(
    'ev_channel_pending',
    {
      channelId: { type: 0n, codec: hexCodec },
      fundingTxid: { type: 2n, codec: hexCodec },
      fundingOutputIndex: { type: 4n, codec: c.u16 },
    },
    ['channelId', 'fundingTxid', 'fundingOutputIndex'],
  ),
  ChannelReady: structCodec<Body<'ChannelReady'>>(
    'ev_channel_ready',
    {
      channelId: { type: 0n, codec: hexCodec },
      shortChannelId: { type: 2n, codec: c.u64 },
      ourAlias: { type: 4n, codec: c.u64 },
      theirAlias: { type: 6n, codec: c.u64 },
    },
    ['channelId'],
  ),
  HtlcReceived: structCodec<Body<'HtlcReceived'>>(
    'ev_htlc_received',
    {
      channelId: { type: 0n, codec: hexCodec },
      htlcId: { type: 2n, codec: c.u64 },
      amountMsat: { type: 4n, codec: c.u64 },
      paymentHash: { type: 6n, codec: c.bytes32 },
      cltvExpiry: { type: 8n, codec: c.u32 },
      onionRoutingPacket: { type: 10n, codec: c.bytes },
      pathKey: { type: 12n, codec: c.point },
      refusal: { type: 14n, codec: refusalCodec },
    },
    ['channelId', 'htlcId', 'amountMsat', 'paymentHash', 'cltvExpiry', 'onionRoutingPacket'],
  ),
  HtlcFulfilled: structCodec<Body<'HtlcFulfilled'>>(
    'ev_htlc_fulfilled',
    {
      channelId: { type: 0n, codec: hexCodec },
      htlcId: { type: 2n, codec: c.u64 },
      amountMsat: { type: 4n, codec: c.u64 },
      paymentHash: { type: 6n, codec: c.bytes32 },
      paymentPreimage: { type: 8n, codec: c.bytes32 },
    },
    ['channelId', 'htlcId', 'amountMsat', 'paymentHash', 'paymentPreimage'],
  ),
  HtlcFailed: structCodec<Body<'HtlcFailed'>>(
    'ev_htlc_failed',
    {
      channelId: { type: 0n, codec: hexCodec },
      htlcId: { type: 2n, codec: c.u64 },
      amountMsat: { type: 4n, codec: c.u64 },
      paymentHash: { type: 6n, codec: c.bytes32 },
      reason: { type: 8n, codec: c.bytes },
      malformed: {
        type: 10n,
        codec: structCodec<{ readonly sha256OfOnion: Uint8Array; readonly failureCode: number }>(
          'malformed',
          {
            sha256OfOnion: { type: 0n, codec: c.bytes32 },
            failureCode: { type: 2n, codec: c.u16 },
          },
          ['sha256OfOnion', 'failureCode'],
        ),
      },
    },
    ['channelId', 'htlcId', 'amountMsat', 'paymentHash'],
  ),
  ClosingTxReady: structCodec<Body<'ClosingTxReady'>>(
    'ev_closing_tx_ready',
    { channelId: { type: 0n, codec: hexCodec }, closingTx: { type: 2n, codec: c.bytes } },
    ['channelId', 'closingTx'],
  ),
  ChannelClosed: structCodec<Body<'ChannelClosed'>>(
    'ev_channel_closed',
    {
      channelId: { type: 0n, codec: hexCodec },
      kind: { type: 2n, codec: enumCodec(CLOSURE_KINDS, 'closure kind') },
      reason: { type: 4n, codec: textCodec },
    },
    ['channelId', 'kind', 'reason'],
  ),
};

const EVENT_TYPES = Object.keys(eventBodies) as ChannelEvent['type'][];

/** One event as a u8 tag (its index in the list above: never reorder) and its struct. */
export const eventCodec: TlvCodec<ChannelEvent> = {
  decode: (r) => {
    const tag = r.u8('event tag');
    const type = EVENT_TYPES[tag];
    if (type === undefined) throw new DecodeError(`event: unknown tag ${tag}`);
    const body = (eventBodies[type] as TlvCodec<object>).decode(r);
    return { type, ...body } as ChannelEvent;
  },
  encode: (w, e) => {
    w.u8(EVENT_TYPES.indexOf(e.type), 'event tag');
    const { type: _type, ...body } = e;
    (eventBodies[e.type] as TlvCodec<object>).encode(w, body);
  },
};

export const eventsCodec: TlvCodec<ChannelEvent[]> = mutableList(listCodec(eventCodec, 'events'));
