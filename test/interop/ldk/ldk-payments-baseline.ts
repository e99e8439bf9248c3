/**
 * The LDK side of the payments benchmark: two LDK 0.1 nodes (WASM) in this process, one
 * channel between them over real TCP on 127.0.0.1, and a batch of BOLT 11 payments from one to
 * the other with a fixed number kept in flight. Each payment is a fresh invoice from the payee
 * paid by the payer; the next one starts as soon as one settles, from inside the payer's event
 * handling, so no polling delay sits between payments.
 *
 * It lives here rather than under bench/ because it is glue over `LdkNode`; the benchmark calls
 * it and reports `paymentsPerSec` next to boltkit's figure measured in the same run.
 */
import { LdkChain } from './ldk-chain.js';
import { LdkNode } from './ldk-node.js';
import { openLdkChannel } from './ldk-open-channel.js';
import type { LdkOutboundPayment } from './ldk-payments.js';
import { waitFor } from './wait-for.js';

/** BOLT 2: at most 483 HTLCs in flight per direction. */
const MAX_HTLCS = 483;

export interface LdkPaymentsBaselineOptions {
  /** Payments measured. */
  readonly payments: number;
  /** Payments kept in flight at once, 1 to 483. */
  readonly inFlight: number;
  /** Amount of each payment; 1,000 sat by default. */
  readonly amountMsat?: bigint;
  /** Channel size; 10,000,000 sat by default. */
  readonly channelValueSat?: bigint;
  /** Anchor channel instead of static_remotekey; off by default. */
  readonly anchors?: boolean;
  /** Payments made before measuring; 5 by default. */
  readonly warmupPayments?: number;
  /** Bound on the whole measured batch; 120 s by default. */
  readonly timeoutMs?: number;
}

export interface LdkPaymentsBaselineResult {
  readonly payments: number;
  readonly inFlight: number;
  readonly succeeded: number;
  readonly failed: number;
  /** Wall time of the measured batch. */
  readonly seconds: number;
  readonly paymentsPerSec: number;
  /** Process CPU time (user + system) per measured payment, both nodes together. */
  readonly cpuMsPerPayment: number;
  /** Resident set size after the batch. */
  readonly rssMiB: number;
  /** Time to start the nodes and open and confirm the channel. */
  readonly setupSeconds: number;
}

/**
 * Runs the batch and stops both nodes. Throws if the channel cannot carry every payment
 * (payments × amount above 80% of it) or the batch does not finish within `timeoutMs`.
 */
export async function runLdkPaymentsBaseline(
  options: LdkPaymentsBaselineOptions,
): Promise<LdkPaymentsBaselineResult> {
  const { payments, inFlight } = options;
  if (!Number.isInteger(payments) || payments < 1) throw new Error('payments: expected >= 1');
  if (!Number.isInteger(inFlight) || inFlight < 1 || inFlight > MAX_HTLCS) {
    throw new Error(`inFlight: expected 1 to ${MAX_HTLCS}`);
  }
  const amountMsat = options.amountMsat ?? 1_000_000n;
  const channelValueSat = options.channelValueSat ?? 10_000_000n;
  const warmup = options.warmupPayments ?? 5;
  if (BigInt(payments + warmup) * amountMsat * 10n > channelValueSat * 1000n * 8n) {
    throw new Error('payments × amountMsat exceed 80% of the channel: raise channelValueSat');
  }

  const setupStart = performance.now();
  const chain = new LdkChain();
  // Limits raised so `inFlight` HTLCs fit: 483 at once, the whole channel in flight.
  const limits = { maxAcceptedHtlcs: MAX_HTLCS, maxInboundHtlcValueInFlightPercent: 100 };
  const common = {
    chain,
    recordEvents: false,
    gossip: false,
    logLevel: 'warn' as const,
    anchors: options.anchors ?? false,
  };
  const payer = await LdkNode.start({ seed: 0xa1, name: 'payer', ...common, ...limits });
  const payee = await LdkNode.start({ seed: 0xa2, name: 'payee', ...common, ...limits });
  try {
    await openLdkChannel(payer, payee, { valueSat: channelValueSat });
    const setupSeconds = (performance.now() - setupStart) / 1000;

    const runBatch = async (count: number): Promise<{ succeeded: number; failed: number }> => {
      let started = 0;
      let succeeded = 0;
      let failed = 0;
      // A payment LDK refuses to start counts as failed; the next one takes its place.
      const startOne = (): void => {
        while (started < count) {
          started++;
          try {
            payer.payInvoice(payee.createInvoice({ amountMsat }).invoice, { retries: 0 });
            return;
          } catch {
            failed++;
          }
        }
      };
      payer.payments.onOutcome = (payment: LdkOutboundPayment) => {
        if (payment.status === 'succeeded') succeeded++;
        else failed++;
        if (started < count) startOne();
      };
      for (let i = 0; i < Math.min(inFlight, count); i++) startOne();
      await waitFor(
        () => succeeded + failed >= count,
        options.timeoutMs ?? 120_000,
        `${count} payments to settle`,
        1,
      );
      payer.payments.onOutcome = undefined;
      return { succeeded, failed };
    };

    if (warmup > 0) await runBatch(warmup);
    const cpuBefore = process.cpuUsage();
    const t0 = performance.now();
    const { succeeded, failed } = await runBatch(payments);
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    return {
      payments,
      inFlight,
      succeeded,
      failed,
      seconds,
      paymentsPerSec: payments / seconds,
      cpuMsPerPayment: (cpu.user + cpu.system) / 1000 / payments,
      rssMiB: process.memoryUsage().rss / 2 ** 20,
      setupSeconds,
    };
  } finally {
    await Promise.all([payer.stop(), payee.stop()]);
  }
}
