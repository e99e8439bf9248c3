/**
 * The persisted form of a `ChannelMonitor`: a version byte, then one TLV stream (BOLT 1 rules:
 * increasing types, unknown odd records skipped, unknown even ones refused), so later versions
 * add fields without breaking older readers. Commitments are stored as the very update steps
 * they came in (`monitorStepCodec`), the peer's secrets as the BOLT 3 compact store. Fields that
 * follow from `ChannelSetup` (funding script, obscuring factor, txids) are derived again on read.
 *
 * Everything a restarted node needs to enforce the channel is here, including confirmed spends
 * and pending events, so persisting after every update and every chain change that reports
 * `needsPersist` loses nothing.
 */
import type { CryptoBackend } from '../crypto/backend.js';
import { PerCommitmentSecretStore } from '../keys/per-commitment-secret-store.js';
import { toHex, fromHex } from '../util/bytes.js';
import { DecodeError } from '../util/errors.js';
import type { TlvCodec } from '../wire/tlv.js';
import { WireReader } from '../wire/reader.js';
import { WireWriter } from '../wire/writer.js';
import { listCodec, structCodec } from '../wire/tlv-struct.js';
import {
  monitorStepCodec,
  persistCodecs,
  type ChannelMonitorUpdateStep,
  type ChannelSetupStep,
  type LatestCounterpartyCommitmentStep,
  type LatestHolderCommitmentStep,
} from './channel-monitor-update-steps.js';
import {
  checkSetup,
  ClaimKind,
  fixedFacts,
  type ClaimRecord,
  type Confirmation,
  type FundingSpendRecord,
  type HolderCommitmentRecord,
  type MonitorState,
} from './channel-monitor-state.js';
import { computeTxid, displayHexToHash, hashToDisplayHex } from './txid.js';
import { FundingSpendKind, type MonitorEvent } from './watch.js';

const MONITOR_VERSION = 1;

function stepOf<T extends ChannelMonitorUpdateStep['type']>(
  type: T,
): TlvCodec<Extract<ChannelMonitorUpdateStep, { type: T }>> {
  return {
    decode: (r) => {
      const step = monitorStepCodec.decode(r);
      if (step.type !== type) throw new DecodeError(`monitor: expected a ${type} step`);
      return step as Extract<ChannelMonitorUpdateStep, { type: T }>;
    },
    encode: (w, v) => {
      monitorStepCodec.encode(w, v);
    },
  };
}

/** A display-order hex hash stored as its 32 internal-order bytes. */
const hashHex: TlvCodec<string> = {
  decode: (r) => hashToDisplayHex(r.bytes32('hash')),
  encode: (w, v) => w.bytes32(displayHexToHash(v)),
};

