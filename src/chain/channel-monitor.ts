/**
 * `ChannelMonitor` (LDK `ChannelMonitor`): everything needed to enforce one channel on chain
 * without the `ChannelManager` (BOLT 5). It is created from the channel's update 0 and kept
 * current by every later `ChannelMonitorUpdate`; it can always produce our latest commitment
 * fully signed, and it watches the chain for the funding output being spent, telling which
 * transaction did it and sweeping what is ours.
 *
 * What it holds: our latest commitment (with the peer's signature; ours is made only when
 * broadcasting), the peer's unrevoked commitments, the peer's revealed secrets in the BOLT 3
 * compact store, payment preimages, and what the chain showed so far (see
 * `channel-monitor-state.ts`). The channel's signer is derived again from the
 * `KeysInterface` and the channel keys id, so the monitor stores no private keys.
 *
 * Chain input comes through the `Listen` and `Confirm` methods (a `ChainMonitor` forwards them);
 * the output is events (`getAndClearPendingMonitorEvents`) and transactions to broadcast
 * (`takeTransactionsToBroadcast`). Nothing here performs I/O: time is block height only.
 *
 * Claims: `to_local` of our own commitment after `to_self_delay`, its HTLC outputs through the
 * pre-signed HTLC-timeout and HTLC-success transactions and then their outputs, `to_remote` of
 * any of the peer's commitments with the HTLC outputs of its unrevoked ones, and on a revoked
 * one the peer's `to_local` and the outputs of the peer's HTLC transactions (justice). Not
 * claimed yet: the HTLC outputs of a revoked commitment themselves (their scripts need HTLC data
 * the monitor drops on revocation), anchors, and fee bumping; new `ClaimKind`s fit in beside
 * the others.
 */
import type { CryptoBackend } from '../crypto/backend.js';
import { nobleBackend } from '../crypto/noble.js';
import type { ChannelSigner } from '../keys/channel-signer.js';
import type { KeysInterface } from '../keys/keys-interface.js';
import { fundingSpendWitness } from '../tx/scripts/witness.js';
import { SighashType } from '../tx/signature-encoding.js';
import { parseTransaction, serializeTransaction, withWitness } from '../tx/transaction.js';
import { equalBytes } from '../util/bytes.js';
import { APIMisuseError } from '../util/errors.js';
import { nullLogger, type Logger } from '../util/logger.js';
import type { BestBlock } from './best-block.js';
import { checkHeight } from './best-block.js';
import { blockHash, decodeBlockHeader, type Block } from './block.js';
import type { BroadcasterInterface } from './broadcaster.js';
import { buildClaimTransaction, claimFeeTarget } from './channel-monitor-claims.js';
import { counterpartyClaimPreimage } from './channel-monitor-counterparty-htlcs.js';
import { buildHolderHtlcTransaction } from './channel-monitor-htlc-claims.js';
import { decodeMonitorState, encodeMonitorState } from './channel-monitor-codec.js';
import { ChannelMonitorRefusedError, MonitorRefusal } from './channel-monitor-errors.js';
import { watchHtlcDeadlines } from './channel-monitor-deadlines.js';
import {
  applyStep,
  ClaimKind,
  initialState,
  type ClaimRecord,
  type MonitorState,
} from './channel-monitor-state.js';
import {
  dueClaims,
  outpointKey,
  parseConfirmedTxs,
  type ConfirmedTx,
  isFullyResolved,
  matureConfirmations,
  outputsToWatch,
  recordClaimSpends,
  recordFundingSpend,
  relevantTxids,
  undoConfirmations,
} from './channel-monitor-onchain.js';
import { revokedSecret } from './channel-monitor-spends.js';
import type { ChannelMonitorUpdateStep } from './channel-monitor-update-steps.js';
import type { Confirm, RelevantTxid } from './confirm.js';
import {
  boundedFeeEstimator,
  FEERATE_FLOOR_SAT_PER_KW,
  type FeeEstimator,
} from './fee-estimator.js';
import type { WatchedOutput } from './filter.js';
import type { Listen, TransactionData } from './listen.js';
import type { OutPoint } from './outpoint.js';
import {
  checkNextUpdateId,
  type ChannelMonitor as WatchedChannelMonitor,
  type ChannelMonitorUpdate,
  type FundingSpendKind,
  type MonitorEvent,
} from './watch.js';

