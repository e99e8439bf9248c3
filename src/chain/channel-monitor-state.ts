/**
 * What a `ChannelMonitor` knows about its channel, as plain data, and how each
 * `ChannelMonitorUpdate` step changes it. Kept apart from the chain watching so that the rules
 * for accepting off-chain state read on their own:
 *
 * - our commitments only move forward, and the one before the latest is kept just to recognise
 *   it on chain (it may have been broadcast before the new one arrived);
 * - the peer's commitments are kept until the peer revokes them (at most the current one and the
 *   next one we signed), then only their secret is kept, in the BOLT 3 compact store, which is
 *   all that punishing their `to_local` output needs;
 * - every step is checked before it changes anything. `ChannelMonitor.update` applies a whole
 *   update to a draft and keeps it only if every step passes, so a rejected update leaves the
 *   state as it was (apart from a secret the store accepted, which is a genuine revealed secret
 *   either way).
 *
 * BOLT 5 "Requirements" (what must be kept to act on chain) and BOLT 3 "Per-commitment Secret
 * Requirements".
 */
import type { CryptoBackend } from '../crypto/backend.js';
import type { ChannelPublicKeys } from '../keys/channel-signer.js';
import { commitmentNumberToIndex, indexToCommitmentNumber } from '../keys/per-commitment-secret.js';
import { PerCommitmentSecretStore } from '../keys/per-commitment-secret-store.js';
import { assertChannelType } from '../tx/channel-type.js';
import { commitmentObscuringFactor, commitmentNumberFromFields } from '../tx/commitment-number.js';
import { fundingWitnessScript } from '../tx/scripts/funding.js';
import { p2wshScriptPubkey } from '../tx/scripts/templates.js';
import { segwitV0Sighash } from '../tx/sighash.js';
import { SighashType } from '../tx/signature-encoding.js';
import { parseTransaction, txidToHex } from '../tx/transaction.js';
import { equalBytes, toHex } from '../util/bytes.js';
import { APIMisuseError, DecodeError } from '../util/errors.js';
import type { BestBlock } from './best-block.js';
import type {
  ChannelSetupStep,
  ChannelMonitorUpdateStep,
  LatestCounterpartyCommitmentStep,
  LatestHolderCommitmentStep,
} from './channel-monitor-update-steps.js';
import type { OutPoint } from './outpoint.js';
import { computeTxid } from './txid.js';
import type { FundingSpendKind, MonitorEvent } from './watch.js';

/** Our commitment with its display-order txid. */
export interface HolderCommitmentRecord extends LatestHolderCommitmentStep {
  readonly txidHex: string;
}

/** A transaction confirmed in a block the monitor tracks for reorganizations. */
export interface Confirmation {
  /** Display-order hex txid. */
  readonly txid: string;
  readonly height: number;
  /** Display-order hex block hash. */
  readonly blockHash: string;
}

/** The confirmed spend of the funding output. */
export interface FundingSpendRecord extends Confirmation {
  readonly kind: FundingSpendKind;
  readonly commitmentNumber: number | undefined;
  /** The whole transaction, for claims of outputs not handled yet (HTLCs, anchors). */
  readonly tx: Uint8Array;
}

/** What kind of output a claim sweeps; see `channel-monitor-claims.ts`. */
export const ClaimKind = {
  /** Our `to_local` on our own commitment, after `to_self_delay` (BOLT 5 "Local Commitment"). */
  HolderToLocal: 'HolderToLocal',
  /** The peer's `to_local` on its revoked commitment, with the revocation key at once. */
  RevokedToLocal: 'RevokedToLocal',
  /** Our `to_remote` on any commitment of the peer (after one block with anchors). */
  CounterpartyToRemote: 'CounterpartyToRemote',
  /** An HTLC we offered, on our commitment: the HTLC-timeout transaction after expiry. */
  HolderHtlcTimeout: 'HolderHtlcTimeout',
  /** An HTLC we received, on our commitment: the HTLC-success transaction with the preimage. */
  HolderHtlcSuccess: 'HolderHtlcSuccess',
  /** An HTLC we offered, on the peer's commitment: swept back after its expiry. */
  CounterpartyHtlcTimeout: 'CounterpartyHtlcTimeout',
  /** An HTLC we received, on the peer's commitment: swept with the preimage. */
  CounterpartyHtlcPreimage: 'CounterpartyHtlcPreimage',
  /**
   * An HTLC output of the peer's revoked commitment. Its script is unknown (the monitor keeps no
   * HTLCs of revoked states), so it is only watched: when the peer takes it with its HTLC
   * transaction, that transaction's output (the revoked `to_local` script, in `witnessScript`)
   * becomes a `RevokedToLocal` claim, punished before the peer's delay runs out.
   */
  RevokedHtlcOutput: 'RevokedHtlcOutput',
} as const;
export type ClaimKind = (typeof ClaimKind)[keyof typeof ClaimKind];

