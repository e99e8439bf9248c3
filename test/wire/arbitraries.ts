// fast-check arbitraries for every message boltkit decodes, shaped as the decoders return them
// (optional TLV fields absent rather than undefined, `unknownOddTlvs` only when non-empty).
import fc from 'fast-check';
import type { NetAddress } from '../../src/wire/address.js';
import type { Message, MessageKind } from '../../src/wire/message.js';
import { ONION_PACKET_LENGTH } from '../../src/wire/messages/commitment.js';
import type { TlvRecord } from '../../src/wire/tlv.js';

const MAX_U64 = (1n << 64n) - 1n;

export const bytes = (n: number): fc.Arbitrary<Uint8Array> =>
  fc.uint8Array({ minLength: n, maxLength: n });
export const varBytes = (max = 80): fc.Arbitrary<Uint8Array> => fc.uint8Array({ maxLength: max });
const b32 = bytes(32);
const sig = bytes(64);
export const point = fc
  .tuple(fc.constantFrom(2, 3), bytes(32))
  .map(([p, x]) => Uint8Array.from([p, ...x]));
const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const u64 = fc.bigInt({ min: 0n, max: MAX_U64 });
const scid = u64;

/** Odd TLV types above every known type of every stream (the largest known is 5). */
const unknownOddTlvs: fc.Arbitrary<TlvRecord[]> = fc
  .uniqueArray(fc.bigInt({ min: 3n, max: MAX_U64 >> 1n }), { minLength: 1, maxLength: 3 })
  .chain((halves) =>
    fc.tuple(...halves.map(() => varBytes(20))).map((values) =>
      halves
        .map((h) => h * 2n + 1n)
        .sort((a, b) => (a < b ? -1 : 1))
        .map((type, i) => ({ type, value: values[i]! })),
    ),
  );

/** A record of required fields plus optional ones, the optional ones sometimes absent. */
function msg(
  type: string,
  required: Record<string, fc.Arbitrary<unknown>>,
  optional: Record<string, fc.Arbitrary<unknown>> = {},
): fc.Arbitrary<Message> {
  const model: Record<string, fc.Arbitrary<unknown>> = { ...required, ...optional, unknownOddTlvs };
  return fc
    .record(model, { requiredKeys: Object.keys(required) })
    .map((m) => ({ type, ...m }) as unknown as Message);
}

const hostname = fc.string({ unit: 'binary-ascii', maxLength: 255 });
const knownAddress: fc.Arbitrary<NetAddress> = fc.oneof(
  fc.record({ type: fc.constant('ipv4' as const), addr: bytes(4), port: u16 }),
  fc.record({ type: fc.constant('ipv6' as const), addr: bytes(16), port: u16 }),
  fc.record({ type: fc.constant('torv2' as const), addr: bytes(10), port: u16 }),
  fc.record({ type: fc.constant('torv3' as const), addr: bytes(35), port: u16 }),
  fc.record({ type: fc.constant('dns' as const), hostname, port: u16 }),
);
const unknownAddress: fc.Arbitrary<NetAddress> = fc.record({
  type: fc.constant('unknown' as const),
  descriptorType: fc.oneof(fc.constant(0), fc.integer({ min: 6, max: 255 })),
  data: varBytes(40),
});
export const addresses: fc.Arbitrary<NetAddress[]> = fc
  .tuple(fc.array(knownAddress, { maxLength: 4 }), fc.option(unknownAddress, { nil: undefined }))
  .map(([known, unknown]) => (unknown === undefined ? known : [...known, unknown]));

const features = varBytes(8);