/** A table of string constants stored as one byte each; append only. */
function enumCodec<T extends string>(values: readonly T[], what: string): TlvCodec<T> {
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

const SPEND_KINDS = [
  FundingSpendKind.HolderCommitment,
  FundingSpendKind.CounterpartyCommitment,
  FundingSpendKind.RevokedCounterpartyCommitment,
  FundingSpendKind.UnknownCounterpartyCommitment,
  FundingSpendKind.CooperativeClose,
] as const;
const spendKindCodec = enumCodec<FundingSpendKind>(SPEND_KINDS, 'funding spend kind');
const claimKindCodec = enumCodec<ClaimKind>(
  [
    ClaimKind.HolderToLocal,
    ClaimKind.RevokedToLocal,
    ClaimKind.CounterpartyToRemote,
    ClaimKind.HolderHtlcTimeout,
    ClaimKind.HolderHtlcSuccess,
    ClaimKind.CounterpartyHtlcTimeout,
    ClaimKind.CounterpartyHtlcPreimage,
    ClaimKind.RevokedHtlcOutput,
  ],
  'claim kind',
);

const confirmationCodec = structCodec<Confirmation>(
  'confirmation',
  {
    txid: { type: 0n, codec: hashHex },
    height: { type: 2n, codec: persistCodecs.u32 },
    blockHash: { type: 4n, codec: hashHex },
  },
  ['txid', 'height', 'blockHash'],
);

interface FundingSpendFields extends Confirmation {
  readonly kind: FundingSpendKind;
  readonly commitmentNumber?: number | undefined;
  readonly tx: Uint8Array;
}
const fundingSpendCodec = structCodec<FundingSpendFields>(
  'funding_spend',
  {
    txid: { type: 0n, codec: hashHex },
    height: { type: 2n, codec: persistCodecs.u32 },
    blockHash: { type: 4n, codec: hashHex },
    kind: { type: 6n, codec: spendKindCodec },
    commitmentNumber: { type: 8n, codec: persistCodecs.safeInt },
    tx: { type: 10n, codec: persistCodecs.bytes },
  },
  ['txid', 'height', 'blockHash', 'kind', 'tx'],
);

interface ClaimFields {
  readonly kind: ClaimKind;
  readonly txid: string;
  readonly index: number;
  readonly valueSat: bigint;
  readonly scriptPubkey: Uint8Array;
  readonly witnessScript: Uint8Array;
  readonly sequence: number;
  readonly spendableHeight: number;
  readonly commitmentNumber: number;
  readonly perCommitmentPoint?: Uint8Array | undefined;
  readonly spend?: Confirmation | undefined;
  readonly resolved: boolean;
  readonly htlcId?: bigint | undefined;
}
const claimFields = structCodec<ClaimFields>(
  'claim',
  {
    kind: { type: 0n, codec: claimKindCodec },
    txid: { type: 2n, codec: hashHex },
    index: { type: 4n, codec: persistCodecs.u32 },
    valueSat: { type: 6n, codec: persistCodecs.u64 },
    scriptPubkey: { type: 8n, codec: persistCodecs.bytes },
    witnessScript: { type: 10n, codec: persistCodecs.bytes },
    sequence: { type: 12n, codec: persistCodecs.u32 },
    spendableHeight: { type: 14n, codec: persistCodecs.u32 },
    commitmentNumber: { type: 16n, codec: persistCodecs.safeInt },
    perCommitmentPoint: { type: 18n, codec: persistCodecs.point },
    spend: { type: 20n, codec: confirmationCodec },
    resolved: { type: 22n, codec: persistCodecs.bool },
    htlcId: { type: 24n, codec: persistCodecs.u64 },
  },
  [
    'kind',
    'txid',
    'index',
    'valueSat',
    'scriptPubkey',
    'witnessScript',
    'sequence',
    'spendableHeight',
    'commitmentNumber',
    'resolved',
  ],
);
const claimCodec: TlvCodec<ClaimRecord> = {
  decode: (r) => {
    const c = claimFields.decode(r);
    return {
      kind: c.kind,
      outpoint: { txid: c.txid, index: c.index },
      valueSat: c.valueSat,
      scriptPubkey: c.scriptPubkey,
      witnessScript: c.witnessScript,
      sequence: c.sequence,
      spendableHeight: c.spendableHeight,
      commitmentNumber: c.commitmentNumber,
      perCommitmentPoint: c.perCommitmentPoint,
      htlcId: c.htlcId,
      spend: c.spend,
      resolved: c.resolved,
    };
  },
  encode: (w, c) => {
    claimFields.encode(w, { ...c, txid: c.outpoint.txid, index: c.outpoint.index });
  },
};

/** The events a monitor raises itself, by tag; append only. */
const EVENT_TYPES = [
  'HolderForceClosed',
  'FundingSpent',
  'FundingSpendReorged',
  'HtlcExpiringSoon',
] as const;
type OwnEvent = Extract<MonitorEvent, { type: (typeof EVENT_TYPES)[number] }>;

interface EventFields {
  readonly type: OwnEvent['type'];
  readonly spendKind?: FundingSpendKind | undefined;
  readonly txid?: string | undefined;
  readonly height?: number | undefined;
  readonly commitmentNumber?: number | undefined;
  readonly offered?: boolean | undefined;
  readonly htlcId?: bigint | undefined;
  readonly paymentHash?: Uint8Array | undefined;
  readonly cltvExpiry?: number | undefined;
}
const eventFields = structCodec<EventFields>(
  'monitor_event',
  {
    type: { type: 0n, codec: enumCodec(EVENT_TYPES, 'monitor event type') },
    spendKind: { type: 2n, codec: spendKindCodec },
    txid: { type: 4n, codec: hashHex },
    height: { type: 6n, codec: persistCodecs.u32 },
    commitmentNumber: { type: 8n, codec: persistCodecs.safeInt },
    offered: { type: 10n, codec: persistCodecs.bool },
    htlcId: { type: 12n, codec: persistCodecs.u64 },
    paymentHash: { type: 14n, codec: persistCodecs.bytes32 },
    cltvExpiry: { type: 16n, codec: persistCodecs.u32 },
  },
  ['type'],
);

function need<T>(v: T | undefined, what: string): T {
  if (v === undefined) throw new DecodeError(`monitor event: missing ${what}`);
  return v;
}

function eventCodec(
  ids: Pick<MonitorState, 'fundingOutpoint' | 'channelId'>,
): TlvCodec<MonitorEvent> {
  const base = { fundingOutpoint: ids.fundingOutpoint, channelId: ids.channelId };
  return {
    decode: (r) => {
      const e = eventFields.decode(r);
      switch (e.type) {
        case 'HolderForceClosed':
          return { type: e.type, ...base };
        case 'FundingSpent':
          return {
            type: e.type,
            ...base,
            spendKind: need(e.spendKind, 'spendKind'),
            txid: need(e.txid, 'txid'),
            height: need(e.height, 'height'),
            commitmentNumber: e.commitmentNumber,
          };
        case 'FundingSpendReorged':
          return { type: e.type, ...base, txid: need(e.txid, 'txid') };
        case 'HtlcExpiringSoon':
          return {
            type: e.type,
            ...base,
            offered: need(e.offered, 'offered'),
            htlcId: need(e.htlcId, 'htlcId'),
            paymentHash: toHex(need(e.paymentHash, 'paymentHash')),
            cltvExpiry: need(e.cltvExpiry, 'cltvExpiry'),
            height: need(e.height, 'height'),
          };
      }
    },
    encode: (w, e) => {
      switch (e.type) {
        case 'Completed':
          return; // raised by the ChainMonitor, never stored with a monitor
        case 'HolderForceClosed':
        case 'FundingSpendReorged':
          eventFields.encode(w, {
            type: e.type,
            ...(e.type === 'FundingSpendReorged' ? { txid: e.txid } : {}),
          });
          return;
        case 'FundingSpent':
          eventFields.encode(w, {
            type: e.type,
            spendKind: e.spendKind,
            txid: e.txid,
            height: e.height,
            commitmentNumber: e.commitmentNumber,
          });
          return;
        case 'HtlcExpiringSoon':
          eventFields.encode(w, {
            type: e.type,
            offered: e.offered,
            htlcId: e.htlcId,
            paymentHash: fromHex(e.paymentHash, 32, 'paymentHash'),
            cltvExpiry: e.cltvExpiry,
            height: e.height,
          });
      }
    },
  };
}

interface BestBlockFields {
  readonly blockHash: string;
  readonly height: number;
}
const bestBlockCodec = structCodec<BestBlockFields>(
  'best_block',
  { blockHash: { type: 0n, codec: hashHex }, height: { type: 2n, codec: persistCodecs.u32 } },
  ['blockHash', 'height'],
);

/** An HTLC already reported expiring: `o:<id>` or `r:<id>`. */
const expiringCodec: TlvCodec<string> = {
  decode: (r) => `${r.u8('direction') === 1 ? 'o' : 'r'}:${r.u64('htlc id')}`,
  encode: (w, v) => {
    w.u8(v.startsWith('o:') ? 1 : 0, 'direction');
    w.u64(BigInt(v.slice(2)), 'htlc id');
  },
};

interface MonitorFields {
  readonly setup: ChannelSetupStep;
  readonly latestUpdateId: bigint;
  readonly holder: LatestHolderCommitmentStep;
  readonly previousHolder?: LatestHolderCommitmentStep | undefined;
  readonly counterparty: readonly LatestCounterpartyCommitmentStep[];
  readonly secrets: Uint8Array;
  readonly preimages: readonly Uint8Array[];
  readonly shutdownScript?: Uint8Array | undefined;
  readonly forceClosed: boolean;
  readonly counterpartyCurrentPerCommitmentPoint?: Uint8Array | undefined;
  readonly bestBlock?: BestBlockFields | undefined;
  readonly fundingSpend?: FundingSpendFields | undefined;
  readonly fundingSpendFinal: boolean;
  readonly claims: readonly ClaimRecord[];
  readonly expiringReported: readonly string[];
  readonly pendingEvents: Uint8Array;
}

const bytes32List = listCodec(persistCodecs.bytes32, 'preimages');
const monitorCodec = structCodec<MonitorFields>(
  'channel_monitor',
  {
    setup: { type: 0n, codec: stepOf('ChannelSetup') },
    latestUpdateId: { type: 2n, codec: persistCodecs.u64 },
    holder: { type: 4n, codec: stepOf('LatestHolderCommitment') },
    previousHolder: { type: 6n, codec: stepOf('LatestHolderCommitment') },
    counterparty: {
      type: 8n,
      codec: listCodec(stepOf('LatestCounterpartyCommitment'), 'counterparty commitments'),
    },
    secrets: { type: 10n, codec: persistCodecs.bytes },
    preimages: { type: 12n, codec: bytes32List },
    shutdownScript: { type: 14n, codec: persistCodecs.bytes },
    forceClosed: { type: 16n, codec: persistCodecs.bool },
    counterpartyCurrentPerCommitmentPoint: { type: 18n, codec: persistCodecs.point },
    bestBlock: { type: 20n, codec: bestBlockCodec },
    fundingSpend: { type: 22n, codec: fundingSpendCodec },
    fundingSpendFinal: { type: 24n, codec: persistCodecs.bool },
    claims: { type: 26n, codec: listCodec(claimCodec, 'claims') },
    expiringReported: { type: 28n, codec: listCodec(expiringCodec, 'expiring htlcs') },
    // Events need the monitor's ids to decode, so they are a nested list read after the rest.
    pendingEvents: { type: 30n, codec: persistCodecs.bytes },
  },
  [
    'setup',
    'latestUpdateId',
    'holder',
    'counterparty',
    'secrets',
    'preimages',
    'forceClosed',
    'fundingSpendFinal',
    'claims',
    'expiringReported',
    'pendingEvents',
  ],
);

function stripTxid(h: HolderCommitmentRecord): LatestHolderCommitmentStep {
  const { txidHex: _txid, ...step } = h;
  return step;
}

/** Serializes a monitor's state (see the module comment). */
export function encodeMonitorState(state: MonitorState): Uint8Array {
  const events = new WireWriter();
  listCodec(eventCodec(state), 'monitor events').encode(
    events,
    state.pendingEvents.filter((e) => e.type !== 'Completed'),
  );
  const w = new WireWriter(1024);
  w.u8(MONITOR_VERSION, 'version');
  monitorCodec.encode(w, {
    setup: state.setup,
    latestUpdateId: state.latestUpdateId,
    holder: stripTxid(state.holder),
    previousHolder:
      state.previousHolder === undefined ? undefined : stripTxid(state.previousHolder),
    counterparty: state.counterparty,
    secrets: state.secrets.serialize(),
    preimages: [...state.preimages.values()],
    shutdownScript: state.shutdownScript,
    forceClosed: state.forceClosed,
    counterpartyCurrentPerCommitmentPoint: state.counterpartyCurrentPerCommitmentPoint,
    bestBlock: state.bestBlock,
    fundingSpend: state.fundingSpend,
    fundingSpendFinal: state.fundingSpendFinal,
    claims: state.claims,
    expiringReported: [...state.expiringReported],
    pendingEvents: events.finish(),
  });
  return w.finish();
}

/** Reads what `encodeMonitorState` wrote. Throws `DecodeError` for malformed bytes. */
export function decodeMonitorState(bytes: Uint8Array, crypto: CryptoBackend): MonitorState {
  if (!(bytes instanceof Uint8Array)) throw new DecodeError('monitor: expected Uint8Array');
  const r = new WireReader(bytes);
  const version = r.u8('version');
  if (version !== MONITOR_VERSION) throw new DecodeError(`monitor: unknown version ${version}`);
  const f = monitorCodec.decode(r);
  try {
    checkSetup(f.setup, crypto);
  } catch (e) {
    throw new DecodeError('monitor: malformed ChannelSetup', { cause: e });
  }
  const fixed = fixedFacts(f.setup, crypto);
  const holderOf = (step: LatestHolderCommitmentStep): HolderCommitmentRecord => ({
    ...step,
    txidHex: computeTxid(step.unsignedTx, crypto),
  });
  const preimages = new Map<string, Uint8Array>();
  for (const p of f.preimages) preimages.set(toHex(crypto.sha256(p)), p);
  const fundingSpend: FundingSpendRecord | undefined =
    f.fundingSpend === undefined
      ? undefined
      : { ...f.fundingSpend, commitmentNumber: f.fundingSpend.commitmentNumber };
  const eventsReader = new WireReader(f.pendingEvents);
  const pendingEvents = [...listCodec(eventCodec(fixed), 'monitor events').decode(eventsReader)];
  if (eventsReader.remaining() !== 0) throw new DecodeError('monitor events: trailing bytes');
  return {
    ...fixed,
    latestUpdateId: f.latestUpdateId,
    holder: holderOf(f.holder),
    previousHolder: f.previousHolder === undefined ? undefined : holderOf(f.previousHolder),
    counterparty: [...f.counterparty],
    secrets: PerCommitmentSecretStore.deserialize(f.secrets, crypto),
    preimages,
    shutdownScript: f.shutdownScript,
    forceClosed: f.forceClosed,
    counterpartyCurrentPerCommitmentPoint: f.counterpartyCurrentPerCommitmentPoint,
    bestBlock: f.bestBlock,
    fundingSpend,
    fundingSpendFinal: f.fundingSpendFinal,
    claims: [...f.claims],
    expiringReported: new Set(f.expiringReported),
    pendingEvents,
  };
}
