/**
 * A small benchmark harness: warm up, then run an operation for a fixed wall time and report
 * operations per second. Benchmarks live apart from tests; tests never assert on timing.
 */
export interface BenchResult {
  readonly group: string;
  readonly name: string;
  /** Which implementation ran: `boltkit (noble)`, `@node-lightning/noise`, `LDK 0.1 WASM`… */
  readonly impl: string;
  readonly opsPerSec?: number;
  /** Throughput in MB/s (10^6 bytes), where it applies. */
  readonly mbPerSec?: number;
  /** Any other figure, with its unit in `unit`. */
  readonly value?: number;
  readonly unit?: string;
  readonly note?: string;
}

/** Runs `fn` repeatedly for about `ms` milliseconds after a warm-up; returns ops/s. */
export async function measure(fn: () => unknown, ms = 1000, warmupMs = 200): Promise<number> {
  const until = (t: number): number => performance.now() + t;
  let end = until(warmupMs);
  while (performance.now() < end) await fn();
  let ops = 0;
  const start = performance.now();
  end = start + ms;
  while (performance.now() < end) {
    await fn();
    ops++;
  }
  return (ops * 1000) / (performance.now() - start);
}

/** Synchronous variant of `measure` for CPU-bound operations (no await overhead). */
export function measureSync(fn: () => unknown, ms = 1000, warmupMs = 200): number {
  let end = performance.now() + warmupMs;
  while (performance.now() < end) fn();
  let ops = 0;
  const start = performance.now();
  end = start + ms;
  while (performance.now() < end) {
    fn();
    ops++;
  }
  return (ops * 1000) / (performance.now() - start);
}

export function formatResults(results: readonly BenchResult[]): string {
  const lines: string[] = [];
  let group = '';
  for (const r of results) {
    if (r.group !== group) {
      group = r.group;
      lines.push('', `## ${group}`);
    }
    const figures: string[] = [];
    if (r.opsPerSec !== undefined)
      figures.push(`${r.opsPerSec.toFixed(r.opsPerSec < 100 ? 1 : 0)} ops/s`);
    if (r.mbPerSec !== undefined) figures.push(`${r.mbPerSec.toFixed(1)} MB/s`);
    if (r.value !== undefined) figures.push(`${r.value.toFixed(1)} ${r.unit ?? ''}`.trim());
    lines.push(
      `  ${r.name.padEnd(44)} ${r.impl.padEnd(26)} ${figures.join(', ')}${r.note ? `  (${r.note})` : ''}`,
    );
  }
  return lines.join('\n');
}
