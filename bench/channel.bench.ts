/**
 * Channel opens end to end: from `createChannel` to `ChannelReady` on both sides, including the
 * funding transaction from a chain wallet and its 6 confirmations on an in-memory chain, opened
 * one after the other between two nodes in this process; then the memory each open channel
 * costs (heap plus array buffers with N channels open, minus the same before, over N, after a
 * full GC where the runtime allows one).
 *
 * boltkit: two `BoltkitNode`s (ChainMonitor, KV-store monitor persister, ChannelManager,
 * PeerManager) joined by an in-memory pipe, on the noble crypto backend and again with
 * libsecp256k1-as-WASM (tiny-secp256k1) for the curve work: a channel open is mostly point
 * arithmetic (per-commitment key derivation) and signatures, which is where the two differ.
 * LDK 0.1 (WASM): two
 * `LdkNode`s on an `LdkChain` over TCP on 127.0.0.1 (the LDK glue has no in-memory socket);
 * their WASM linear memory counts under array buffers and never shrinks, so its figure is an
 * upper bound. Both run in the same process, one after the other; compare only figures from the
 * same run.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { CryptoBackend } from '../src/crypto/backend.js';
import { nobleBackend } from '../src/crypto/noble.js';
import { BoltkitNode } from '../test/interop/boltkit/boltkit-node.js';
import { LdkChain } from '../test/interop/ldk/ldk-chain.js';
import { LdkNode } from '../test/interop/ldk/ldk-node.js';
import { openLdkChannel } from '../test/interop/ldk/ldk-open-channel.js';
import { Pipe } from '../test/support/pipe.js';
import { TestChain } from '../test/support/test-chain.js';
import type { BenchResult } from './harness.js';
import { tinyBackend } from './tiny-backend.js';

const GROUP = 'Channel opens (createChannel to ChannelReady on both sides, 6 confirmations)';
const CHANNELS = 20;
const VALUE_SAT = 200_000n;
const MIN_DEPTH = 6;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('typeof gc === "function" ? gc : undefined') as (() => void) | undefined;

function memoryBytes(): number {
  gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

const tick = (): Promise<void> =>
  new Promise((resolve) => {
    setImmediate(resolve);
  });

async function boltkitOpens(
  crypto: CryptoBackend,
): Promise<{ perSec: number; bytesPerChannel: number }> {
  const chain = new TestChain();
  // One mature coinbase coin per channel, so no funding waits for a change output.
  chain.mineBlocks(101 + CHANNELS);
  const a = new BoltkitNode({ seed: 31, name: 'a', chain, loopIntervalMs: 60_000, crypto });
  const b = new BoltkitNode({ seed: 32, name: 'b', chain, loopIntervalMs: 60_000, crypto });
  const pipe = Pipe.connect(a.peerManager, b.peerManager, 'bench');
  const until = async (pred: () => boolean, what: string): Promise<void> => {
    for (let i = 0; i < 10_000; i++) {
      a.processEvents();
      b.processEvents();
      pipe.pump();
      if (pred()) return;
      await tick();
    }
    throw new Error(
      `boltkit bench: gave up waiting for ${what}\n${a.formatLog()}\n${b.formatLog()}`,
    );
  };
  await until(() => a.isConnectedTo(b.nodeId) && b.isConnectedTo(a.nodeId), 'the connection');
  const before = memoryBytes();
  const start = performance.now();
  for (let i = 0; i < CHANNELS; i++) {
    const temporaryId = a.channelManager.createChannel(b.nodeId, VALUE_SAT, 0n, BigInt(i));
    let channelId = '';
    await until(() => {
      const pending = a
        .eventsOf('ChannelPending')
        .find((e) => e.formerTemporaryChannelId === temporaryId);
      if (pending === undefined) return false;
      channelId = pending.channelId;
      return chain.inMempool(pending.fundingTxo.txid);
    }, 'the funding broadcast');
    chain.mineBlocks(MIN_DEPTH);
    await until(
      () =>
        a.eventsOf('ChannelReady').some((e) => e.channelId === channelId) &&
        b.eventsOf('ChannelReady').some((e) => e.channelId === channelId),
      'ChannelReady on both sides',
    );
  }
  const seconds = (performance.now() - start) / 1000;
  const bytesPerChannel = (memoryBytes() - before) / CHANNELS;
  await Promise.all([a.stop(), b.stop()]);
  return { perSec: CHANNELS / seconds, bytesPerChannel };
}

async function ldkOpens(): Promise<{ perSec: number; bytesPerChannel: number }> {
  const chain = new LdkChain({ matureBlocks: 101 + CHANNELS });
  const quiet = { logLevel: 'warn' } as const;
  const a = await LdkNode.start({ seed: 41, name: 'a', chain, ...quiet });
  const b = await LdkNode.start({ seed: 42, name: 'b', chain, ...quiet });
  // The first open connects the nodes; keep that out of the timing and the memory figure.
  await openLdkChannel(a, b, { valueSat: VALUE_SAT });
  const before = memoryBytes();
  const start = performance.now();
  for (let i = 0; i < CHANNELS; i++) await openLdkChannel(a, b, { valueSat: VALUE_SAT });
  const seconds = (performance.now() - start) / 1000;
  const bytesPerChannel = (memoryBytes() - before) / CHANNELS;
  await Promise.all([a.stop(), b.stop()]);
  return { perSec: CHANNELS / seconds, bytesPerChannel };
}

export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const note = `${CHANNELS} channels of ${VALUE_SAT} sat, opened one at a time`;
  const bk = await boltkitOpens(nobleBackend);
  const bkTiny = await boltkitOpens(tinyBackend);
  const ldk = await ldkOpens();
  results.push(
    { group: GROUP, name: 'opens per second', impl: 'boltkit (noble)', opsPerSec: bk.perSec, note },
    {
      group: GROUP,
      name: 'opens per second',
      impl: 'boltkit (tiny-secp256k1 WASM)',
      opsPerSec: bkTiny.perSec,
      note,
    },
    { group: GROUP, name: 'opens per second', impl: 'LDK 0.1 WASM', opsPerSec: ldk.perSec, note },
    {
      group: GROUP,
      name: 'memory per open channel',
      impl: 'boltkit (noble)',
      value: bk.bytesPerChannel / 1024,
      unit: 'KiB',
      note: 'JS heap + array buffers, both nodes',
    },
    {
      group: GROUP,
      name: 'memory per open channel',
      impl: 'boltkit (tiny-secp256k1 WASM)',
      value: bkTiny.bytesPerChannel / 1024,
      unit: 'KiB',
      note: 'JS heap + array buffers, both nodes',
    },
    {
      group: GROUP,
      name: 'memory per open channel',
      impl: 'LDK 0.1 WASM',
      value: ldk.bytesPerChannel / 1024,
      unit: 'KiB',
      note: 'JS heap + WASM memory growth, both nodes (upper bound)',
    },
  );
  return results;
}
