// ChainMonitor as the Watch of a real channel's updates: the monitor is stored before it is
// watched, updates are applied then stored, the persister's statuses (Completed, InProgress,
// UnrecoverableError, or an exception) reach the caller, asynchronous completions raise
// Completed only once every update is durable, chain-triggered changes are stored and their
// events held until durable, and funding outputs are registered with the Filter.
import { beforeAll, describe, expect, it } from 'vitest';
import { ChainMonitor } from '../../../src/chain/chain-monitor.js';
import { ChannelMonitor } from '../../../src/chain/channel-monitor.js';
import type { WatchedOutput } from '../../../src/chain/filter.js';
import type { OutPoint } from '../../../src/chain/outpoint.js';
import {
  ChannelMonitorUpdateStatus,
  type ChannelMonitor as WatchedChannelMonitor,
} from '../../../src/chain/watch.js';
import { ErrorCode } from '../../../src/util/errors.js';
import { ChannelPair, type StepUpdate } from './channel-pair.js';
import { RecordingPersister, preimageAndHash, replayMonitor } from './helpers.js';

const { Completed, InProgress, UnrecoverableError } = ChannelMonitorUpdateStatus;
const misuse = expect.objectContaining({ code: ErrorCode.APIMisuse });

describe('ChainMonitor', () => {
  let pair: ChannelPair;
  let updates: StepUpdate[];

  beforeAll(() => {
    pair = ChannelPair.open();
    const { hash, preimage } = preimageAndHash(4);
    const id = pair.addHtlc(pair.a, 4_000_000n, hash, pair.chain.height + 100);
    pair.fulfillHtlc(pair.b, id, preimage);
    updates = pair.a.updates;
    expect(updates.length).toBeGreaterThan(4);
  });

  function fresh(): {
    cm: ChainMonitor;
    persister: RecordingPersister;
    monitor: ChannelMonitor;
    op: OutPoint;
    registered: WatchedOutput[];
    broadcasts: Uint8Array[];
  } {
    const persister = new RecordingPersister();
    const registered: WatchedOutput[] = [];
    const broadcasts: Uint8Array[] = [];
    const cm = new ChainMonitor({
      persister,
      broadcaster: { broadcastTransactions: (txs) => broadcasts.push(...txs) },
      filter: { registerTx: () => undefined, registerOutput: (o) => registered.push(o) },
    });
    const monitor = ChannelMonitor.fromInitialUpdate(updates[0]!, { keys: pair.a.keys });
    return { cm, persister, monitor, op: monitor.getFundingTxo(), registered, broadcasts };
  }

  it('stores a new monitor before watching it, and registers its funding output', () => {
    const { cm, persister, monitor, op, registered } = fresh();
    let listedDuringWrite: OutPoint[] | undefined;
    persister.status = () => {
      listedDuringWrite = cm.listMonitors();
      return Completed;
    };
    expect(cm.watchChannel(op, monitor)).toBe(Completed);
    expect(listedDuringWrite).toEqual([]);
    expect(persister.calls).toMatchObject([{ kind: 'new', fundingOutpoint: op, updateId: 0n }]);
    expect(cm.listMonitors()).toEqual([op]);
    expect(cm.getMonitor(op)).toBe(monitor);
    expect(registered).toEqual([{ outpoint: op, scriptPubKey: monitor.getFundingScriptPubkey() }]);
  });

  it('refuses a duplicate, a mismatched outpoint and a foreign monitor', () => {
    const { cm, monitor, op } = fresh();
    cm.watchChannel(op, monitor);
    const twin = ChannelMonitor.fromInitialUpdate(updates[0]!, { keys: pair.a.keys });
    expect(() => cm.watchChannel(op, twin)).toThrow(misuse);
    const other = fresh();
    expect(() => other.cm.watchChannel({ ...op, index: op.index + 1 }, other.monitor)).toThrow(
      misuse,
    );
    const foreign: WatchedChannelMonitor = {
      channelId: monitor.channelId,
      getFundingTxo: () => op,
      getLatestUpdateId: () => 0n,
    };
    expect(() => other.cm.watchChannel(op, foreign)).toThrow(misuse);
    expect(() => other.cm.watchChannel({ txid: 'x', index: 0 }, other.monitor)).toThrow(
      expect.objectContaining({ code: ErrorCode.DecodeError }),
    );
  });

  it('applies each update before storing it, and reports the status', () => {
    const { cm, persister, monitor, op } = fresh();
    cm.watchChannel(op, monitor);
    for (const u of updates.slice(1)) {
      persister.status = () => {
        expect(monitor.getLatestUpdateId()).toBe(u.updateId);
        return Completed;
      };
      expect(cm.updateChannel(op, u)).toBe(Completed);
    }
    expect(persister.calls.map((c) => c.updateId)).toEqual(updates.map((u) => u.updateId));
    expect(monitor.serialize()).toEqual(replayMonitor(pair.a).serialize());
    expect(cm.releasePendingMonitorEvents()).toEqual([]);
  });

  it('rejects an out-of-order update without storing it, and unknown channels', () => {
    const { cm, persister, monitor, op } = fresh();
    cm.watchChannel(op, monitor);
    expect(() => cm.updateChannel(op, updates[2]!)).toThrow(misuse);
    expect(() => cm.updateChannel(op, updates[0]!)).toThrow(misuse);
    expect(persister.calls).toHaveLength(1);
    const unknown = { ...op, index: op.index + 1 };
    expect(() => cm.updateChannel(unknown, updates[1]!)).toThrow(misuse);
    expect(() => cm.channelMonitorUpdated(unknown, 0n)).toThrow(misuse);
    expect(() => cm.channelMonitorUpdated(op, 5n)).toThrow(misuse);
  });

  it('with an asynchronous persister, raises Completed once every update is durable', () => {
    const { cm, persister, monitor, op } = fresh();
    persister.status = () => InProgress;
    expect(cm.watchChannel(op, monitor)).toBe(InProgress);
    expect(cm.updateChannel(op, updates[1]!)).toBe(InProgress);
    expect(cm.updateChannel(op, updates[2]!)).toBe(InProgress);
    expect(cm.getPendingUpdateIds(op)).toEqual([0n, 1n, 2n]);
    // This write finished at once, but earlier ones did not: the channel must keep waiting.
    persister.status = () => Completed;
    expect(cm.updateChannel(op, updates[3]!)).toBe(InProgress);
    expect(cm.releasePendingMonitorEvents()).toEqual([]);
    cm.channelMonitorUpdated(op, 1n);
    expect(cm.getPendingUpdateIds(op)).toEqual([2n]);
    expect(cm.releasePendingMonitorEvents()).toEqual([]);
    cm.channelMonitorUpdated(op, 2n);
    expect(cm.releasePendingMonitorEvents()).toEqual([
      { type: 'Completed', fundingOutpoint: op, channelId: monitor.channelId, monitorUpdateId: 3n },
    ]);
    // Repeated or late completions change nothing.
    cm.channelMonitorUpdated(op, 2n);
    expect(cm.releasePendingMonitorEvents()).toEqual([]);
    expect(cm.updateChannel(op, updates[4]!)).toBe(Completed);
  });

  it('passes UnrecoverableError through, and treats a throwing persister the same', () => {
    const { cm, persister, monitor, op } = fresh();
    cm.watchChannel(op, monitor);
    persister.status = () => UnrecoverableError;
    expect(cm.updateChannel(op, updates[1]!)).toBe(UnrecoverableError);
    persister.status = () => {
      throw new Error('disk on fire');
    };
    expect(cm.updateChannel(op, updates[2]!)).toBe(UnrecoverableError);
    // The in-memory monitor still has the newest state: the chain is enforced with it.
    expect(monitor.getLatestUpdateId()).toBe(2n);
    persister.status = () => 'Maybe' as ChannelMonitorUpdateStatus;
    expect(cm.updateChannel(op, updates[3]!)).toBe(UnrecoverableError);

    const other = fresh();
    other.persister.status = () => UnrecoverableError;
    expect(other.cm.watchChannel(other.op, other.monitor)).toBe(UnrecoverableError);
    expect(other.cm.listMonitors()).toEqual([]);
  });

  it('stores chain-triggered changes and holds their events until durable', () => {
    const { cm, persister, monitor, op, broadcasts } = fresh();
    cm.watchChannel(op, monitor);
    for (const u of updates.slice(1)) cm.updateChannel(op, u);
    const before = persister.calls.length;
    const commitment = replayMonitor(pair.b).getLatestHolderCommitmentTxn();
    // The peer's commitment reported confirmed in the tip block, Electrum style.
    const header = pair.chain.getHeader(pair.chain.height)!;
    persister.status = () => InProgress;
    cm.transactionsConfirmed(header, [[1, commitment]], pair.chain.height);
    expect(persister.calls.slice(before)).toMatchObject([{ kind: 'update', updateId: undefined }]);
    expect(cm.releasePendingMonitorEvents()).toEqual([]);
    cm.bestBlockUpdated(header, pair.chain.height);
    expect(broadcasts).toHaveLength(1); // our to_remote sweep
    cm.channelMonitorUpdated(op, monitor.getLatestUpdateId());
    expect(cm.releasePendingMonitorEvents()).toMatchObject([
      { type: 'FundingSpent', spendKind: 'CounterpartyCommitment' },
    ]);
    expect(cm.getRelevantTxids().map((r) => r.height)).toEqual([pair.chain.height]);
    cm.transactionUnconfirmed(cm.getRelevantTxids()[0]!.txid);
    cm.channelMonitorUpdated(op, monitor.getLatestUpdateId());
    expect(cm.releasePendingMonitorEvents()).toMatchObject([{ type: 'FundingSpendReorged' }]);
  });

  it('validates chain input before any monitor sees it', () => {
    const { cm, monitor, op } = fresh();
    cm.watchChannel(op, monitor);
    const header = pair.chain.getHeader(pair.chain.height)!;
    expect(() => cm.bestBlockUpdated(header, -1)).toThrow(misuse);
    expect(() => cm.bestBlockUpdated(header.slice(1), 5)).toThrow(
      expect.objectContaining({ code: ErrorCode.DecodeError }),
    );
    expect(monitor.getBestBlock()).toBeUndefined();
    cm.bestBlockUpdated(header, pair.chain.height);
    expect(monitor.getBestBlock()).toEqual(pair.chain.tip);
  });
});
