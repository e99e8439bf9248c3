/**
 * `ChainMonitor` (LDK `ChainMonitor`): boltkit's `Watch`. It keeps one `ChannelMonitor` per
 * funding outpoint, persists each through the host's `Persist` before anything may depend on it,
 * feeds them the chain (`Listen` or `Confirm`), broadcasts what they produce and relays their
 * events to the `ChannelManager`.
 *
 * Persistence and ordering: a monitor is stored before it is watched, and every update is
 * applied in memory first (so the chain is enforced with the newest state at once), then stored.
 * While any update of a channel is still being stored (`InProgress`), later updates report
 * `InProgress` too, even if their own write finished, and the `Completed` event comes once
 * everything up to the monitor's latest update is durable: the channel never sends a message
 * that depends on state a crash could lose. Chain input that changes a monitor (a funding spend
 * seen, a claim confirmed) is stored as well (`updatePersistedChannel` without an update), and
 * the events it raised are held until that write is durable.
 *
 * Failure behaviour: an exception from the persister counts as `UnrecoverableError`. A monitor
 * that throws while processing a block is logged and skipped; the others still see the block.
 */
import type { CryptoBackend } from '../crypto/backend.js';
import { nobleBackend } from '../crypto/noble.js';
import { APIMisuseError } from '../util/errors.js';
import { nullLogger, type Logger } from '../util/logger.js';
import { checkHeight } from './best-block.js';
import { blockHash, type Block } from './block.js';
import type { BroadcasterInterface } from './broadcaster.js';
import { ChannelMonitor } from './channel-monitor.js';
import { parseConfirmedTxs } from './channel-monitor-onchain.js';
import type { Confirm, RelevantTxid } from './confirm.js';
import type { Filter } from './filter.js';
import type { Listen, TransactionData } from './listen.js';
import {
  checkOutPoint,
  compareOutPoints,
  formatOutPoint,
  outPointsEqual,
  type OutPoint,
} from './outpoint.js';
import type { Persist } from './persist.js';
import {
  ChannelMonitorUpdateStatus,
  type ChannelMonitor as WatchedChannelMonitor,
  type ChannelMonitorUpdate,
  type MonitorEvent,
  type Watch,
} from './watch.js';

export interface ChainMonitorOptions {
  readonly persister: Persist;
  readonly broadcaster: BroadcasterInterface;
  /** For light-client hosts: told about every output whose spend the monitors must see. */
  readonly filter?: Filter;
  readonly logger?: Logger;
  readonly crypto?: CryptoBackend;
}

interface Entry {
  readonly monitor: ChannelMonitor;
  /** Updates handed to the persister that are not durable yet, oldest first. */
  pendingUpdateIds: bigint[];
  /** A chain-triggered write in progress, stored with the monitor at this update id. */
  chainSyncPendingAt: bigint | undefined;
  /** Events raised while a chain-triggered write was in progress, released once it is durable. */
  heldEvents: MonitorEvent[];
  /** Outputs already registered with the filter. */
  readonly registered: Set<string>;
}

/** See the module comment. */
export class ChainMonitor implements Watch, Listen, Confirm {
  readonly #persister: Persist;
  readonly #broadcaster: BroadcasterInterface;
  readonly #filter: Filter | undefined;
  readonly #logger: Logger;
  readonly #crypto: CryptoBackend;
  readonly #monitors = new Map<string, Entry>();
  #events: MonitorEvent[] = [];

  constructor(options: ChainMonitorOptions) {
    this.#persister = options.persister;
    this.#broadcaster = options.broadcaster;
    this.#filter = options.filter;
    this.#logger = options.logger ?? nullLogger;
    this.#crypto = options.crypto ?? nobleBackend;
  }