export { ANTI_REORG_DELAY } from './channel-monitor-onchain.js';

export { ChannelMonitorRefusedError, MonitorRefusal } from './channel-monitor-errors.js';

/** What a monitor needs from its host, when created and when read back. */
export interface ChannelMonitorDeps {
  /** Derives the channel's signer from the stored channel keys id; gives the sweep script. */
  readonly keys: KeysInterface;
  readonly crypto?: CryptoBackend;
  /** Feerates of claim transactions; without one they pay the 253 sat/kW floor. */
  readonly feeEstimator?: FeeEstimator;
  readonly logger?: Logger;
}

/** The confirmed funding spend, as `getFundingSpend` reports it. */
export interface FundingSpendInfo {
  readonly kind: FundingSpendKind;
  /** Display-order hex txid. */
  readonly txid: string;
  readonly height: number;
  readonly commitmentNumber: number | undefined;
  /** True once `ANTI_REORG_DELAY` deep. */
  readonly final: boolean;
}

/** One output the monitor sweeps, as `getClaims` reports it. */
export interface ClaimInfo {
  readonly kind: ClaimKind;
  readonly outpoint: OutPoint;
  readonly valueSat: bigint;
  /** First block height a sweep can be mined in. */
  readonly spendableHeight: number;
  /** Display-order hex txid of the confirmed spend of the output (ours or not), if any. */
  readonly spentBy: string | undefined;
  readonly resolved: boolean;
}

/** See the module comment. */
export class ChannelMonitor implements WatchedChannelMonitor, Listen, Confirm {
  #state: MonitorState;
  readonly #keys: KeysInterface;
  readonly #crypto: CryptoBackend;
  readonly #fees: FeeEstimator | undefined;
  readonly #logger: Logger;
  readonly #signer: ChannelSigner;
  /** Signed claims by outpoint, rebroadcast each block; rebuilt after a restart. */
  readonly #claimTxs = new Map<string, Uint8Array>();
  #toBroadcast: Uint8Array[] = [];
  #needsPersist = false;

  private constructor(state: MonitorState, deps: ChannelMonitorDeps) {
    this.#state = state;
    this.#keys = deps.keys;
    this.#crypto = deps.crypto ?? nobleBackend;
    this.#fees =
      deps.feeEstimator === undefined ? undefined : boundedFeeEstimator(deps.feeEstimator);
    this.#logger = deps.logger ?? nullLogger;
    this.#signer = this.#deriveSigner();
  }

  /**
   * A monitor for a new channel from its update 0 (`ChannelSetup` and both first commitments).
   * Throws `APIMisuseError` for an update that is not a valid first update, or when `keys` does
   * not derive the channel's signer (its public keys differ from `ChannelSetup.holderPubkeys`).
   */
  static fromInitialUpdate(update: ChannelMonitorUpdate, deps: ChannelMonitorDeps): ChannelMonitor {
    const crypto = deps.crypto ?? nobleBackend;
    return new ChannelMonitor(initialState(checkUpdateShape(update), crypto), deps);
  }

  /** Reads a monitor `serialize` wrote. Throws `DecodeError` for malformed bytes. */
  static read(bytes: Uint8Array, deps: ChannelMonitorDeps): ChannelMonitor {
    return new ChannelMonitor(decodeMonitorState(bytes, deps.crypto ?? nobleBackend), deps);
  }

