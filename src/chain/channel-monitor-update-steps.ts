/**
 * The steps of a `ChannelMonitorUpdate` (LDK's `ChannelMonitorUpdateStep`): each records one
 * fact the on-chain monitor needs to enforce the channel without the `ChannelManager` (BOLT 5):
 * which commitment we may broadcast and with what signatures, which commitments the peer may
 * broadcast and what we can claim from them, the secrets that let us punish a revoked one, the
 * preimages that let us claim HTLCs, and whether we may broadcast at all.
 *
 * The channel layer (`src/channel-manager/channel/`) produces them; update 0 of a channel holds
 * `ChannelSetup` plus both first commitments and creates the monitor. Every step serializes to
 * bytes (a u16 tag, then a TLV stream of its fields), so monitors and their updates persist and
 * gain fields without breaking old readers.
 */
import type { ChannelPublicKeys } from '../keys/channel-signer.js';
import type { ChannelType } from '../tx/channel-type.js';
import { DecodeError } from '../util/errors.js';
import { fromHex, toHex } from '../util/bytes.js';
import { WireReader } from '../wire/reader.js';
import { tlvCodecs, type TlvCodec, type TlvCodecTable } from '../wire/tlv.js';
import { WireWriter } from '../wire/writer.js';
import { listCodec, structCodec } from '../wire/tlv-struct.js';
import type { ChannelMonitorUpdate } from './watch.js';

/** One HTLC of a commitment, from our side, with what the monitor needs to claim it. */
export interface MonitorHtlc {
  /** True when we offered it. */
  readonly offered: boolean;
  readonly id: bigint;
  readonly amountMsat: bigint;
  readonly paymentHash: Uint8Array;
  readonly cltvExpiry: number;
  /** Its output in the commitment transaction, or `undefined` when trimmed to dust. */
  readonly outputIndex: number | undefined;
  /** Holder commitments only: the peer's signature on its HTLC transaction. */
  readonly counterpartySignature: Uint8Array | undefined;
}

/** The fixed facts of the channel; the first step of update 0. */
export interface ChannelSetupStep {
  readonly type: 'ChannelSetup';
  readonly channelKeysId: Uint8Array;
  readonly isOutbound: boolean;
  readonly channelType: ChannelType;
  /** Internal byte order. */
  readonly fundingTxid: Uint8Array;
  readonly fundingOutputIndex: number;
  readonly fundingValueSat: bigint;
  readonly holderPubkeys: ChannelPublicKeys;
  readonly counterpartyPubkeys: ChannelPublicKeys;
  /** Blocks our own outputs wait (the peer's `to_self_delay`). */
  readonly holderToSelfDelay: number;
  /** Blocks the peer's own outputs wait (our `to_self_delay`). */
  readonly counterpartyToSelfDelay: number;
  readonly holderDustLimitSat: bigint;
  readonly counterpartyDustLimitSat: bigint;
}

/** Our latest commitment, broadcastable with our own signature (BOLT 5 "Unilateral Close"). */
export interface LatestHolderCommitmentStep {
  readonly type: 'LatestHolderCommitment';
  readonly commitmentNumber: number;
  readonly perCommitmentPoint: Uint8Array;
  readonly feerateSatPerKw: number;
  readonly toHolderMsat: bigint;
  readonly toCounterpartyMsat: bigint;
  /** Serialized without witness. */
  readonly unsignedTx: Uint8Array;
  readonly counterpartySignature: Uint8Array;
  readonly htlcs: readonly MonitorHtlc[];
}

/** A commitment of the peer that we signed: what we may claim if it confirms. */
export interface LatestCounterpartyCommitmentStep {
  readonly type: 'LatestCounterpartyCommitment';
  readonly commitmentNumber: number;
  readonly perCommitmentPoint: Uint8Array;
  /** Internal byte order. */
  readonly txid: Uint8Array;
  readonly feerateSatPerKw: number;
  readonly toHolderMsat: bigint;
  readonly toCounterpartyMsat: bigint;
  readonly htlcs: readonly MonitorHtlc[];
}

