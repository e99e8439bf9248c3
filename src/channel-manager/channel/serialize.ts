/**
 * A `Channel` to bytes and back, for the manager to persist: a version byte, then the whole
 * `ChannelState` as one TLV stream (BOLT 1 TLV rules: unknown even records fail, unknown odd
 * ones are skipped, so later versions can add odd records), with the signer's own state. The
 * signer itself is re-derived from `channelKeysId` through the `KeysInterface`, never stored.
 *
 * Persist after every call that changed the state and before releasing its output's messages
 * (the manager's job); a channel restored from an older copy than its monitor must be
 * force-closed from the monitor instead (ARCHITECTURE.md "How data flows", 6).
 */
import { persistCodecs } from '../../chain/channel-monitor-update-steps.js';
import { structCodec } from '../../wire/tlv-struct.js';
import { PerCommitmentSecretStore } from '../../keys/per-commitment-secret-store.js';
import { txidToHex } from '../../tx/transaction.js';
import { equalBytes } from '../../util/bytes.js';
import { DecodeError } from '../../util/errors.js';
import { WireReader } from '../../wire/reader.js';
import { WireWriter } from '../../wire/writer.js';
import { Channel, type ChannelOptions } from './channel.js';
import {
  closingCodec,
  counterpartyCommitmentCodec,
  enumCodec,
  eventsCodec,
  fundingCodec,
  holderCommitmentCodec,
  messagesCodec,
  pendingRevocationCodec,
  refusedHtlcsCodec,
  sideParamsCodec,
  textCodec,
  updateLogCodec,
} from './serialize-codecs.js';
import { ChannelPhase, type ChannelState } from './state.js';
import { nobleBackend } from '../../crypto/noble.js';
import type { CryptoBackend } from '../../crypto/backend.js';

const FORMAT_VERSION = 1;
const c = persistCodecs;

/** The state as stored: the secret store as its bytes, plus the signer's state. */
type Stored = Omit<ChannelState, 'counterpartySecrets'> & {
  readonly counterpartySecrets: Uint8Array;
  readonly signerState: Uint8Array;
};

const PHASES = Object.values(ChannelPhase);

const storedCodec = structCodec<Stored>(
  'channel_state',
  {
    phase: { type: 0n, codec: enumCodec(PHASES, 'phase') },
    isOutbound: { type: 2n, codec: c.bool },
    chainHash: { type: 4n, codec: c.bytes32 },
    temporaryChannelId: { type: 6n, codec: c.bytes32 },
    channelId: { type: 8n, codec: c.bytes32 },
    userChannelId: { type: 10n, codec: c.u128 },
    channelKeysId: { type: 12n, codec: c.bytes32 },
    channelType: { type: 14n, codec: c.channelType },
    channelTypeBytes: { type: 16n, codec: c.bytes },
    announceChannel: { type: 18n, codec: c.bool },
    fundingValueSat: { type: 20n, codec: c.u64 },
    pushMsat: { type: 22n, codec: c.u64 },
    initialFeerateSatPerKw: { type: 24n, codec: c.u32 },
    holderParams: { type: 26n, codec: sideParamsCodec },
    counterpartyParams: { type: 28n, codec: sideParamsCodec },
    minimumDepth: { type: 30n, codec: c.u32 },
    anySegwitShutdown: { type: 32n, codec: c.bool },
    funding: { type: 34n, codec: fundingCodec },
    counterpartyFirstPerCommitmentPoint: { type: 36n, codec: c.point },
    holderCommitment: { type: 38n, codec: holderCommitmentCodec },
    counterpartyCommitment: { type: 40n, codec: counterpartyCommitmentCodec },
    pendingRevocation: { type: 42n, codec: pendingRevocationCodec },
    counterpartyNextPerCommitmentPoint: { type: 44n, codec: c.point },
    updates: { type: 46n, codec: updateLogCodec },
    nextOutgoingHtlcId: { type: 48n, codec: c.u64 },
    nextIncomingHtlcId: { type: 50n, codec: c.u64 },
    refusedIncomingHtlcs: { type: 52n, codec: refusedHtlcsCodec },
    counterpartySecrets: { type: 54n, codec: c.bytes },
    channelReadySent: { type: 56n, codec: c.bool },
    channelReadyReceived: { type: 58n, codec: c.bool },
    ourAlias: { type: 60n, codec: c.u64 },
    theirAlias: { type: 62n, codec: c.u64 },
    shortChannelId: { type: 64n, codec: c.u64 },
    bestBlockHeight: { type: 66n, codec: c.u32 },
    nextMonitorUpdateId: { type: 68n, codec: c.u64 },
    monitorUpdateInProgress: { type: 70n, codec: c.bool },
    heldMessages: { type: 72n, codec: messagesCodec },
    heldEvents: { type: 74n, codec: eventsCodec },
    awaitingReestablish: { type: 76n, codec: c.bool },
    holderShutdownScript: { type: 78n, codec: c.bytes },
    counterpartyShutdownScript: { type: 80n, codec: c.bytes },
    shutdownSent: { type: 82n, codec: c.bool },
    shutdownReceived: { type: 84n, codec: c.bool },
    closing: { type: 86n, codec: closingCodec },
    closeReason: { type: 88n, codec: textCodec },
    signerState: { type: 90n, codec: c.bytes },
    // Odd: added after the first release, so older readers skip it.
    targetClosingFeerateSatPerKw: { type: 91n, codec: c.u32 },
  },
  [
    'phase',
    'isOutbound',
    'chainHash',
    'temporaryChannelId',
    'channelId',
    'userChannelId',
    'channelKeysId',
    'channelType',
    'channelTypeBytes',
    'announceChannel',
    'fundingValueSat',
    'pushMsat',
    'initialFeerateSatPerKw',
    'holderParams',
    'minimumDepth',
    'anySegwitShutdown',
    'updates',
    'nextOutgoingHtlcId',
    'nextIncomingHtlcId',
    'refusedIncomingHtlcs',
    'counterpartySecrets',
    'channelReadySent',
    'channelReadyReceived',
    'nextMonitorUpdateId',
    'monitorUpdateInProgress',
    'heldMessages',
    'heldEvents',
    'awaitingReestablish',
    'shutdownSent',
    'shutdownReceived',
    'signerState',
  ],
);