  /** The persisted form (`channel-monitor-codec.ts`); `read` gives the same monitor back. */
  serialize(): Uint8Array {
    return encodeMonitorState(this.#state);
  }

  #deriveSigner(): ChannelSigner {
    const { setup, fundingOutpoint } = this.#state;
    const signer = this.#keys.deriveChannelSigner(setup.fundingValueSat, setup.channelKeysId);
    const ours = setup.holderPubkeys;
    const got = signer.pubkeys;
    if (
      !equalBytes(got.fundingPubkey, ours.fundingPubkey) ||
      !equalBytes(got.revocationBasepoint, ours.revocationBasepoint) ||
      !equalBytes(got.paymentBasepoint, ours.paymentBasepoint) ||
      !equalBytes(got.delayedPaymentBasepoint, ours.delayedPaymentBasepoint) ||
      !equalBytes(got.htlcBasepoint, ours.htlcBasepoint)
    ) {
      throw new APIMisuseError(
        `ChannelMonitor: the KeysInterface does not derive the signer of channel ${this.#state.channelId}`,
      );
    }
    signer.provideChannelParameters({
      counterpartyPubkeys: setup.counterpartyPubkeys,
      isOutbound: setup.isOutbound,
      holderToSelfDelay: setup.holderToSelfDelay,
      counterpartyToSelfDelay: setup.counterpartyToSelfDelay,
      fundingOutpoint: { txid: fundingOutpoint.txid, outputIndex: fundingOutpoint.index },
      channelType: setup.channelType,
    });
    return signer;
  }