export const messageArbitraries: { readonly [K in MessageKind]: fc.Arbitrary<Message> } = {
  init: msg(
    'init',
    { globalFeatures: varBytes(2), features },
    {
      networks: fc.array(b32, { maxLength: 3 }),
      remoteAddr: fc.oneof(knownAddress, unknownAddress),
    },
  ),
  error: msg('error', { channelId: b32, data: varBytes() }),
  warning: msg('warning', { channelId: b32, data: varBytes() }),
  ping: msg('ping', { numPongBytes: u16, ignored: varBytes() }),
  pong: msg('pong', { ignored: varBytes() }),
  open_channel: msg(
    'open_channel',
    {
      chainHash: b32,
      temporaryChannelId: b32,
      fundingSatoshis: u64,
      pushMsat: u64,
      dustLimitSatoshis: u64,
      maxHtlcValueInFlightMsat: u64,
      channelReserveSatoshis: u64,
      htlcMinimumMsat: u64,
      feerateSatPerKw: u32,
      toSelfDelay: u16,
      maxAcceptedHtlcs: u16,
      fundingPubkey: point,
      revocationBasepoint: point,
      paymentBasepoint: point,
      delayedPaymentBasepoint: point,
      htlcBasepoint: point,
      firstPerCommitmentPoint: point,
      channelFlags: u8,
    },
    { upfrontShutdownScript: varBytes(34), channelType: features },
  ),
  accept_channel: msg(
    'accept_channel',
    {
      temporaryChannelId: b32,
      dustLimitSatoshis: u64,
      maxHtlcValueInFlightMsat: u64,
      channelReserveSatoshis: u64,
      htlcMinimumMsat: u64,
      minimumDepth: u32,
      toSelfDelay: u16,
      maxAcceptedHtlcs: u16,
      fundingPubkey: point,
      revocationBasepoint: point,
      paymentBasepoint: point,
      delayedPaymentBasepoint: point,
      htlcBasepoint: point,
      firstPerCommitmentPoint: point,
    },
    { upfrontShutdownScript: varBytes(34), channelType: features },
  ),
  funding_created: msg('funding_created', {
    temporaryChannelId: b32,
    fundingTxid: b32,
    fundingOutputIndex: u16,
    signature: sig,
  }),
  funding_signed: msg('funding_signed', { channelId: b32, signature: sig }),
  channel_ready: msg(
    'channel_ready',
    { channelId: b32, secondPerCommitmentPoint: point },
    { shortChannelIdAlias: scid },
  ),
  shutdown: msg('shutdown', { channelId: b32, scriptpubkey: varBytes(42) }),
  closing_signed: msg(
    'closing_signed',
    { channelId: b32, feeSatoshis: u64, signature: sig },
    { feeRange: fc.record({ minFeeSatoshis: u64, maxFeeSatoshis: u64 }) },
  ),
  update_add_htlc: msg(
    'update_add_htlc',
    {
      channelId: b32,
      id: u64,
      amountMsat: u64,
      paymentHash: b32,
      cltvExpiry: u32,
      // Expanded from 32 random bytes: generating 1366 independent bytes is slow and adds nothing.
      onionRoutingPacket: b32.map((seed) =>
        Uint8Array.from({ length: ONION_PACKET_LENGTH }, (_, i) => seed[i % 32]! ^ (i & 0xff)),
      ),
    },
    { pathKey: point },
  ),
  update_fulfill_htlc: msg('update_fulfill_htlc', {
    channelId: b32,
    id: u64,
    paymentPreimage: b32,
  }),
  update_fail_htlc: msg('update_fail_htlc', { channelId: b32, id: u64, reason: varBytes(300) }),
  update_fail_malformed_htlc: msg('update_fail_malformed_htlc', {
    channelId: b32,
    id: u64,
    sha256OfOnion: b32,
    failureCode: u16,
  }),
  commitment_signed: msg('commitment_signed', {
    channelId: b32,
    signature: sig,
    htlcSignatures: fc.array(sig, { maxLength: 5 }),
  }),
  revoke_and_ack: msg('revoke_and_ack', {
    channelId: b32,
    perCommitmentSecret: b32,
    nextPerCommitmentPoint: point,
  }),
  update_fee: msg('update_fee', { channelId: b32, feerateSatPerKw: u32 }),
  channel_reestablish: msg(
    'channel_reestablish',
    {
      channelId: b32,
      nextCommitmentNumber: u64,
      nextRevocationNumber: u64,
      yourLastPerCommitmentSecret: b32,
      myCurrentPerCommitmentPoint: point,
    },
    {
      nextFunding: fc.record({ txid: b32, retransmitFlags: u8 }),
      myCurrentFundingLocked: fc.record({ txid: b32, retransmitFlags: u8 }),
    },
  ),
  channel_announcement: msg('channel_announcement', {
    nodeSignature1: sig,
    nodeSignature2: sig,
    bitcoinSignature1: sig,
    bitcoinSignature2: sig,
    features,
    chainHash: b32,
    shortChannelId: scid,
    nodeId1: point,
    nodeId2: point,
    bitcoinKey1: point,
    bitcoinKey2: point,
  }),
  node_announcement: msg('node_announcement', {
    signature: sig,
    features,
    timestamp: u32,
    nodeId: point,
    rgbColor: bytes(3),
    alias: b32,
    addresses,
  }),
  channel_update: msg('channel_update', {
    signature: sig,
    chainHash: b32,
    shortChannelId: scid,
    timestamp: u32,
    messageFlags: u8,
    channelFlags: u8,
    cltvExpiryDelta: u16,
    htlcMinimumMsat: u64,
    feeBaseMsat: u32,
    feeProportionalMillionths: u32,
    htlcMaximumMsat: u64,
  }),
  announcement_signatures: msg('announcement_signatures', {
    channelId: b32,
    shortChannelId: scid,
    nodeSignature: sig,
    bitcoinSignature: sig,
  }),
  query_short_channel_ids: msg(
    'query_short_channel_ids',
    { chainHash: b32, shortChannelIds: fc.array(scid, { maxLength: 6 }) },
    { queryFlags: fc.array(u64, { maxLength: 6 }) },
  ),
  reply_short_channel_ids_end: msg('reply_short_channel_ids_end', {
    chainHash: b32,
    fullInformation: u8,
  }),
  query_channel_range: msg(
    'query_channel_range',
    { chainHash: b32, firstBlocknum: u32, numberOfBlocks: u32 },
    { queryOptionFlags: u64 },
  ),
  reply_channel_range: msg(
    'reply_channel_range',
    {
      chainHash: b32,
      firstBlocknum: u32,
      numberOfBlocks: u32,
      syncComplete: u8,
      shortChannelIds: fc.array(scid, { maxLength: 6 }),
    },
    {
      timestamps: fc.array(fc.record({ timestampNodeId1: u32, timestampNodeId2: u32 }), {
        maxLength: 4,
      }),
      checksums: fc.array(fc.record({ checksumNodeId1: u32, checksumNodeId2: u32 }), {
        maxLength: 4,
      }),
    },
  ),
  gossip_timestamp_filter: msg('gossip_timestamp_filter', {
    chainHash: b32,
    firstTimestamp: u32,
    timestampRange: u32,
  }),
};

/** Any decodable message. */
export const anyMessage: fc.Arbitrary<Message> = fc.oneof(...Object.values(messageArbitraries));