/** An output of the funding spend that the monitor sweeps to the destination script. */
export interface ClaimRecord {
  readonly kind: ClaimKind;
  readonly outpoint: OutPoint;
  readonly valueSat: bigint;
  readonly scriptPubkey: Uint8Array;
  /** The output's witness script; for a P2WPKH `to_remote`, the BIP 143 script code. */
  readonly witnessScript: Uint8Array;
  /** nSequence of the spending input: the CSV delay the script demands, or 0xfffffffd. */
  readonly sequence: number;
  /** The first block height a spend can be mined in (BIP 68 counts from the funding spend). */
  readonly spendableHeight: number;
  /** The commitment the output belongs to (its per-commitment point or secret signs for it). */
  readonly commitmentNumber: number;
  /** Our per-commitment point of our commitment, or the peer's point for its HTLC outputs. */
  readonly perCommitmentPoint: Uint8Array | undefined;
  /** HTLC claims: the HTLC's id (with the kind telling its direction). */
  readonly htlcId: bigint | undefined;
  /** The confirmed transaction spending the output (our claim or anyone's), if any. */
  spend: Confirmation | undefined;
  /** True once that spend is `ANTI_REORG_DELAY` deep: the output is settled for good. */
  resolved: boolean;
}

/** The monitor's whole state; mutated only by `applyStep` and the chain-watching code. */
export interface MonitorState {
  readonly channelId: string;
  readonly setup: ChannelSetupStep;
  readonly fundingOutpoint: OutPoint;
  readonly fundingWitnessScript: Uint8Array;
  readonly fundingScriptPubkey: Uint8Array;
  /** BOLT 3 commitment number obscuring factor. */
  readonly obscuringFactor: number;
  latestUpdateId: bigint;
  holder: HolderCommitmentRecord;
  previousHolder: HolderCommitmentRecord | undefined;
  /** The peer's unrevoked commitments, by increasing number. */
  counterparty: LatestCounterpartyCommitmentStep[];
  readonly secrets: PerCommitmentSecretStore;
  /** Payment preimages by lowercase hex payment hash. */
  readonly preimages: Map<string, Uint8Array>;
  shutdownScript: Uint8Array | undefined;
  /** The channel was failed (`ChannelForceClosed`): it will see no more off-chain updates. */
  forceClosed: boolean;
  /** Set by `AwaitingUnilateralClose`: never broadcast our commitment. */
  counterpartyCurrentPerCommitmentPoint: Uint8Array | undefined;
  bestBlock: BestBlock | undefined;
  fundingSpend: FundingSpendRecord | undefined;
  /** True once the funding spend is `ANTI_REORG_DELAY` deep. */
  fundingSpendFinal: boolean;
  claims: ClaimRecord[];
  /** `o:<id>` / `r:<id>` of HTLCs already reported by `HtlcExpiringSoon`. */
  readonly expiringReported: Set<string>;
  pendingEvents: MonitorEvent[];
}

/** The v1 `channel_id` (BOLT 2): funding txid XOR the big-endian output index. */
export function channelIdOf(fundingTxid: Uint8Array, outputIndex: number): string {
  const id = fundingTxid.slice();
  id[30] = id[30]! ^ (outputIndex >> 8);
  id[31] = id[31]! ^ (outputIndex & 0xff);
  return toHex(id);
}