/** The peer revoked commitment `commitmentNumber`: with this secret we punish it (BOLT 5). */
export interface CommitmentSecretStep {
  readonly type: 'CommitmentSecret';
  readonly commitmentNumber: number;
  readonly secret: Uint8Array;
}

/** A preimage we revealed or learnt: claim the HTLC on chain with it. */
export interface PaymentPreimageStep {
  readonly type: 'PaymentPreimage';
  readonly paymentPreimage: Uint8Array;
}

/** The channel failed: broadcast our latest commitment when `shouldBroadcast`. */
export interface ChannelForceClosedStep {
  readonly type: 'ChannelForceClosed';
  readonly shouldBroadcast: boolean;
}

/**
 * The peer proved our state is old (BOLT 2 `option_data_loss_protect`): never broadcast our
 * commitment (it may be revoked); wait for the peer's and sweep our `to_remote` from it.
 */
export interface AwaitingUnilateralCloseStep {
  readonly type: 'AwaitingUnilateralClose';
  /** `my_current_per_commitment_point` from the peer's `channel_reestablish`. */
  readonly counterpartyCurrentPerCommitmentPoint: Uint8Array;
}

/** Where our funds go on a mutual close (our `shutdown` script). */
export interface ShutdownScriptStep {
  readonly type: 'ShutdownScript';
  readonly scriptPubkey: Uint8Array;
}

export type ChannelMonitorUpdateStep =
  | ChannelSetupStep
  | LatestHolderCommitmentStep
  | LatestCounterpartyCommitmentStep
  | CommitmentSecretStep
  | PaymentPreimageStep
  | ChannelForceClosedStep
  | AwaitingUnilateralCloseStep
  | ShutdownScriptStep;

// ---------------------------------------------------------------------------------------------
// Codecs. Exported so the channel layer's state serialization shares them; the generic struct
// and list codecs are in src/wire/tlv-struct.ts.

/** The value codecs in `persistCodecs`, typed so declarations need no inference. */
export interface PersistCodecTable extends TlvCodecTable {
  readonly bool: TlvCodec<boolean>;
  readonly safeInt: TlvCodec<number>;
  readonly channelType: TlvCodec<ChannelType>;
  readonly u128: TlvCodec<bigint>;
}

/** Shared value codecs for persisted records. */
export const persistCodecs: PersistCodecTable = {
  ...tlvCodecs,
  /** `true` as one byte 1, `false` as 0; anything else is a `DecodeError`. */
  bool: {
    decode: (r) => {
      const b = r.u8('bool');
      if (b > 1) throw new DecodeError(`bool: expected 0 or 1, got ${b}`);
      return b === 1;
    },
    encode: (w, v) => w.u8(v ? 1 : 0),
  } satisfies TlvCodec<boolean>,
  /** A 48-bit commitment number (or any safe integer) as a u64. */
  safeInt: {
    decode: (r) => {
      const v = r.u64('integer');
      if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new DecodeError('integer: above 2^53 - 1');
      return Number(v);
    },
    encode: (w, v) => w.u64(BigInt(v)),
  } satisfies TlvCodec<number>,
  channelType: {
    decode: (r) => {
      const v = r.u8('channel type');
      if (v === 0) return 'static_remotekey';
      if (v === 1) return 'anchors_zero_fee_htlc_tx';
      throw new DecodeError(`channel type: unknown value ${v}`);
    },
    encode: (w, v) => w.u8(v === 'static_remotekey' ? 0 : 1),
  } satisfies TlvCodec<ChannelType>,
  /** A u128 as 16 bytes big-endian. */
  u128: {
    decode: (r) => {
      const hi = r.u64('u128 high');
      return (hi << 64n) | r.u64('u128 low');
    },
    encode: (w, v) => {
      w.u64(v >> 64n, 'u128 high');
      w.u64(v & 0xffffffffffffffffn, 'u128 low');
    },
  } satisfies TlvCodec<bigint>,
} as const;

