/**
 * Payments per second between two nodes in this process: BOLT 11 invoices made by the payee and
 * paid by the payer over one channel, (a) one at a time (invoice, `payInvoice`, the payee's
 * `processPendingHtlcForwards` and `claimFunds`, until `PaymentSent`) and (b) in batches of 50
 * in flight (50 `payInvoice` calls, then the nodes run until all 50 `PaymentSent`).
 *
 * boltkit (bench/payments-pair.ts): each node is a host as a real one is wired (KeysManager,
 * ChainMonitor with a KVStoreMonitorPersister over a MemoryKVStore, ChannelManager, PeerManager)
 * and the two PeerManagers talk over an in-memory socket pair, so every message is BOLT 8
 * encrypted. Channels are static_remotekey, 10,000,000 sat, taking up to 483 HTLCs. Monitor
 * updates are stored whole (serialized) and released only when the store's promise resolves;
 * each manager is serialized and stored whenever `getAndClearNeedsPersistence()` says so, which
 * the host loop asks after every round. Rows for the noble backend, for noble with
 * libsecp256k1-as-WASM (tiny-secp256k1) for the curve work as bench/channel.bench.ts does, and
 * for the Node backend (OpenSSL hashes and AEAD, native libsecp256k1 when the addon is built).
 *
 * LDK 0.1 (WASM): two LDK nodes over TCP on 127.0.0.1 (`runLdkPaymentsBaseline`), the same
 * number of payments of the same amount on a channel of the same size and type, monitors in
 * memory answering Completed without serializing and no manager persistence, so its side does
 * less storage work than boltkit's. Its batch keeps 50 in flight at all times (a new payment
 * starts as one settles) where boltkit's waits for each batch of 50 to settle.
 *
 * Also: the memory each in-flight payment costs (heap and array buffers of both nodes with 50
 * payments held claimable, less the same with none, after full GCs; the second of two rounds,
 * since the first also compiles the code that holds payments), measured once on the fastest
 * backend since the state kept does not depend on the backend; what boltkit stores per payment;
 * and the size of the payer's stored manager and monitor. The manager grows with the payments
 * made, since resolved outbound payments stay in it until `timerTickOccurred` calls forget them
 * (a few seconds of payments see no tick); the monitor does not (it keeps no HTLCs of revoked
 * states).
 *
 * Sphinx construction and peeling at 20 hops are reported here too (the same measurement as
 * bench/onion.bench.ts, which also has the final-hop peel and LDK's).
 *
 * Counts: BENCH_PAYMENTS_ONE_AT_A_TIME (default 10) and BENCH_PAYMENTS_BATCHES (batches of 50,
 * default 1) set how many payments each row makes; the defaults keep each row to a few seconds.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { nobleBackend, type CryptoBackend } from '../src/index.js';
import { nodeCryptoBackend } from '../src/node.js';
import { runLdkPaymentsBaseline } from '../test/interop/ldk/ldk-payments-baseline.js';
import type { BenchResult } from './harness.js';
import { tinyBackend } from './tiny-backend.js';
import { sphinxResults } from './onion.bench.js';
import { AMOUNT_MSAT, BenchPair, nextMacrotask, type CountingStore } from './payments-pair.js';

const GROUP = 'Payments between two nodes (invoice, pay, claim, PaymentSent)';
const IN_FLIGHT = 50;
/** Payments made on each new pair before the timed ones. */
const WARMUP_PAYMENTS = 3;

function countFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name}: expected a positive integer`);
  return n;
}

setFlagsFromString('--expose-gc');
// A full GC also drops the bytecode of functions not run lately, which would show up as memory
// freed while payments are held: keep bytecode so the memory figure counts payment state only.
setFlagsFromString('--no-flush-bytecode');
const gc = runInNewContext('typeof gc === "function" ? gc : undefined') as (() => void) | undefined;

/**
 * Heap and array buffers in use after full GCs. Array buffer memory is released after the GC
 * that finds it dead (by a sweeper running alongside), so the figure is read after a few rounds
 * of collecting and yielding, once it stops falling.
 */
async function memoryBytes(): Promise<number> {
  let last = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 10; i++) {
    gc?.();
    await nextMacrotask();
    const m = process.memoryUsage();
    const now = m.heapUsed + m.arrayBuffers;
    if (now >= last) return now;
    last = now;
  }
  return last;
}

interface StorageFigures {
  readonly writesPerPayment: number;
  readonly monitorBytesPerPayment: number;
  readonly managerBytesPerPayment: number;
  /** The payer's stored manager and channel monitor after the run. */
  readonly managerBytes: number;
  readonly monitorBytes: number;
}

interface BoltkitFigures {
  readonly oneAtATimePerSec: number;
  readonly batchPerSec: number;
  /** Process CPU (user + system) per payment, both nodes. */
  readonly oneAtATimeCpuMs: number;
  readonly batchCpuMs: number;
  readonly storage: StorageFigures;
  /** Only when asked for (`measureMemory`). */
  readonly bytesPerInFlight: number | undefined;
}

/** Process CPU time (user + system) since `since`, in ms. */
function cpuMs(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
}

/** Heap and array buffers per payment while `IN_FLIGHT` payments are held claimable. */
async function inFlightMemory(pair: BenchPair): Promise<number> {
  await pair.settle();
  const before = await memoryBytes();
  pair.payee.autoClaim = false;
  const claimableTarget = pair.payee.claimable + IN_FLIGHT;
  pair.startPayments(IN_FLIGHT);
  await pair.run(() => pair.payee.claimable >= claimableTarget, `${IN_FLIGHT} PaymentClaimable`);
  // Every commitment signed and every monitor stored: the HTLCs sit on both sides.
  await pair.settle();
  const bytes = ((await memoryBytes()) - before) / IN_FLIGHT;
  pair.payee.autoClaim = true;
  const sentTarget = pair.payer.sent + IN_FLIGHT;
  for (const preimage of pair.payee.held.splice(0)) pair.payee.manager.claimFunds(preimage);
  await pair.run(() => pair.payer.sent >= sentTarget, 'the held payments to be sent');
  return bytes;
}

async function boltkitPayments(
  crypto: CryptoBackend,
  oneAtATime: number,
  batches: number,
  measureMemory: boolean,
): Promise<BoltkitFigures> {
  const pair = new BenchPair(crypto);
  await pair.openChannel();
  // Warm-up: a few payments before anything is timed.
  for (let i = 0; i < WARMUP_PAYMENTS; i++) await pair.payBatch(1);

  const stores = [pair.payer.store, pair.payee.store];
  const sum = (f: (s: CountingStore) => number): number =>
    stores.reduce((total, st) => total + f(st), 0);
  const writes = sum((st) => st.writes);
  const monitorBytes = sum((st) => st.monitorBytes);
  const managerBytes = sum((st) => st.managerBytes);
  let start = performance.now();
  let cpu = process.cpuUsage();
  for (let i = 0; i < oneAtATime; i++) await pair.payBatch(1);
  const oneAtATimePerSec = oneAtATime / ((performance.now() - start) / 1000);
  const oneAtATimeCpuMs = cpuMs(cpu) / oneAtATime;
  const storage: StorageFigures = {
    writesPerPayment: (sum((st) => st.writes) - writes) / oneAtATime,
    monitorBytesPerPayment: (sum((st) => st.monitorBytes) - monitorBytes) / oneAtATime,
    managerBytesPerPayment: (sum((st) => st.managerBytes) - managerBytes) / oneAtATime,
    managerBytes: pair.payer.store.sizes.get('/manager') ?? 0,
    monitorBytes: [...pair.payer.store.sizes]
      .filter(([k]) => k.startsWith('monitors/'))
      .reduce((total, [, n]) => total + n, 0),
  };

  start = performance.now();
  cpu = process.cpuUsage();
  for (let i = 0; i < batches; i++) await pair.payBatch(IN_FLIGHT);
  const batchPerSec = (batches * IN_FLIGHT) / ((performance.now() - start) / 1000);
  const batchCpuMs = cpuMs(cpu) / (batches * IN_FLIGHT);

  // The first round also compiles the code that holds payments; the second is measured.
  if (measureMemory) await inFlightMemory(pair);
  const bytesPerInFlight = measureMemory ? await inFlightMemory(pair) : undefined;
  return { oneAtATimePerSec, batchPerSec, oneAtATimeCpuMs, batchCpuMs, storage, bytesPerInFlight };
}

const kib = (bytes: number): number => bytes / 1024;

export async function run(): Promise<BenchResult[]> {
  const oneAtATime = countFromEnv('BENCH_PAYMENTS_ONE_AT_A_TIME', 10);
  const batches = countFromEnv('BENCH_PAYMENTS_BATCHES', 1);
  const batchPayments = batches * IN_FLIGHT;
  const nodeCurve = nodeCryptoBackend.secp256k1 === 'noble' ? 'noble curve' : 'libsecp256k1';
  const backends: { impl: string; crypto: CryptoBackend; memory: boolean }[] = [
    { impl: 'boltkit (noble)', crypto: nobleBackend, memory: false },
    { impl: 'boltkit (tiny-secp256k1 WASM)', crypto: tinyBackend, memory: false },
    // The fastest backend here; memory does not depend on the backend, so it is measured once.
    { impl: `boltkit (node, ${nodeCurve})`, crypto: nodeCryptoBackend, memory: true },
  ];
  const figures: { impl: string; f: BoltkitFigures }[] = [];
  for (const b of backends) {
    figures.push({
      impl: b.impl,
      f: await boltkitPayments(b.crypto, oneAtATime, batches, b.memory),
    });
  }
  const ldkOne = await runLdkPaymentsBaseline({ payments: oneAtATime, inFlight: 1 });
  const ldkBatch = await runLdkPaymentsBaseline({ payments: batchPayments, inFlight: IN_FLIGHT });
  for (const r of [ldkOne, ldkBatch]) {
    if (r.failed > 0) throw new Error(`LDK baseline: ${r.failed} payments failed`);
  }

  const results: BenchResult[] = [];
  const ldk = 'LDK 0.1 WASM';
  const ldkNote = 'TCP, monitors not serialized';
  /** One row per boltkit backend and one for LDK. */
  const rows = (
    name: string,
    pick: (f: BoltkitFigures) => number,
    ldkFigure: number,
    unit: 'payments/s' | 'ms',
    note: string,
    ldkExtra: string,
  ): void => {
    const figure = (v: number) => (unit === 'ms' ? { value: v, unit } : { opsPerSec: v });
    for (const { impl, f } of figures) {
      results.push({ group: GROUP, name, impl, ...figure(pick(f)), note });
    }
    const extra = ldkExtra === '' ? ldkNote : `${ldkExtra}; ${ldkNote}`;
    results.push({ group: GROUP, name, impl: ldk, ...figure(ldkFigure), note: extra });
  };
  const oneNote = `${oneAtATime} payments of ${AMOUNT_MSAT / 1000n} sat`;
  const batchNote = `${batches} batch${batches === 1 ? '' : 'es'} of ${IN_FLIGHT}`;
  const ldkBatchNote = `${batchPayments} payments, ${IN_FLIGHT} kept in flight`;
  const cpuNote = 'process CPU, both nodes';
  rows(
    'one at a time, payments/s',
    (f) => f.oneAtATimePerSec,
    ldkOne.paymentsPerSec,
    'payments/s',
    oneNote,
    oneNote,
  );
  rows(
    `${IN_FLIGHT} in flight, payments/s`,
    (f) => f.batchPerSec,
    ldkBatch.paymentsPerSec,
    'payments/s',
    batchNote,
    ldkBatchNote,
  );
  rows(
    'CPU per payment, one at a time',
    (f) => f.oneAtATimeCpuMs,
    ldkOne.cpuMsPerPayment,
    'ms',
    cpuNote,
    cpuNote,
  );
  rows(
    `CPU per payment, ${IN_FLIGHT} in flight`,
    (f) => f.batchCpuMs,
    ldkBatch.cpuMsPerPayment,
    'ms',
    cpuNote,
    cpuNote,
  );
  for (const { impl, f } of figures) {
    if (f.bytesPerInFlight === undefined) continue;
    results.push({
      group: GROUP,
      name: 'memory per in-flight payment',
      impl,
      value: kib(f.bytesPerInFlight),
      unit: 'KiB',
      note: `JS heap + array buffers, both nodes, ${IN_FLIGHT} held claimable`,
    });
  }
  const st = figures[0]!.f.storage;
  results.push(
    {
      group: GROUP,
      name: 'stored per payment, one at a time',
      impl: 'boltkit',
      value: kib(st.monitorBytesPerPayment + st.managerBytesPerPayment),
      unit: 'KiB',
      note: `both nodes, ${st.writesPerPayment.toFixed(1)} writes: monitors ${kib(st.monitorBytesPerPayment).toFixed(0)} KiB, managers ${kib(st.managerBytesPerPayment).toFixed(0)} KiB`,
    },
    {
      group: GROUP,
      name: `payer's stored state after ${WARMUP_PAYMENTS + oneAtATime} payments`,
      impl: 'boltkit',
      value: kib(st.managerBytes + st.monitorBytes),
      unit: 'KiB',
      note: `manager ${kib(st.managerBytes).toFixed(1)} KiB, channel monitor ${kib(st.monitorBytes).toFixed(1)} KiB`,
    },
  );
  // Sphinx at 20 hops, as bench/onion measures it, next to the payment rates.
  for (const b of backends) {
    if (b.crypto !== tinyBackend) results.push(...sphinxResults(b.crypto, b.impl, GROUP));
  }
  return results;
}
