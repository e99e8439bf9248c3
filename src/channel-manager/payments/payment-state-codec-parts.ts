/**
 * Building blocks of the persisted payment state (`payment-state-codec.ts` assembles them): a
 * struct codec that restores `| undefined` fields as present-but-undefined, a tagged-union codec
 * (a u8 tag, then the variant's struct), hex id codecs, and the records shared by outbound
 * payments and HTLC sources: routes, route parameters, retries, HTLC sources and claimable HTLCs.
 *
 * Every struct is a TLV stream (BOLT 1 "Type-Length-Value Format"): required fields take even
 * types and optional ones odd types, so a later version can add odd fields that this one skips,
 * while an unknown even field (something this version cannot safely ignore) is a `DecodeError`.
 * Type numbers and tag lists are part of the stored format: never renumber or reorder them,
 * only append.
 */
import type { PaymentFailureReason } from '../../events/payment-events.js';
import { persistCodecs } from '../../chain/channel-monitor-update-steps.js';
import type {
  Path,
  PaymentParameters,
  RouteHintHop,
  RouteHop,
  RouteParameters,
} from '../../routing/route.js';
import { fromHex, toHex } from '../../util/bytes.js';
import { APIMisuseError, DecodeError } from '../../util/errors.js';
import type { TlvCodec, TlvSchema } from '../../wire/tlv.js';
import { listCodec, structCodec } from '../../wire/tlv-struct.js';
import type {
  ClaimableHtlc,
  HtlcSource,
  OutboundPart,
  OutboundStatus,
  Retry,
} from './payment-state.js';

const c = persistCodecs;

/**
 * A struct whose `absent` keys are typed `T | undefined` (not `?`): the decoded object carries
 * them as `undefined` when their record is missing, so it has the same shape as the one encoded.
 */
export function struct<V extends object>(
  name: string,
  schema: TlvSchema<Partial<V>>,
  required: readonly (keyof V)[],
  absent: readonly (keyof V)[] = [],
): TlvCodec<V> {
  const inner = structCodec<V>(name, schema, required);
  return {
    decode: (r) => {
      const v = inner.decode(r) as Record<string, unknown>;
      for (const key of absent) {
        const k = key as string;
        if (!(k in v)) v[k] = undefined;
      }
      return v as V;
    },
    encode: inner.encode,
  };
}

/** The fields of the variant of `U` whose `K` is `T`, without the tag itself. */
export type VariantBody<U, K extends keyof U, T> = Omit<Extract<U, Record<K, T>>, K>;

/**
 * A union discriminated by the string `key`: a u8 tag (the variant's index in `tags`), then the
 * variant's struct. The body codecs only read their own schema keys, so the tag field is
 * ignored when encoding and put back when decoding.
 */
export function taggedCodec<U extends Record<K, string>, K extends keyof U & string>(
  what: string,
  key: K,
  tags: readonly U[K][],
  bodies: { readonly [T in U[K]]: TlvCodec<VariantBody<U, K, T>> },
): TlvCodec<U> {
  return {
    decode: (r) => {
      const i = r.u8(`${what} tag`);
      const tag = tags[i];
      if (tag === undefined) throw new DecodeError(`${what}: unknown tag ${i}`);
      const body = (bodies[tag] as TlvCodec<object>).decode(r);
      return { [key]: tag, ...body } as unknown as U;
    },
    encode: (w, v) => {
      const tag = v[key];
      const i = tags.indexOf(tag);
      if (i < 0) throw new APIMisuseError(`${what}: unknown ${key} ${tag}`);
      w.u8(i, `${what} tag`);
      (bodies[tag] as TlvCodec<object>).encode(w, v);
    },
  };
}

/**
 * A lowercase hex id stored as its bytes through `codec`. Upper-case hex is refused when
 * encoding: it would come back lowercase, under another map key.
 */