/** `ChannelPublicKeys` as five points. */
export const pubkeysCodec: TlvCodec<ChannelPublicKeys> = structCodec<ChannelPublicKeys>(
  'channel_public_keys',
  {
    fundingPubkey: { type: 0n, codec: persistCodecs.point },
    revocationBasepoint: { type: 2n, codec: persistCodecs.point },
    paymentBasepoint: { type: 4n, codec: persistCodecs.point },
    delayedPaymentBasepoint: { type: 6n, codec: persistCodecs.point },
    htlcBasepoint: { type: 8n, codec: persistCodecs.point },
  },
  [
    'fundingPubkey',
    'revocationBasepoint',
    'paymentBasepoint',
    'delayedPaymentBasepoint',
    'htlcBasepoint',
  ],
);

interface MonitorHtlcRecord {
  readonly offered: boolean;
  readonly id: bigint;
  readonly amountMsat: bigint;
  readonly paymentHash: Uint8Array;
  readonly cltvExpiry: number;
  readonly outputIndex?: number;
  readonly counterpartySignature?: Uint8Array;
}

const monitorHtlcRecord = structCodec<MonitorHtlcRecord>(
  'monitor_htlc',
  {
    offered: { type: 0n, codec: persistCodecs.bool },
    id: { type: 2n, codec: persistCodecs.u64 },
    amountMsat: { type: 4n, codec: persistCodecs.u64 },
    paymentHash: { type: 6n, codec: persistCodecs.bytes32 },
    cltvExpiry: { type: 8n, codec: persistCodecs.u32 },
    outputIndex: { type: 10n, codec: persistCodecs.u32 },
    counterpartySignature: { type: 12n, codec: persistCodecs.bytes },
  },
  ['offered', 'id', 'amountMsat', 'paymentHash', 'cltvExpiry'],
);

const monitorHtlcCodec: TlvCodec<MonitorHtlc> = {
  decode: (r) => {
    const v = monitorHtlcRecord.decode(r);
    return {
      offered: v.offered,
      id: v.id,
      amountMsat: v.amountMsat,
      paymentHash: v.paymentHash,
      cltvExpiry: v.cltvExpiry,
      outputIndex: v.outputIndex,
      counterpartySignature: v.counterpartySignature,
    };
  },
  encode: (w, v) => {
    const rec: MonitorHtlcRecord = {
      offered: v.offered,
      id: v.id,
      amountMsat: v.amountMsat,
      paymentHash: v.paymentHash,
      cltvExpiry: v.cltvExpiry,
      ...(v.outputIndex === undefined ? {} : { outputIndex: v.outputIndex }),
      ...(v.counterpartySignature === undefined
        ? {}
        : { counterpartySignature: v.counterpartySignature }),
    };
    monitorHtlcRecord.encode(w, rec);
  },
};
const htlcsCodec = listCodec(monitorHtlcCodec, 'monitor htlcs');

type Body<S> = Omit<S, 'type'>;

const setupCodec = structCodec<Body<ChannelSetupStep>>(
  'channel_setup',
  {
    channelKeysId: { type: 0n, codec: persistCodecs.bytes32 },
    isOutbound: { type: 2n, codec: persistCodecs.bool },
    channelType: { type: 4n, codec: persistCodecs.channelType },
    fundingTxid: { type: 6n, codec: persistCodecs.bytes32 },
    fundingOutputIndex: { type: 8n, codec: persistCodecs.u16 },
    fundingValueSat: { type: 10n, codec: persistCodecs.u64 },
    holderPubkeys: { type: 12n, codec: pubkeysCodec },
    counterpartyPubkeys: { type: 14n, codec: pubkeysCodec },
    holderToSelfDelay: { type: 16n, codec: persistCodecs.u16 },
    counterpartyToSelfDelay: { type: 18n, codec: persistCodecs.u16 },
    holderDustLimitSat: { type: 20n, codec: persistCodecs.u64 },
    counterpartyDustLimitSat: { type: 22n, codec: persistCodecs.u64 },
  },
  [
    'channelKeysId',
    'isOutbound',
    'channelType',
    'fundingTxid',
    'fundingOutputIndex',
    'fundingValueSat',
    'holderPubkeys',
    'counterpartyPubkeys',
    'holderToSelfDelay',
    'counterpartyToSelfDelay',
    'holderDustLimitSat',
    'counterpartyDustLimitSat',
  ],
);