/** Serializes a state with the signer state that goes with it. */
export function serializeChannelState(state: ChannelState, signerState: Uint8Array): Uint8Array {
  const w = new WireWriter(4096);
  w.u8(FORMAT_VERSION, 'version');
  storedCodec.encode(w, {
    ...state,
    counterpartySecrets: state.counterpartySecrets.serialize(),
    signerState,
  });
  return w.finish();
}

/** Reads what `serializeChannelState` wrote; `DecodeError` on malformed bytes. */
export function deserializeChannelState(
  bytes: Uint8Array,
  crypto: CryptoBackend = nobleBackend,
): { state: ChannelState; signerState: Uint8Array } {
  const r = new WireReader(bytes);
  const version = r.u8('version');
  if (version !== FORMAT_VERSION)
    throw new DecodeError(`channel state: unknown version ${version}`);
  const stored = storedCodec.decode(r);
  const { signerState, counterpartySecrets, ...rest } = stored;
  const state: ChannelState = {
    ...rest,
    counterpartyParams: rest.counterpartyParams,
    funding: rest.funding,
    counterpartyFirstPerCommitmentPoint: rest.counterpartyFirstPerCommitmentPoint,
    holderCommitment: rest.holderCommitment,
    counterpartyCommitment: rest.counterpartyCommitment,
    pendingRevocation: rest.pendingRevocation,
    counterpartyNextPerCommitmentPoint: rest.counterpartyNextPerCommitmentPoint,
    targetClosingFeerateSatPerKw: rest.targetClosingFeerateSatPerKw,
    counterpartySecrets: PerCommitmentSecretStore.deserialize(counterpartySecrets, crypto),
  };
  return { state, signerState };
}

/** Serializes a channel (its state and its signer's state). */
export function serializeChannel(channel: Channel): Uint8Array {
  return serializeChannelState(channel.state, channel.signer.serializeState());
}

/**
 * Restores a channel: re-derives its signer from `channelKeysId`, checks it has the keys the
 * state announced (else `DecodeError`: wrong `KeysInterface`), restores the signer's state and,
 * once funded, its channel parameters.
 */
export function deserializeChannel(bytes: Uint8Array, options: ChannelOptions): Channel {
  const crypto = options.crypto ?? nobleBackend;
  const { state, signerState } = deserializeChannelState(bytes, crypto);
  const signer = options.keys.deriveChannelSigner(state.fundingValueSat, state.channelKeysId);
  const ours = state.holderParams.pubkeys;
  if (
    !equalBytes(signer.pubkeys.fundingPubkey, ours.fundingPubkey) ||
    !equalBytes(signer.pubkeys.revocationBasepoint, ours.revocationBasepoint)
  ) {
    throw new DecodeError('channel state: the keys interface derives other keys for this channel');
  }
  signer.restoreState(signerState);
  const counterparty = state.counterpartyParams;
  if (state.funding !== undefined && counterparty !== undefined) {
    signer.provideChannelParameters({
      counterpartyPubkeys: counterparty.pubkeys,
      isOutbound: state.isOutbound,
      holderToSelfDelay: counterparty.toSelfDelay,
      counterpartyToSelfDelay: state.holderParams.toSelfDelay,
      fundingOutpoint: {
        txid: txidToHex(state.funding.txid),
        outputIndex: state.funding.outputIndex,
      },
      channelType: state.channelType,
    });
  }
  return Channel.fromState(state, signer, options);
}