function hexCodec(codec: TlvCodec<Uint8Array>, length: number, what: string): TlvCodec<string> {
  return {
    decode: (r) => toHex(codec.decode(r)),
    encode: (w, v) => {
      if (typeof v !== 'string' || v.length !== length * 2 || !/^[0-9a-f]*$/.test(v)) {
        throw new APIMisuseError(`${what}: expected ${length} bytes as lowercase hex`);
      }
      codec.encode(w, fromHex(v, length, what));
    },
  };
}

/** A channel id (32 bytes). */
export const channelIdCodec: TlvCodec<string> = hexCodec(c.bytes32, 32, 'channel id');
/** A node id (a 33-byte compressed point, prefix-checked). */
export const nodeIdCodec: TlvCodec<string> = hexCodec(c.point, 33, 'node id');

/**
 * A string union stored as a u8: `indices` gives each value its stored number. Being a record
 * over the whole union, it fails to compile when a value is added without a number, instead of
 * failing at the first encode. Numbers are part of the format: never reuse one.
 */
export function indexedEnumCodec<T extends string>(
  indices: { readonly [K in T]: number },
  what: string,
): TlvCodec<T> {
  const byIndex = new Map<number, T>();
  for (const [v, i] of Object.entries(indices) as [T, number][]) byIndex.set(i, v);
  return {
    decode: (r) => {
      const i = r.u8(what);
      const v = byIndex.get(i);
      if (v === undefined) throw new DecodeError(`${what}: unknown value ${i}`);
      return v;
    },
    encode: (w, v) => {
      const i = Object.hasOwn(indices, v) ? indices[v] : undefined;
      if (i === undefined) throw new APIMisuseError(`${what}: unknown value ${v}`);
      w.u8(i, what);
    },
  };
}

export const failureReasonCodec: TlvCodec<PaymentFailureReason> =
  indexedEnumCodec<PaymentFailureReason>(
    {
      RecipientRejected: 0,
      UserAbandoned: 1,
      RetriesExhausted: 2,
      PaymentExpired: 3,
      RouteNotFound: 4,
      UnexpectedError: 5,
    },
    'payment failure reason',
  );

export const outboundStatusCodec: TlvCodec<OutboundStatus> = indexedEnumCodec<OutboundStatus>(
  { Pending: 0, Fulfilled: 1, Abandoned: 2 },
  'outbound status',
);

export const partStatusCodec: TlvCodec<OutboundPart['status']> = indexedEnumCodec<
  OutboundPart['status']
>({ inflight: 0, fulfilled: 1, failed: 2 }, 'part status');

// Routes ---------------------------------------------------------------------------------------

const routeHopCodec = struct<RouteHop>(
  'route_hop',
  {
    pubkey: { type: 0n, codec: nodeIdCodec },
    shortChannelId: { type: 2n, codec: c.u64 },
    feeMsat: { type: 4n, codec: c.u64 },
    cltvExpiryDelta: { type: 6n, codec: c.u32 },
  },
  ['pubkey', 'shortChannelId', 'feeMsat', 'cltvExpiryDelta'],
);

export const pathCodec: TlvCodec<Path> = struct<Path>(
  'path',
  { hops: { type: 0n, codec: listCodec(routeHopCodec, 'route hops') } },
  ['hops'],
);

const routeHintHopCodec = struct<RouteHintHop>(
  'route_hint_hop',
  {
    srcNodeId: { type: 0n, codec: nodeIdCodec },
    shortChannelId: { type: 2n, codec: c.u64 },
    feeBaseMsat: { type: 4n, codec: c.u32 },
    feeProportionalMillionths: { type: 6n, codec: c.u32 },
    cltvExpiryDelta: { type: 8n, codec: c.u32 },
    htlcMinimumMsat: { type: 9n, codec: c.u64 },
    htlcMaximumMsat: { type: 11n, codec: c.u64 },
  },
  ['srcNodeId', 'shortChannelId', 'feeBaseMsat', 'feeProportionalMillionths', 'cltvExpiryDelta'],
);