const holderCodec = structCodec<Body<LatestHolderCommitmentStep>>(
  'latest_holder_commitment',
  {
    commitmentNumber: { type: 0n, codec: persistCodecs.safeInt },
    perCommitmentPoint: { type: 2n, codec: persistCodecs.point },
    feerateSatPerKw: { type: 4n, codec: persistCodecs.u32 },
    toHolderMsat: { type: 6n, codec: persistCodecs.u64 },
    toCounterpartyMsat: { type: 8n, codec: persistCodecs.u64 },
    unsignedTx: { type: 10n, codec: persistCodecs.bytes },
    counterpartySignature: { type: 12n, codec: persistCodecs.bytes },
    htlcs: { type: 14n, codec: htlcsCodec },
  },
  [
    'commitmentNumber',
    'perCommitmentPoint',
    'feerateSatPerKw',
    'toHolderMsat',
    'toCounterpartyMsat',
    'unsignedTx',
    'counterpartySignature',
    'htlcs',
  ],
);

const counterpartyCodec = structCodec<Body<LatestCounterpartyCommitmentStep>>(
  'latest_counterparty_commitment',
  {
    commitmentNumber: { type: 0n, codec: persistCodecs.safeInt },
    perCommitmentPoint: { type: 2n, codec: persistCodecs.point },
    txid: { type: 4n, codec: persistCodecs.bytes32 },
    feerateSatPerKw: { type: 6n, codec: persistCodecs.u32 },
    toHolderMsat: { type: 8n, codec: persistCodecs.u64 },
    toCounterpartyMsat: { type: 10n, codec: persistCodecs.u64 },
    htlcs: { type: 12n, codec: htlcsCodec },
  },
  [
    'commitmentNumber',
    'perCommitmentPoint',
    'txid',
    'feerateSatPerKw',
    'toHolderMsat',
    'toCounterpartyMsat',
    'htlcs',
  ],
);

const secretCodec = structCodec<Body<CommitmentSecretStep>>(
  'commitment_secret',
  {
    commitmentNumber: { type: 0n, codec: persistCodecs.safeInt },
    secret: { type: 2n, codec: persistCodecs.bytes32 },
  },
  ['commitmentNumber', 'secret'],
);

const preimageCodec = structCodec<Body<PaymentPreimageStep>>(
  'payment_preimage',
  { paymentPreimage: { type: 0n, codec: persistCodecs.bytes32 } },
  ['paymentPreimage'],
);

const forceClosedCodec = structCodec<Body<ChannelForceClosedStep>>(
  'channel_force_closed',
  { shouldBroadcast: { type: 0n, codec: persistCodecs.bool } },
  ['shouldBroadcast'],
);

const awaitingCloseCodec = structCodec<Body<AwaitingUnilateralCloseStep>>(
  'awaiting_unilateral_close',
  { counterpartyCurrentPerCommitmentPoint: { type: 0n, codec: persistCodecs.point } },
  ['counterpartyCurrentPerCommitmentPoint'],
);

const shutdownCodec = structCodec<Body<ShutdownScriptStep>>(
  'shutdown_script',
  { scriptPubkey: { type: 0n, codec: persistCodecs.bytes } },
  ['scriptPubkey'],
);

