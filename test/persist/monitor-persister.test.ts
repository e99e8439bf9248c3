// KVStoreMonitorPersister behind a ChainMonitor: every write is InProgress and completion reaches
// the ChainMonitor only after the store's promise resolved (never for a failed write, until a
// retry succeeds); monitors are stored under LDK's layout, read back whole at start-up, and
// archived; malformed stores are refused rather than skipped.
import { beforeAll, describe, expect, it } from 'vitest';
import { ChainMonitor } from '../../src/chain/chain-monitor.js';
import { ChannelMonitor } from '../../src/chain/channel-monitor.js';
import type { OutPoint } from '../../src/chain/outpoint.js';
import { ChannelMonitorUpdateStatus } from '../../src/chain/watch.js';
import type { KVStore } from '../../src/persist/kv-store.js';
import { MemoryKVStore } from '../../src/persist/memory-store.js';
import {
  ARCHIVED_MONITOR_NAMESPACE,
  KVStoreMonitorPersister,
  MONITOR_NAMESPACE,
  monitorKey,
  readChannelMonitors,
} from '../../src/persist/monitor-persister.js';
import { PersistenceError } from '../../src/persist/errors.js';
import { ErrorCode } from '../../src/util/errors.js';
import { ChannelPair, type StepUpdate } from '../chain/monitor/channel-pair.js';
import { preimageAndHash } from '../chain/monitor/helpers.js';

const { InProgress } = ChannelMonitorUpdateStatus;

/** A store whose writes wait until the test settles them, in order. */
class DeferredStore implements KVStore {
  readonly inner = new MemoryKVStore();
  readonly #pending: {
    run: () => Promise<void>;
    resolve: () => void;
    reject: (e: Error) => void;
  }[] = [];

  get pendingWrites(): number {
    return this.#pending.length;
  }

  read(p: string, s: string, k: string): Promise<Uint8Array | undefined> {
    return this.inner.read(p, s, k);
  }

  write(p: string, s: string, k: string, v: Uint8Array): Promise<void> {
    const copy = v.slice();
    return new Promise((resolve, reject) => {
      this.#pending.push({ run: () => this.inner.write(p, s, k, copy), resolve, reject });
    });
  }

  remove(p: string, s: string, k: string, lazy?: boolean): Promise<void> {
    return this.inner.remove(p, s, k, lazy);
  }

  list(p: string, s: string): Promise<string[]> {
    return this.inner.list(p, s);
  }

  /** Makes the oldest write durable. */
  async settleNext(): Promise<void> {
    const w = this.#pending.shift()!;
    await w.run();
    w.resolve();
    await flush();
  }

  /** Fails the oldest write. */
  async failNext(): Promise<void> {
    this.#pending.shift()!.reject(new PersistenceError('write', 'disk full'));
    await flush();
  }
}

async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