  #log(level: 'debug' | 'info' | 'warn' | 'error', message: string, channelId?: string): void {
    this.#logger.log({
      level,
      module: 'chain-monitor',
      message,
      ...(channelId === undefined ? {} : { channelId }),
    });
  }

  /** Runs a persister call; an exception is `UnrecoverableError`. */
  #persist(what: string, fn: () => ChannelMonitorUpdateStatus): ChannelMonitorUpdateStatus {
    try {
      const status = fn();
      if (status === ChannelMonitorUpdateStatus.UnrecoverableError) {
        this.#log('error', `${what}: the persister reported an unrecoverable error`);
      }
      return Object.values(ChannelMonitorUpdateStatus).includes(status)
        ? status
        : ChannelMonitorUpdateStatus.UnrecoverableError;
    } catch (e) {
      this.#log(
        'error',
        `${what}: the persister threw ${e instanceof Error ? e.message : String(e)}`,
      );
      return ChannelMonitorUpdateStatus.UnrecoverableError;
    }
  }

  #checkNew(fundingOutpoint: OutPoint, monitor: WatchedChannelMonitor): [string, ChannelMonitor] {
    const outpoint = checkOutPoint(fundingOutpoint);
    if (!(monitor instanceof ChannelMonitor)) {
      throw new APIMisuseError('watchChannel: expected a boltkit ChannelMonitor');
    }
    if (!outPointsEqual(outpoint, monitor.getFundingTxo())) {
      throw new APIMisuseError(
        `watchChannel: ${formatOutPoint(outpoint)} is not the monitor's funding outpoint`,
      );
    }
    const key = formatOutPoint(outpoint);
    if (this.#monitors.has(key)) {
      throw new APIMisuseError(`watchChannel: ${key} is already watched (duplicate funding)`);
    }
    return [key, monitor];
  }

  #add(key: string, monitor: ChannelMonitor, pending: bigint[]): void {
    const entry: Entry = {
      monitor,
      pendingUpdateIds: pending,
      chainSyncPendingAt: undefined,
      heldEvents: [],
      registered: new Set(),
    };
    this.#monitors.set(key, entry);
    this.#registerOutputs(entry);
  }

  /**
   * Persists a new channel's monitor, then watches it. Throws `APIMisuseError` for an outpoint
   * already watched or not the monitor's. With `UnrecoverableError` the monitor is not watched.
   */
  watchChannel(
    fundingOutpoint: OutPoint,
    monitor: WatchedChannelMonitor,
  ): ChannelMonitorUpdateStatus {
    const [key, m] = this.#checkNew(fundingOutpoint, monitor);
    const status = this.#persist(`persisting new monitor ${key}`, () =>
      this.#persister.persistNewChannel(m.getFundingTxo(), m),
    );
    if (status === ChannelMonitorUpdateStatus.UnrecoverableError) return status;
    const pending = status === ChannelMonitorUpdateStatus.InProgress ? [m.getLatestUpdateId()] : [];
    this.#add(key, m, pending);
    this.#log('info', `watching channel funded at ${key}`, m.channelId);
    return status;
  }

  /**
   * Watches a monitor read back from storage at start-up (`readChannelMonitors`), without storing
   * it again. Throws like `watchChannel`.
   */
  loadExistingMonitor(fundingOutpoint: OutPoint, monitor: ChannelMonitor): void {
    const [key, m] = this.#checkNew(fundingOutpoint, monitor);
    this.#add(key, m, []);
  }

  #entry(fundingOutpoint: OutPoint, what: string): Entry {
    const key = formatOutPoint(fundingOutpoint);
    const entry = this.#monitors.get(key);
    if (entry === undefined) throw new APIMisuseError(`${what}: no monitor for ${key}`);
    return entry;
  }

  /**
   * Applies `update` to the channel's monitor, then stores it. Throws `APIMisuseError` for an
   * unknown channel and whatever `ChannelMonitor.update` throws for a bad update (an id out of
   * order, an inconsistent step); a rejected update is not stored.
   */
  updateChannel(
    fundingOutpoint: OutPoint,
    update: ChannelMonitorUpdate,
  ): ChannelMonitorUpdateStatus {
    const entry = this.#entry(fundingOutpoint, 'updateChannel');
    const { monitor } = entry;
    monitor.update(update);
    this.#broadcast(monitor);
    const status = this.#persist(`persisting update ${update.updateId}`, () =>
      this.#persister.updatePersistedChannel(monitor.getFundingTxo(), update, monitor),
    );
    this.#registerOutputs(entry);
    if (status === ChannelMonitorUpdateStatus.InProgress) {
      entry.pendingUpdateIds.push(update.updateId);
    }
    if (status === ChannelMonitorUpdateStatus.Completed && entry.pendingUpdateIds.length > 0) {
      // Durable itself, but an earlier update is not: the channel must keep waiting.
      return ChannelMonitorUpdateStatus.InProgress;
    }
    return status;
  }

  /**
   * The host's asynchronous persister stored everything of this channel up to `updateId` (the
   * monitor's latest update id when the write was issued). Once no update is left in progress,
   * raises `Completed` with the monitor's latest update id; events held for a chain-triggered
   * write are released. Throws `APIMisuseError` for an unknown channel or an id the monitor never
   * reached.
   */
  channelMonitorUpdated(fundingOutpoint: OutPoint, updateId: bigint): void {
    const entry = this.#entry(fundingOutpoint, 'channelMonitorUpdated');
    const { monitor } = entry;
    if (typeof updateId !== 'bigint' || updateId > monitor.getLatestUpdateId()) {
      throw new APIMisuseError(
        `channelMonitorUpdated: update ${String(updateId)} was never applied (latest is ${monitor.getLatestUpdateId()})`,
      );
    }
    if (entry.chainSyncPendingAt !== undefined && updateId >= entry.chainSyncPendingAt) {
      entry.chainSyncPendingAt = undefined;
      entry.heldEvents.push(...monitor.getAndClearPendingMonitorEvents());
    }
    const before = entry.pendingUpdateIds.length;
    entry.pendingUpdateIds = entry.pendingUpdateIds.filter((id) => id > updateId);
    if (before > 0 && entry.pendingUpdateIds.length === 0) {
      this.#events.push({
        type: 'Completed',
        fundingOutpoint: monitor.getFundingTxo(),
        channelId: monitor.channelId,
        monitorUpdateId: monitor.getLatestUpdateId(),
      });
    }
  }

  /**
   * Returns and forgets the pending events: `Completed` ones first, then each monitor's, except
   * those held for a chain-triggered write still in progress.
   */
  releasePendingMonitorEvents(): MonitorEvent[] {
    const out = this.#events;
    this.#events = [];
    for (const entry of this.#sortedEntries()) {
      out.push(...entry.heldEvents);
      entry.heldEvents = [];
      if (entry.chainSyncPendingAt === undefined) {
        out.push(...entry.monitor.getAndClearPendingMonitorEvents());
      }
    }
    return out;
  }

  /** The funding outpoints of every watched channel, sorted. */
  listMonitors(): OutPoint[] {
    return this.#sortedEntries().map((e) => e.monitor.getFundingTxo());
  }

  /** The monitor of the channel funded at `fundingOutpoint`, if watched. */
  getMonitor(fundingOutpoint: OutPoint): ChannelMonitor | undefined {
    return this.#monitors.get(formatOutPoint(fundingOutpoint))?.monitor;
  }

  /** Update ids of the channel still being stored, oldest first (empty when all are durable). */
  getPendingUpdateIds(fundingOutpoint: OutPoint): bigint[] {
    return [...this.#entry(fundingOutpoint, 'getPendingUpdateIds').pendingUpdateIds];
  }

  /**
   * Stops watching every channel whose monitor says it is fully resolved on chain
   * (`ChannelMonitor.isFullyResolved`) and asks the persister to archive it. Returns their
   * funding outpoints.
   */
  archiveFullyResolvedChannelMonitors(): OutPoint[] {
    const archived: OutPoint[] = [];
    for (const [key, entry] of this.#monitors) {
      const { monitor } = entry;
      if (!monitor.isFullyResolved() || entry.pendingUpdateIds.length > 0) continue;
      try {
        this.#persister.archivePersistedChannel(monitor.getFundingTxo());
      } catch (e) {
        this.#log(
          'error',
          `archiving ${key} failed: ${e instanceof Error ? e.message : String(e)}`,
        );
        continue;
      }
      this.#monitors.delete(key);
      archived.push(monitor.getFundingTxo());
    }
    return archived.sort(compareOutPoints);
  }

  // ---- chain input ----

  #sortedEntries(): Entry[] {
    return [...this.#monitors.values()].sort((a, b) =>
      compareOutPoints(a.monitor.getFundingTxo(), b.monitor.getFundingTxo()),
    );
  }

  /** Runs chain input on every monitor, then broadcasts, registers and persists what changed. */
  #forEach(what: string, fn: (monitor: ChannelMonitor) => void): void {
    for (const entry of this.#sortedEntries()) {
      const { monitor } = entry;
      try {
        fn(monitor);
      } catch (e) {
        this.#log(
          'error',
          `${what}: ${e instanceof Error ? e.message : String(e)}`,
          monitor.channelId,
        );
      }
      this.#broadcast(monitor);
      this.#registerOutputs(entry);
      if (monitor.takeNeedsPersist()) this.#persistChainSync(entry);
    }
  }

  #broadcast(monitor: ChannelMonitor): void {
    for (const tx of monitor.takeTransactionsToBroadcast()) {
      this.#broadcaster.broadcastTransactions([tx]);
    }
  }

  #registerOutputs(entry: Entry): void {
    if (this.#filter === undefined) return;
    for (const output of entry.monitor.getOutputsToWatch()) {
      const key = formatOutPoint(output.outpoint);
      if (entry.registered.has(key)) continue;
      entry.registered.add(key);
      this.#filter.registerOutput(output);
    }
  }

  #persistChainSync(entry: Entry): void {
    const { monitor } = entry;
    const status = this.#persist('persisting after chain input', () =>
      this.#persister.updatePersistedChannel(monitor.getFundingTxo(), undefined, monitor),
    );
    if (status === ChannelMonitorUpdateStatus.InProgress) {
      entry.chainSyncPendingAt = monitor.getLatestUpdateId();
    }
  }

  blockConnected(block: Block, height: number): void {
    this.filteredBlockConnected(
      block.header,
      block.transactions.map((tx, i) => [i, tx] as const),
      height,
    );
  }

  /** As `blockConnected` with only the transactions a compact filter matched. */
  filteredBlockConnected(header: Uint8Array, txdata: TransactionData, height: number): void {
    checkHeight(height);
    blockHash(header, this.#crypto);
    const txs = parseConfirmedTxs(txdata, this.#crypto);
    this.#forEach('blockConnected', (m) => {
      m.confirmParsedTransactions(header, txs, height);
      m.bestBlockUpdated(header, height);
    });
  }

  blockDisconnected(header: Uint8Array, height: number): void {
    checkHeight(height);
    blockHash(header, this.#crypto);
    this.#forEach('blockDisconnected', (m) => {
      m.blockDisconnected(header, height);
    });
  }

  transactionsConfirmed(header: Uint8Array, txdata: TransactionData, height: number): void {
    checkHeight(height);
    blockHash(header, this.#crypto);
    const txs = parseConfirmedTxs(txdata, this.#crypto);
    this.#forEach('transactionsConfirmed', (m) => {
      m.confirmParsedTransactions(header, txs, height);
    });
  }

  transactionUnconfirmed(txid: string): void {
    this.#forEach('transactionUnconfirmed', (m) => {
      m.transactionUnconfirmed(txid);
    });
  }

  bestBlockUpdated(header: Uint8Array, height: number): void {
    checkHeight(height);
    blockHash(header, this.#crypto);
    this.#forEach('bestBlockUpdated', (m) => {
      m.bestBlockUpdated(header, height);
    });
  }

  getRelevantTxids(): RelevantTxid[] {
    const out = new Map<string, RelevantTxid>();
    for (const entry of this.#sortedEntries()) {
      for (const r of entry.monitor.getRelevantTxids()) out.set(`${r.txid}:${r.blockHash}`, r);
    }
    return [...out.values()];
  }
}