/** Step tags: never reuse or renumber one. */
const STEP_TAGS = {
  ChannelSetup: 1,
  LatestHolderCommitment: 2,
  LatestCounterpartyCommitment: 3,
  CommitmentSecret: 4,
  PaymentPreimage: 5,
  ChannelForceClosed: 6,
  AwaitingUnilateralClose: 7,
  ShutdownScript: 8,
} as const satisfies Record<ChannelMonitorUpdateStep['type'], number>;

const bodyCodecs: { readonly [K in ChannelMonitorUpdateStep['type']]: TlvCodec<object> } = {
  ChannelSetup: setupCodec as TlvCodec<object>,
  LatestHolderCommitment: holderCodec as TlvCodec<object>,
  LatestCounterpartyCommitment: counterpartyCodec as TlvCodec<object>,
  CommitmentSecret: secretCodec as TlvCodec<object>,
  PaymentPreimage: preimageCodec as TlvCodec<object>,
  ChannelForceClosed: forceClosedCodec as TlvCodec<object>,
  AwaitingUnilateralClose: awaitingCloseCodec as TlvCodec<object>,
  ShutdownScript: shutdownCodec as TlvCodec<object>,
};

const tagToType = new Map<number, ChannelMonitorUpdateStep['type']>(
  (Object.keys(STEP_TAGS) as ChannelMonitorUpdateStep['type'][]).map((k) => [STEP_TAGS[k], k]),
);

/** One step as a u16 tag followed by its TLV stream. */
export const monitorStepCodec: TlvCodec<ChannelMonitorUpdateStep> = {
  decode: (r) => {
    const tag = r.u16('step tag');
    const type = tagToType.get(tag);
    if (type === undefined) throw new DecodeError(`monitor update step: unknown tag ${tag}`);
    return { type, ...bodyCodecs[type].decode(r) } as ChannelMonitorUpdateStep;
  },
  encode: (w, step) => {
    w.u16(STEP_TAGS[step.type], 'step tag');
    const { type: _type, ...body } = step;
    bodyCodecs[step.type].encode(w, body);
  },
};

/** Serializes one step. */
export function encodeMonitorStep(step: ChannelMonitorUpdateStep): Uint8Array {
  const w = new WireWriter();
  monitorStepCodec.encode(w, step);
  return w.finish();
}

/** Reads one step; `DecodeError` on malformed bytes. */
export function decodeMonitorStep(bytes: Uint8Array): ChannelMonitorUpdateStep {
  const r = new WireReader(bytes);
  const step = monitorStepCodec.decode(r);
  if (r.remaining() !== 0) throw new DecodeError('monitor update step: trailing bytes');
  return step;
}

const UPDATE_VERSION = 1;
const stepsCodec = listCodec(monitorStepCodec, 'monitor update steps');

/** Serializes a whole update: version, update id, channel id, steps. */
export function encodeMonitorUpdate(
  update: ChannelMonitorUpdate & { readonly steps: readonly ChannelMonitorUpdateStep[] },
): Uint8Array {
  const w = new WireWriter();
  w.u8(UPDATE_VERSION, 'version');
  w.u64(update.updateId, 'update id');
  w.bytes32(fromHex(update.channelId, 32, 'channel id'), 'channel id');
  stepsCodec.encode(w, update.steps);
  return w.finish();
}

/** Reads what `encodeMonitorUpdate` wrote; `DecodeError` on malformed bytes. */
export function decodeMonitorUpdate(
  bytes: Uint8Array,
): ChannelMonitorUpdate & { readonly steps: readonly ChannelMonitorUpdateStep[] } {
  const r = new WireReader(bytes);
  const version = r.u8('version');
  if (version !== UPDATE_VERSION) {
    throw new DecodeError(`monitor update: unknown version ${version}`);
  }
  const updateId = r.u64('update id');
  const channelId = toHex(r.bytes32('channel id'));
  const steps = stepsCodec.decode(r);
  if (r.remaining() !== 0) throw new DecodeError('monitor update: trailing bytes');
  return { updateId, channelId, steps };
}
