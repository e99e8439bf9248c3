/**
 * `KVStoreMonitorPersister`: the `Persist` of a `ChainMonitor` over any `KVStore`, storing each
 * channel's whole monitor (`ChannelMonitor.serialize`) under `monitors/<txid>_<index>` of its
 * funding outpoint, LDK's layout. `readChannelMonitors` loads them all at start-up.
 *
 * Writes are asynchronous, so every call returns `InProgress` at once and the write goes on in
 * the background. Only when the store's promise resolves (which the `KVStore` contract makes
 * mean "durable") does the persister report it, through the completion target's
 * `channelMonitorUpdated(fundingOutpoint, updateId)`, `updateId` being the monitor's latest
 * update id when the snapshot was taken. Until then the `ChainMonitor` keeps the channel frozen:
 * no `revoke_and_ack`, `commitment_signed` or forwarded HTLC that depends on the update leaves,
 * so no funds ever depend on a write nobody waited for. A write that fails never reports
 * completion; the channel stays frozen until `retryFailedWrites` (or the next write of the same
 * channel, which stores everything the failed one had) succeeds.
 *
 * Wiring: the persister is created first and handed to the `ChainMonitor`, then pointed back at
 * it with `setCompletionTarget(chainMonitor)`. Completions that arrive before are queued.
 */
import { ChannelMonitor, type ChannelMonitorDeps } from '../chain/channel-monitor.js';
import {
  compareOutPoints,
  formatOutPoint,
  outPointsEqual,
  type OutPoint,
} from '../chain/outpoint.js';
import type { Persist } from '../chain/persist.js';
import { ChannelMonitorUpdateStatus, type ChannelMonitorUpdate } from '../chain/watch.js';
import { DecodeError } from '../util/errors.js';
import { nullLogger, type Logger } from '../util/logger.js';
import type { KVStore } from './kv-store.js';

/** The primary namespace of live monitors (LDK's `monitors`). */
export const MONITOR_NAMESPACE = 'monitors';
/** Where `archivePersistedChannel` moves a resolved channel's monitor (LDK's). */
export const ARCHIVED_MONITOR_NAMESPACE = 'archived_monitors';

/** Who hears that a write is durable: the `ChainMonitor`. */
export interface MonitorUpdateCompletionTarget {
  channelMonitorUpdated(fundingOutpoint: OutPoint, updateId: bigint): void;
}

export interface KVStoreMonitorPersisterOptions {
  readonly logger?: Logger;
}

/** The store key of a funding outpoint: `<display txid>_<index>`. */
export function monitorKey(fundingOutpoint: OutPoint): string {
  return formatOutPoint(fundingOutpoint).replace(':', '_');
}

function outpointOfKey(key: string): OutPoint {
  const m = /^([0-9a-f]{64})_(0|[1-9][0-9]{0,9})$/.exec(key);
  if (m === null || Number(m[2]) > 0xffffffff) {
    throw new DecodeError(`monitor store: key ${JSON.stringify(key)} is not <txid>_<index>`);
  }
  return { txid: m[1]!, index: Number(m[2]) };
}

interface Snapshot {
  readonly fundingOutpoint: OutPoint;
  readonly updateId: bigint;
  readonly bytes: Uint8Array;
}

/** See the module comment. */
export class KVStoreMonitorPersister implements Persist {
  readonly #store: KVStore;
  readonly #logger: Logger;
  #target: MonitorUpdateCompletionTarget | undefined;
  #queued: [OutPoint, bigint][] = [];
  readonly #inFlight = new Set<Promise<void>>();
  /** Per channel key: how many writes were issued, to tell a stale failure from a live one. */
  readonly #issued = new Map<string, number>();
  /** Per channel key: the newest snapshot whose write failed with nothing newer issued since. */
  readonly #failed = new Map<string, Snapshot>();

  constructor(store: KVStore, options: KVStoreMonitorPersisterOptions = {}) {
    this.#store = store;
    this.#logger = options.logger ?? nullLogger;
  }

  /** Where completions go from now on; completions that came before are delivered at once. */
  setCompletionTarget(target: MonitorUpdateCompletionTarget): void {
    this.#target = target;
    const queued = this.#queued;
    this.#queued = [];
    for (const [outpoint, id] of queued) this.#complete(outpoint, id);
  }

  persistNewChannel(
    fundingOutpoint: OutPoint,
    monitor: ChannelMonitor,
  ): ChannelMonitorUpdateStatus {
    return this.#write(fundingOutpoint, monitor);
  }