const paymentParamsCodec = struct<PaymentParameters>(
  'payment_params',
  {
    payeeNodeId: { type: 0n, codec: nodeIdCodec },
    routeHints: {
      type: 2n,
      codec: listCodec(listCodec(routeHintHopCodec, 'route hint hops'), 'route hints'),
    },
    finalCltvExpiryDelta: { type: 4n, codec: c.u32 },
    allowMpp: { type: 6n, codec: c.bool },
    maxTotalCltvExpiryDelta: { type: 8n, codec: c.u32 },
    maxPathCount: { type: 10n, codec: c.u32 },
    previouslyFailedChannels: { type: 12n, codec: listCodec(c.u64, 'failed channels') },
    // Seconds since 1970 can pass 2^32 (BOLT 11 timestamps are 35 bits): a u64.
    expiryTimeSeconds: { type: 13n, codec: c.safeInt },
  },
  [
    'payeeNodeId',
    'routeHints',
    'finalCltvExpiryDelta',
    'allowMpp',
    'maxTotalCltvExpiryDelta',
    'maxPathCount',
    'previouslyFailedChannels',
  ],
);

export const routeParamsCodec: TlvCodec<RouteParameters> = struct<RouteParameters>(
  'route_params',
  {
    paymentParams: { type: 0n, codec: paymentParamsCodec },
    finalValueMsat: { type: 2n, codec: c.u64 },
    maxTotalRoutingFeeMsat: { type: 3n, codec: c.u64 },
  },
  ['paymentParams', 'finalValueMsat'],
);

export const retryCodec: TlvCodec<Retry> = taggedCodec<Retry, 'type'>(
  'retry',
  'type',
  ['Attempts', 'Timeout'],
  {
    Attempts: struct('retry_attempts', { count: { type: 0n, codec: c.u32 } }, ['count']),
    Timeout: struct('retry_timeout', { seconds: { type: 0n, codec: c.u32 } }, ['seconds']),
  },
);

// HTLCs ----------------------------------------------------------------------------------------

export const htlcSourceCodec: TlvCodec<HtlcSource> = taggedCodec<HtlcSource, 'kind'>(
  'htlc source',
  'kind',
  ['outbound', 'forward'],
  {
    outbound: struct<VariantBody<HtlcSource, 'kind', 'outbound'>>(
      'htlc_source_outbound',
      {
        paymentId: { type: 0n, codec: c.bytes32 },
        partId: { type: 2n, codec: c.u32 },
        sessionKey: { type: 4n, codec: c.bytes32 },
        path: { type: 6n, codec: pathCodec },
      },
      ['paymentId', 'partId', 'sessionKey', 'path'],
    ),
    forward: struct<VariantBody<HtlcSource, 'kind', 'forward'>>(
      'htlc_source_forward',
      {
        prevChannelId: { type: 0n, codec: channelIdCodec },
        prevCounterpartyNodeId: { type: 2n, codec: nodeIdCodec },
        prevHtlcId: { type: 4n, codec: c.u64 },
        sharedSecret: { type: 6n, codec: c.bytes32 },
        incomingAmountMsat: { type: 8n, codec: c.u64 },
        blinded: { type: 10n, codec: c.bool },
      },
      [
        'prevChannelId',
        'prevCounterpartyNodeId',
        'prevHtlcId',
        'sharedSecret',
        'incomingAmountMsat',
        'blinded',
      ],
    ),
  },
);

export const claimableHtlcCodec: TlvCodec<ClaimableHtlc> = struct<ClaimableHtlc>(
  'claimable_htlc',
  {
    channelId: { type: 0n, codec: channelIdCodec },
    counterpartyNodeId: { type: 2n, codec: nodeIdCodec },
    userChannelId: { type: 4n, codec: c.u128 },
    htlcId: { type: 6n, codec: c.u64 },
    amountMsat: { type: 8n, codec: c.u64 },
    cltvExpiry: { type: 10n, codec: c.u32 },
    totalMsat: { type: 12n, codec: c.u64 },
    sharedSecret: { type: 14n, codec: c.bytes32 },
    blinded: { type: 16n, codec: c.bool },
  },
  [
    'channelId',
    'counterpartyNodeId',
    'userChannelId',
    'htlcId',
    'amountMsat',
    'cltvExpiry',
    'totalMsat',
    'sharedSecret',
    'blinded',
  ],
);