describe('KVStoreMonitorPersister', () => {
  let pair: ChannelPair;
  let updates: StepUpdate[];

  beforeAll(() => {
    pair = ChannelPair.open();
    const { hash, preimage } = preimageAndHash(6);
    const id = pair.addHtlc(pair.b, 2_000_000n, hash, pair.chain.height + 100);
    pair.fulfillHtlc(pair.a, id, preimage);
    updates = pair.a.updates;
  });

  function setup(store: KVStore): {
    cm: ChainMonitor;
    persister: KVStoreMonitorPersister;
    monitor: ChannelMonitor;
    op: OutPoint;
  } {
    const persister = new KVStoreMonitorPersister(store);
    const cm = new ChainMonitor({ persister, broadcaster: { broadcastTransactions: () => {} } });
    persister.setCompletionTarget(cm);
    const monitor = ChannelMonitor.fromInitialUpdate(updates[0]!, { keys: pair.a.keys });
    return { cm, persister, monitor, op: monitor.getFundingTxo() };
  }

  it('reports completion only after the store resolved each write', async () => {
    const store = new DeferredStore();
    const { cm, monitor, op } = setup(store);
    expect(cm.watchChannel(op, monitor)).toBe(InProgress);
    expect(cm.updateChannel(op, updates[1]!)).toBe(InProgress);
    expect(cm.updateChannel(op, updates[2]!)).toBe(InProgress);
    expect(store.pendingWrites).toBe(3);
    await flush();
    expect(cm.releasePendingMonitorEvents()).toEqual([]);
    await store.settleNext();
    await store.settleNext();
    expect(cm.getPendingUpdateIds(op)).toEqual([2n]);
    expect(cm.releasePendingMonitorEvents()).toEqual([]);
    await store.settleNext();
    expect(cm.releasePendingMonitorEvents()).toEqual([
      { type: 'Completed', fundingOutpoint: op, channelId: monitor.channelId, monitorUpdateId: 2n },
    ]);
    const stored = await store.inner.read(MONITOR_NAMESPACE, '', monitorKey(op));
    expect(stored).toEqual(monitor.serialize());
  });

  it('never reports a failed write; a retry (or a later write) completes it', async () => {
    const store = new DeferredStore();
    const { cm, persister, monitor, op } = setup(store);
    cm.watchChannel(op, monitor);
    await store.settleNext();
    cm.releasePendingMonitorEvents();
    cm.updateChannel(op, updates[1]!);
    await store.failNext();
    expect(persister.hasFailedWrites()).toBe(true);
    expect(cm.releasePendingMonitorEvents()).toEqual([]);
    expect(cm.getPendingUpdateIds(op)).toEqual([1n]);
    persister.retryFailedWrites();
    expect(persister.hasFailedWrites()).toBe(false);
    await store.settleNext();
    expect(cm.releasePendingMonitorEvents()).toMatchObject([
      { type: 'Completed', monitorUpdateId: 1n },
    ]);
    // A failure followed by a newer write of the same channel needs no retry.
    cm.updateChannel(op, updates[2]!);
    cm.updateChannel(op, updates[3]!);
    await store.failNext();
    expect(persister.hasFailedWrites()).toBe(false);
    await store.settleNext();
    expect(cm.releasePendingMonitorEvents()).toMatchObject([
      { type: 'Completed', monitorUpdateId: 3n },
    ]);
  });

  it('queues completions that arrive before a target is set', async () => {
    const persister = new KVStoreMonitorPersister(new MemoryKVStore());
    const monitor = ChannelMonitor.fromInitialUpdate(updates[0]!, { keys: pair.a.keys });
    const op = monitor.getFundingTxo();
    const seen: [OutPoint, bigint][] = [];
    expect(persister.persistNewChannel(op, monitor)).toBe(InProgress);
    await persister.whenIdle();
    persister.setCompletionTarget({ channelMonitorUpdated: (o, id) => seen.push([o, id]) });
    expect(seen).toEqual([[op, 0n]]);
  });

  it('stores under monitors/<txid>_<index> and reads every monitor back whole', async () => {
    const store = new MemoryKVStore();
    const { cm, persister, monitor, op } = setup(store);
    cm.watchChannel(op, monitor);
    for (const u of updates.slice(1)) cm.updateChannel(op, u);
    await persister.whenIdle();
    expect(await store.list(MONITOR_NAMESPACE, '')).toEqual([`${op.txid}_${op.index}`]);
    const loaded = await readChannelMonitors(store, { keys: pair.a.keys });
    expect(loaded.map((l) => l.fundingOutpoint)).toEqual([op]);
    expect(loaded[0]!.monitor.serialize()).toEqual(monitor.serialize());
    // At start-up they are watched again without being stored again.
    const restarted = new ChainMonitor({
      persister,
      broadcaster: { broadcastTransactions: () => {} },
    });
    restarted.loadExistingMonitor(op, loaded[0]!.monitor);
    expect(restarted.listMonitors()).toEqual([op]);
    expect(loaded[0]!.monitor.getLatestHolderCommitmentTxn()).toEqual(
      monitor.getLatestHolderCommitmentTxn(),
    );
  });

  it('archives a channel out of the start-up set', async () => {
    const store = new MemoryKVStore();
    const { cm, persister, monitor, op } = setup(store);
    cm.watchChannel(op, monitor);
    await persister.whenIdle();
    persister.archivePersistedChannel(op);
    await persister.whenIdle();
    expect(await store.list(MONITOR_NAMESPACE, '')).toEqual([]);
    expect(await store.read(ARCHIVED_MONITOR_NAMESPACE, '', monitorKey(op))).toEqual(
      monitor.serialize(),
    );
    expect(await readChannelMonitors(store, { keys: pair.a.keys })).toEqual([]);
  });

  it('refuses a store with a foreign key, a misplaced or a corrupt monitor', async () => {
    const monitor = ChannelMonitor.fromInitialUpdate(updates[0]!, { keys: pair.a.keys });
    const op = monitor.getFundingTxo();
    const bytes = monitor.serialize();
    const cases: [string, Uint8Array][] = [
      ['not-an-outpoint', bytes],
      [monitorKey({ ...op, index: op.index + 1 }), bytes],
      [monitorKey(op), bytes.slice(0, 40)],
    ];
    for (const [key, value] of cases) {
      const store = new MemoryKVStore();
      await store.write(MONITOR_NAMESPACE, '', key, value);
      await expect(readChannelMonitors(store, { keys: pair.a.keys })).rejects.toMatchObject({
        code: ErrorCode.DecodeError,
      });
    }
  });
});