function checkPubkeys(keys: ChannelPublicKeys, what: string, crypto: CryptoBackend): void {
  for (const name of [
    'fundingPubkey',
    'revocationBasepoint',
    'paymentBasepoint',
    'delayedPaymentBasepoint',
    'htlcBasepoint',
  ] as const) {
    const k: unknown = keys[name];
    if (!(k instanceof Uint8Array) || k.length !== 33 || !crypto.isValidPublicKey(k)) {
      throw new APIMisuseError(`ChannelSetup.${what}.${name}: expected a valid 33-byte point`);
    }
  }
}

function checkU16(v: unknown, what: string): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffff) {
    throw new APIMisuseError(`ChannelSetup.${what}: expected a u16`);
  }
}

/** Throws `APIMisuseError` unless every field of `ChannelSetup` is well formed. */
export function checkSetup(s: ChannelSetupStep, crypto: CryptoBackend): void {
  if (!(s.channelKeysId instanceof Uint8Array) || s.channelKeysId.length !== 32) {
    throw new APIMisuseError('ChannelSetup.channelKeysId: expected 32 bytes');
  }
  if (!(s.fundingTxid instanceof Uint8Array) || s.fundingTxid.length !== 32) {
    throw new APIMisuseError('ChannelSetup.fundingTxid: expected 32 bytes');
  }
  checkU16(s.fundingOutputIndex, 'fundingOutputIndex');
  checkU16(s.holderToSelfDelay, 'holderToSelfDelay');
  checkU16(s.counterpartyToSelfDelay, 'counterpartyToSelfDelay');
  if (typeof s.fundingValueSat !== 'bigint' || s.fundingValueSat <= 0n) {
    throw new APIMisuseError('ChannelSetup.fundingValueSat: expected a positive bigint');
  }
  assertChannelType(s.channelType, 'ChannelSetup.channelType');
  checkPubkeys(s.holderPubkeys, 'holderPubkeys', crypto);
  checkPubkeys(s.counterpartyPubkeys, 'counterpartyPubkeys', crypto);
}

/** The commitment number a commitment transaction carries, or undefined for another shape. */
export function commitmentNumberOfTx(
  locktime: number,
  sequence: number,
  obscuringFactor: number,
): number | undefined {
  if (locktime >>> 24 !== 0x20 || sequence >>> 24 !== 0x80) return undefined;
  return commitmentNumberFromFields(locktime, sequence, obscuringFactor);
}

/** The facts of a monitor that follow from `ChannelSetup` alone. */
export type FixedFacts = Pick<
  MonitorState,
  | 'channelId'
  | 'setup'
  | 'fundingOutpoint'
  | 'fundingWitnessScript'
  | 'fundingScriptPubkey'
  | 'obscuringFactor'
>;

/** Derives the fixed facts from a checked `ChannelSetup` (also when reading a stored monitor). */
export function fixedFacts(setup: ChannelSetupStep, crypto: CryptoBackend): FixedFacts {
  const holderKeys = setup.holderPubkeys;
  const cpKeys = setup.counterpartyPubkeys;
  const witnessScript = fundingWitnessScript(
    holderKeys.fundingPubkey,
    cpKeys.fundingPubkey,
    crypto,
  );
  const [opener, accepter] = setup.isOutbound ? [holderKeys, cpKeys] : [cpKeys, holderKeys];
  return {
    channelId: channelIdOf(setup.fundingTxid, setup.fundingOutputIndex),
    setup: { ...setup },
    fundingOutpoint: { txid: txidToHex(setup.fundingTxid), index: setup.fundingOutputIndex },
    fundingWitnessScript: witnessScript,
    fundingScriptPubkey: p2wshScriptPubkey(witnessScript, crypto),
    obscuringFactor: commitmentObscuringFactor(
      opener.paymentBasepoint,
      accepter.paymentBasepoint,
      crypto,
    ),
  };
}

/** The parts of the state a holder commitment is checked against. */
type HolderCheckContext = Pick<
  FixedFacts,
  'fundingOutpoint' | 'obscuringFactor' | 'fundingWitnessScript' | 'setup'
>;

/**
 * Checks our new commitment against the channel: one input spending the funding output, the
 * commitment number in its locktime and sequence, and a valid peer signature on it (BIP 143,
 * SIGHASH_ALL, the peer's funding key), so that what the monitor would broadcast is known to be
 * complete long before it is needed. Returns it with its txid.
 */