  /** Stores the whole updated monitor (the update itself is in it). */
  updatePersistedChannel(
    fundingOutpoint: OutPoint,
    _update: ChannelMonitorUpdate | undefined,
    monitor: ChannelMonitor,
  ): ChannelMonitorUpdateStatus {
    return this.#write(fundingOutpoint, monitor);
  }

  /** Copies the monitor to `archived_monitors`, then removes it from `monitors`, in background. */
  archivePersistedChannel(fundingOutpoint: OutPoint): void {
    const key = monitorKey(fundingOutpoint);
    this.#track(
      (async () => {
        const bytes = await this.#store.read(MONITOR_NAMESPACE, '', key);
        if (bytes !== undefined)
          await this.#store.write(ARCHIVED_MONITOR_NAMESPACE, '', key, bytes);
        await this.#store.remove(MONITOR_NAMESPACE, '', key);
      })().catch((e: unknown) => {
        this.#log('error', `archiving monitor ${key} failed: ${describe(e)}`);
      }),
    );
  }

  /** Writes again every channel whose last write failed; each reports completion on success. */
  retryFailedWrites(): void {
    const failed = [...this.#failed.values()];
    this.#failed.clear();
    for (const snapshot of failed) this.#issue(snapshot);
  }

  /** True when some channel's latest write failed and has not been retried successfully. */
  hasFailedWrites(): boolean {
    return this.#failed.size > 0;
  }

  /** Resolves once every write and archive issued so far has settled (for clean shutdown). */
  async whenIdle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  #log(level: 'info' | 'warn' | 'error', message: string): void {
    this.#logger.log({ level, module: 'monitor-persister', message });
  }

  /** Snapshots the monitor now (it changes after the call returns) and writes it. */
  #write(fundingOutpoint: OutPoint, monitor: ChannelMonitor): ChannelMonitorUpdateStatus {
    this.#issue({
      fundingOutpoint: { ...fundingOutpoint },
      updateId: monitor.getLatestUpdateId(),
      bytes: monitor.serialize(),
    });
    return ChannelMonitorUpdateStatus.InProgress;
  }

  #issue(snapshot: Snapshot): void {
    const key = monitorKey(snapshot.fundingOutpoint);
    const n = (this.#issued.get(key) ?? 0) + 1;
    this.#issued.set(key, n);
    this.#failed.delete(key);
    this.#track(
      this.#store.write(MONITOR_NAMESPACE, '', key, snapshot.bytes).then(
        () => {
          this.#complete(snapshot.fundingOutpoint, snapshot.updateId);
        },
        (e: unknown) => {
          this.#log('error', `writing monitor ${key} failed: ${describe(e)}`);
          // A newer write of the same channel holds everything this one had.
          if (this.#issued.get(key) === n) this.#failed.set(key, snapshot);
        },
      ),
    );
  }

  #complete(fundingOutpoint: OutPoint, updateId: bigint): void {
    const target = this.#target;
    if (target === undefined) {
      this.#queued.push([fundingOutpoint, updateId]);
      return;
    }
    try {
      target.channelMonitorUpdated(fundingOutpoint, updateId);
    } catch (e) {
      this.#log('warn', `completion of ${monitorKey(fundingOutpoint)} refused: ${describe(e)}`);
    }
  }

  #track(p: Promise<void>): void {
    this.#inFlight.add(p);
    void p.finally(() => this.#inFlight.delete(p));
  }
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Reads every stored monitor, sorted by funding outpoint, for the host to hand to
 * `ChainMonitor.loadExistingMonitor` (and the `ChannelManager`) at start-up. Rejects with
 * `DecodeError` when a key is not a funding outpoint, a monitor does not decode, or a monitor
 * sits under another outpoint's key: a monitor silently skipped is a channel left unwatched.
 * Store failures reject with the store's `PersistenceError`.
 */
export async function readChannelMonitors(
  store: KVStore,
  deps: ChannelMonitorDeps,
): Promise<{ fundingOutpoint: OutPoint; monitor: ChannelMonitor }[]> {
  const keys = await store.list(MONITOR_NAMESPACE, '');
  const out: { fundingOutpoint: OutPoint; monitor: ChannelMonitor }[] = [];
  for (const key of keys) {
    const fundingOutpoint = outpointOfKey(key);
    const bytes = await store.read(MONITOR_NAMESPACE, '', key);
    if (bytes === undefined) continue; // removed between list and read
    const monitor = ChannelMonitor.read(bytes, deps);
    if (!outPointsEqual(monitor.getFundingTxo(), fundingOutpoint)) {
      throw new DecodeError(`monitor store: ${key} holds the monitor of another channel`);
    }
    out.push({ fundingOutpoint, monitor });
  }
  return out.sort((a, b) => compareOutPoints(a.fundingOutpoint, b.fundingOutpoint));
}