  #log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void {
    this.#logger.log({ level, module: 'channel-monitor', message, channelId: this.channelId });
  }

  // ---- what it knows ----

  get channelId(): string {
    return this.#state.channelId;
  }

  getFundingTxo(): OutPoint {
    return { ...this.#state.fundingOutpoint };
  }

  /** The P2WSH script of the funding output (what a filtering chain source matches). */
  getFundingScriptPubkey(): Uint8Array {
    return this.#state.fundingScriptPubkey.slice();
  }

  getLatestUpdateId(): bigint {
    return this.#state.latestUpdateId;
  }

  /** The latest block the monitor was told about, if any. */
  getBestBlock(): BestBlock | undefined {
    return this.#state.bestBlock;
  }

  /** Our latest commitment number. */
  getLatestHolderCommitmentNumber(): number {
    return this.#state.holder.commitmentNumber;
  }

  /** True after `AwaitingUnilateralClose`: our commitment will never be broadcast. */
  isAwaitingUnilateralClose(): boolean {
    return this.#state.counterpartyCurrentPerCommitmentPoint !== undefined;
  }

  /** True after `ChannelForceClosed` or a direct broadcast of our commitment. */
  isForceClosed(): boolean {
    return this.#state.forceClosed;
  }

  /** The confirmed spend of the funding output, if any. */
  getFundingSpend(): FundingSpendInfo | undefined {
    const s = this.#state.fundingSpend;
    if (s === undefined) return undefined;
    const { kind, txid, height, commitmentNumber } = s;
    return { kind, txid, height, commitmentNumber, final: this.#state.fundingSpendFinal };
  }

  /** The outputs of the funding spend the monitor sweeps. */
  getClaims(): ClaimInfo[] {
    return this.#state.claims.map((c) => ({
      kind: c.kind,
      outpoint: { ...c.outpoint },
      valueSat: c.valueSat,
      spendableHeight: c.spendableHeight,
      spentBy: c.spend?.txid,
      resolved: c.resolved,
    }));
  }

  /** True once nothing is left to do on chain (see `isFullyResolved` of the onchain module). */
  isFullyResolved(): boolean {
    return isFullyResolved(this.#state);
  }

  /** Outputs whose spends the chain source must report (see `Filter.registerOutput`). */
  getOutputsToWatch(): WatchedOutput[] {
    return outputsToWatch(this.#state);
  }

  // ---- off-chain updates ----

  /**
   * Applies `update` (every step, or none of them). Throws `APIMisuseError` when its id is not
   * the latest plus one (`checkNextUpdateId`, and no gap), when it names another channel, or when a step is
   * inconsistent (see `applyStep`); `DecodeError` for an unknown step. With `ChannelForceClosed`
   * asking to broadcast, our latest commitment is queued for `takeTransactionsToBroadcast`
   * (unless the funding is already spent, or our state is known stale).
   */
  update(update: ChannelMonitorUpdate): void {
    const steps = checkUpdateShape(update).steps;
    checkNextUpdateId(this.#state.latestUpdateId, update);
    if (update.updateId !== this.#state.latestUpdateId + 1n) {
      // A gap means an update was lost, and with it perhaps a secret or a commitment.
      throw new APIMisuseError(
        `ChannelMonitorUpdate.updateId ${update.updateId} skips ids after ${this.#state.latestUpdateId}`,
      );
    }
    if (update.channelId !== this.#state.channelId) {
      throw new APIMisuseError(
        `ChannelMonitorUpdate.channelId ${update.channelId} is not ${this.#state.channelId}`,
      );
    }
    const current = this.#state;
    const added = new Map<string, Uint8Array>();
    const draft: MonitorState = { ...current, preimages: added };
    for (const step of steps) applyStep(draft, step, this.#crypto);
    for (const [hash, preimage] of added) current.preimages.set(hash, preimage);
    this.#state = { ...draft, preimages: current.preimages, latestUpdateId: update.updateId };
    const close = steps.find((s) => s.type === 'ChannelForceClosed');
    if (close?.shouldBroadcast === true)
      this.#queueHolderCommitment('the channel was force-closed');
  }

  #queueHolderCommitment(why: string): void {
    if (this.#state.fundingSpend !== undefined) return;
    if (this.isAwaitingUnilateralClose()) {
      this.#log('warn', `${why}, but our state is stale: waiting for the peer's commitment`);
      return;
    }
    this.#log('info', `${why}: broadcasting commitment ${this.#state.holder.commitmentNumber}`);
    this.#toBroadcast.push(this.getLatestHolderCommitmentTxn());
  }

  /**
   * Our latest commitment transaction with both signatures, ready to broadcast (BOLT 5
   * "Unilateral Close Handling: Local Commitment Transaction"). Throws
   * `ChannelMonitorRefusedError` (`ChannelUnavailable`) while `AwaitingUnilateralClose`, and
   * `SignerError` if the signer refuses.
   */
  getLatestHolderCommitmentTxn(): Uint8Array {
    const { holder, setup } = this.#state;
    if (this.isAwaitingUnilateralClose()) {
      throw new ChannelMonitorRefusedError(
        MonitorRefusal.AwaitingUnilateralClose,
        'getLatestHolderCommitmentTxn: the peer proved our state stale; our commitment may be revoked',
        this.channelId,
      );
    }
    const ourSignature = this.#signer.signHolderCommitment({
      commitmentNumber: holder.commitmentNumber,
      commitmentTx: {
        unsignedTx: holder.unsignedTx,
        inputIndex: 0,
        witnessScript: this.#state.fundingWitnessScript,
        valueSat: setup.fundingValueSat,
        sighashType: SighashType.All,
      },
    });
    const witness = fundingSpendWitness({
      localFundingPubkey: setup.holderPubkeys.fundingPubkey,
      localSignature: ourSignature,
      remoteFundingPubkey: setup.counterpartyPubkeys.fundingPubkey,
      remoteSignature: holder.counterpartySignature,
      witnessScript: this.#state.fundingWitnessScript,
    });
    return serializeTransaction(withWitness(parseTransaction(holder.unsignedTx), 0, witness));
  }

  /**
   * Force-closes from the monitor: broadcasts our latest commitment now and raises
   * `HolderForceClosed` so the manager closes the channel too. Refused like
   * `getLatestHolderCommitmentTxn`.
   */
  broadcastLatestHolderCommitmentTxn(broadcaster: BroadcasterInterface): void {
    const tx = this.getLatestHolderCommitmentTxn();
    const s = this.#state;
    s.forceClosed = true;
    s.pendingEvents.push({
      type: 'HolderForceClosed',
      fundingOutpoint: { ...s.fundingOutpoint },
      channelId: s.channelId,
    });
    this.#needsPersist = true;
    broadcaster.broadcastTransactions([tx]);
  }

  // ---- chain input (Listen and Confirm) ----

  blockConnected(block: Block, height: number): void {
    this.transactionsConfirmed(
      block.header,
      block.transactions.map((tx, i) => [i, tx] as const),
      height,
    );
    this.bestBlockUpdated(block.header, height);
  }

  blockDisconnected(header: Uint8Array, height: number): void {
    checkHeight(height);
    const prev = decodeBlockHeader(header).prevBlockHash;
    this.#undo({ fromHeight: height });
    this.#state.bestBlock = height === 0 ? undefined : { blockHash: prev, height: height - 1 };
  }

  /**
   * Looks for the funding spend (classifies it, raises `FundingSpent`, derives the claims) and
   * for spends of claimed outputs, in the order given.
   */
  transactionsConfirmed(header: Uint8Array, txdata: TransactionData, height: number): void {
    checkHeight(height);
    this.confirmParsedTransactions(header, parseConfirmedTxs(txdata, this.#crypto), height);
  }

  /**
   * `transactionsConfirmed` with the transactions already parsed (`parseConfirmedTxs`), so a
   * `ChainMonitor` parses each transaction of a block once for all its monitors.
   */
  confirmParsedTransactions(header: Uint8Array, txs: readonly ConfirmedTx[], height: number): void {
    checkHeight(height);
    const at = { height, blockHash: blockHash(header, this.#crypto) };
    const s = this.#state;
    const fundingKey = outpointKey(s.fundingOutpoint);
    for (const tx of txs) {
      if (s.fundingSpend === undefined && tx.spends.has(fundingKey)) {
        const pointOf = (n: number): Uint8Array => this.#signer.getPerCommitmentPoint(n);
        const spend = recordFundingSpend(s, tx, at, pointOf, this.#crypto);
        this.#needsPersist = true;
        this.#log('info', `funding output spent by ${spend.kind} ${tx.txid()} at height ${height}`);
      }
      if (recordClaimSpends(s, tx, at, this.#crypto)) this.#needsPersist = true;
    }
  }

  transactionUnconfirmed(txid: string): void {
    this.#undo({ txid });
  }

  #undo(which: { readonly fromHeight: number } | { readonly txid: string }): void {
    const spend = this.#state.fundingSpend;
    if (!undoConfirmations(this.#state, which)) return;
    this.#needsPersist = true;
    if (spend !== undefined && this.#state.fundingSpend === undefined) {
      this.#claimTxs.clear();
      this.#log('warn', `funding spend ${spend.txid} was reorganized out`);
    }
  }

  /**
   * The new tip: spends that reached `ANTI_REORG_DELAY` become final, HTLC deadlines are
   * checked, and every claim that may now be mined is (re)queued for broadcast.
   */
  bestBlockUpdated(header: Uint8Array, height: number): void {
    checkHeight(height);
    const s = this.#state;
    s.bestBlock = { blockHash: blockHash(header, this.#crypto), height };
    if (matureConfirmations(s, height)) this.#needsPersist = true;
    if (watchHtlcDeadlines(s, height)) this.#needsPersist = true;
    for (const c of dueClaims(s, height)) {
      const tx = this.#claimTransaction(c);
      if (tx !== undefined) this.#toBroadcast.push(tx);
    }
  }

  #claimTransaction(claim: ClaimRecord): Uint8Array | undefined {
    const key = `${claim.outpoint.txid}:${claim.outpoint.index}`;
    const cached = this.#claimTxs.get(key);
    if (cached !== undefined) return cached;
    if (claim.kind === ClaimKind.HolderHtlcTimeout || claim.kind === ClaimKind.HolderHtlcSuccess) {
      // A received HTLC waits here until its preimage arrives in an update.
      const htlcTx = buildHolderHtlcTransaction(this.#state, claim, this.#signer, this.#crypto);
      if (htlcTx !== undefined) this.#claimTxs.set(key, htlcTx);
      return htlcTx;
    }
    const paymentPreimage =
      claim.kind === ClaimKind.CounterpartyHtlcPreimage
        ? counterpartyClaimPreimage(this.#state, claim)
        : undefined;
    // An HTLC we received waits here until its preimage arrives in an update.
    if (claim.kind === ClaimKind.CounterpartyHtlcPreimage && paymentPreimage === undefined) {
      return undefined;
    }
    const { setup } = this.#state;
    const tx = buildClaimTransaction(claim, {
      signer: this.#signer,
      channelType: setup.channelType,
      paymentBasepoint: setup.holderPubkeys.paymentBasepoint,
      destinationScript: this.#keys.getDestinationScript(setup.channelKeysId),
      feerateSatPerKw:
        this.#fees?.getEstSatPer1000Weight(claimFeeTarget(claim.kind)) ?? FEERATE_FLOOR_SAT_PER_KW,
      // The height before the first block the claim fits in: the same transaction whenever it
      // is rebuilt (after a restart), yet never minable in an older block.
      locktime: Math.max(0, claim.spendableHeight - 1),
      perCommitmentSecret:
        claim.kind === ClaimKind.RevokedToLocal
          ? revokedSecret(this.#state, claim.commitmentNumber)
          : undefined,
      paymentPreimage,
      crypto: this.#crypto,
    });
    if (tx === undefined) {
      this.#log('debug', `output ${key} is worth less than the fee to claim it`);
      return undefined;
    }
    this.#claimTxs.set(key, tx);
    return tx;
  }

  /** Confirmed transactions the monitor still tracks for reorganizations. */
  getRelevantTxids(): RelevantTxid[] {
    return relevantTxids(this.#state);
  }

  // ---- output ----

  /** Returns and forgets the events raised since the last call, oldest first. */
  getAndClearPendingMonitorEvents(): MonitorEvent[] {
    const events = this.#state.pendingEvents;
    this.#state.pendingEvents = [];
    return events;
  }

  /** Returns and forgets the transactions to broadcast, in order. */
  takeTransactionsToBroadcast(): Uint8Array[] {
    const txs = this.#toBroadcast;
    this.#toBroadcast = [];
    return txs;
  }

  /**
   * True when chain input changed what is persisted (a spend seen, undone or final, an event
   * raised) since the last call: the `ChainMonitor` then persists the monitor again. A new tip
   * alone does not count: replaying blocks after a restart is harmless.
   */
  takeNeedsPersist(): boolean {
    const dirty = this.#needsPersist;
    this.#needsPersist = false;
    return dirty;
  }
}

/** Checks the outer shape of an update from outside; returns its steps as the known union. */
function checkUpdateShape(update: ChannelMonitorUpdate): {
  readonly updateId: bigint;
  readonly channelId: string;
  readonly steps: readonly ChannelMonitorUpdateStep[];
} {
  if (typeof update !== 'object' || update === null || !Array.isArray(update.steps)) {
    throw new APIMisuseError('ChannelMonitorUpdate: expected { updateId, channelId, steps[] }');
  }
  if (typeof update.channelId !== 'string') {
    throw new APIMisuseError('ChannelMonitorUpdate.channelId: expected lowercase hex');
  }
  return {
    updateId: update.updateId,
    channelId: update.channelId,
    steps: update.steps as readonly ChannelMonitorUpdateStep[],
  };
}