function holderRecord(
  ctx: HolderCheckContext,
  step: LatestHolderCommitmentStep,
  crypto: CryptoBackend,
): HolderCommitmentRecord {
  const what = `LatestHolderCommitment ${step.commitmentNumber}`;
  if (!(step.perCommitmentPoint instanceof Uint8Array) || step.perCommitmentPoint.length !== 33) {
    throw new APIMisuseError(`${what}: perCommitmentPoint must be 33 bytes`);
  }
  const tx = parseTransaction(step.unsignedTx);
  const input = tx.inputs[0];
  if (
    tx.inputs.length !== 1 ||
    input === undefined ||
    txidToHex(input.prevout.txid) !== ctx.fundingOutpoint.txid ||
    input.prevout.vout !== ctx.fundingOutpoint.index
  ) {
    throw new APIMisuseError(`${what}: the transaction must spend exactly the funding output`);
  }
  const number = commitmentNumberOfTx(tx.locktime, input.sequence, ctx.obscuringFactor);
  if (number !== step.commitmentNumber) {
    throw new APIMisuseError(`${what}: locktime and sequence carry another commitment number`);
  }
  const digest = segwitV0Sighash(
    {
      tx,
      inputIndex: 0,
      witnessScript: ctx.fundingWitnessScript,
      valueSat: ctx.setup.fundingValueSat,
      sighashType: SighashType.All,
    },
    crypto,
  );
  if (
    !(step.counterpartySignature instanceof Uint8Array) ||
    !crypto.verify(step.counterpartySignature, digest, ctx.setup.counterpartyPubkeys.fundingPubkey)
  ) {
    throw new APIMisuseError(`${what}: counterpartySignature does not sign the transaction`);
  }
  return { ...step, txidHex: computeTxid(step.unsignedTx, crypto) };
}

/**
 * The state of a new monitor from update 0: `ChannelSetup`, then our first commitment and the
 * peer's first, in any order after the setup. Throws `APIMisuseError` when the update lacks one
 * of them or its channel id is not the funding outpoint's.
 */
export function initialState(
  update: {
    readonly updateId: bigint;
    readonly channelId: string;
    readonly steps: readonly ChannelMonitorUpdateStep[];
  },
  crypto: CryptoBackend,
): MonitorState {
  const setup = update.steps[0];
  if (setup?.type !== 'ChannelSetup') {
    throw new APIMisuseError('ChannelMonitor: the first update must start with ChannelSetup');
  }
  checkSetup(setup, crypto);
  const channelId = channelIdOf(setup.fundingTxid, setup.fundingOutputIndex);
  if (update.channelId !== channelId) {
    throw new APIMisuseError(
      `ChannelMonitor: channel id ${update.channelId} is not that of the funding outpoint (${channelId})`,
    );
  }
  const holderStep = update.steps.find((s) => s.type === 'LatestHolderCommitment');
  const cpStep = update.steps.find((s) => s.type === 'LatestCounterpartyCommitment');
  if (holderStep === undefined || cpStep === undefined) {
    throw new APIMisuseError('ChannelMonitor: the first update must carry both first commitments');
  }
  const ctx = fixedFacts(setup, crypto);
  const state: MonitorState = {
    ...ctx,
    latestUpdateId: update.updateId,
    holder: holderRecord(ctx, holderStep, crypto),
    previousHolder: undefined,
    counterparty: [],
    secrets: new PerCommitmentSecretStore(crypto),
    preimages: new Map(),
    shutdownScript: undefined,
    forceClosed: false,
    counterpartyCurrentPerCommitmentPoint: undefined,
    bestBlock: undefined,
    fundingSpend: undefined,
    fundingSpendFinal: false,
    claims: [],
    expiringReported: new Set(),
    pendingEvents: [],
  };
  for (const step of update.steps.slice(1)) {
    if (step === holderStep) continue;
    applyStep(state, step, crypto);
  }
  return state;
}

/** The highest commitment number of the peer's the monitor has seen revoked, if any. */
export function latestRevokedNumber(state: MonitorState): number | undefined {
  const index = state.secrets.latestIndex;
  return index === undefined ? undefined : indexToCommitmentNumber(index);
}

/**
 * Applies one step. Throws `APIMisuseError` for a step that would move state backwards or is
 * inconsistent with the channel (a second `ChannelSetup`, an older commitment, a secret that
 * does not match the revoked commitment's point), `CryptoError` for a secret the BOLT 3 store
 * rejects, and `DecodeError` for an unparsable transaction.
 */
export function applyStep(
  state: MonitorState,
  step: ChannelMonitorUpdateStep,
  crypto: CryptoBackend,
): void {
  switch (step.type) {
    case 'ChannelSetup':
      throw new APIMisuseError('ChannelSetup: only the first update of a channel may carry it');
    case 'LatestHolderCommitment': {
      if (step.commitmentNumber <= state.holder.commitmentNumber) {
        throw new APIMisuseError(
          `LatestHolderCommitment: commitment ${step.commitmentNumber} does not follow ${state.holder.commitmentNumber}`,
        );
      }
      const record = holderRecord(state, step, crypto);
      state.previousHolder = state.holder;
      state.holder = record;
      return;
    }
    case 'LatestCounterpartyCommitment': {
      const newest = state.counterparty[state.counterparty.length - 1]?.commitmentNumber;
      const revoked = latestRevokedNumber(state);
      const floor = Math.max(newest ?? -1, revoked ?? -1);
      if (step.commitmentNumber <= floor) {
        throw new APIMisuseError(
          `LatestCounterpartyCommitment: commitment ${step.commitmentNumber} does not follow ${floor}`,
        );
      }
      if (!(step.txid instanceof Uint8Array) || step.txid.length !== 32) {
        throw new APIMisuseError('LatestCounterpartyCommitment.txid: expected 32 bytes');
      }
      if (!crypto.isValidPublicKey(step.perCommitmentPoint)) {
        throw new APIMisuseError(
          'LatestCounterpartyCommitment.perCommitmentPoint: not a valid point',
        );
      }
      state.counterparty = [...state.counterparty, { ...step }];
      return;
    }
    case 'CommitmentSecret': {
      const known = state.counterparty.find((c) => c.commitmentNumber === step.commitmentNumber);
      if (
        known !== undefined &&
        (!crypto.isValidSecretKey(step.secret) ||
          !equalBytes(crypto.getPublicKey(step.secret), known.perCommitmentPoint))
      ) {
        throw new APIMisuseError(
          `CommitmentSecret: not the secret of commitment ${step.commitmentNumber}'s point`,
        );
      }
      state.secrets.provideSecret(commitmentNumberToIndex(step.commitmentNumber), step.secret);
      state.counterparty = state.counterparty.filter(
        (c) => c.commitmentNumber > step.commitmentNumber,
      );
      return;
    }
    case 'PaymentPreimage': {
      if (!(step.paymentPreimage instanceof Uint8Array) || step.paymentPreimage.length !== 32) {
        throw new APIMisuseError('PaymentPreimage.paymentPreimage: expected 32 bytes');
      }
      state.preimages.set(toHex(crypto.sha256(step.paymentPreimage)), step.paymentPreimage.slice());
      return;
    }
    case 'ChannelForceClosed':
      state.forceClosed = true;
      return;
    case 'AwaitingUnilateralClose':
      if (!crypto.isValidPublicKey(step.counterpartyCurrentPerCommitmentPoint)) {
        throw new APIMisuseError(
          'AwaitingUnilateralClose.counterpartyCurrentPerCommitmentPoint: not a valid point',
        );
      }
      state.counterpartyCurrentPerCommitmentPoint =
        step.counterpartyCurrentPerCommitmentPoint.slice();
      return;
    case 'ShutdownScript':
      if (!(step.scriptPubkey instanceof Uint8Array) || step.scriptPubkey.length === 0) {
        throw new APIMisuseError('ShutdownScript.scriptPubkey: expected a non-empty script');
      }
      state.shutdownScript = step.scriptPubkey.slice();
      return;
    default: {
      const unknown: { type?: unknown } = step;
      throw new DecodeError(`ChannelMonitorUpdate: unknown step type ${String(unknown.type)}`);
    }
  }
}
