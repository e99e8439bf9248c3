/**
 * `npm run bench [name…]`: runs every benchmark in bench/ (or the named ones) and prints the
 * figures side by side with the peer implementation measured in the same run.
 * Each benchmark module exports `run(): Promise<BenchResult[]>`.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { formatResults, type BenchResult } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.includes(f.replace(/\.bench\.ts$/, '')))
  .sort();

console.log(`boltkit benchmarks on Node ${process.version}, ${process.arch}`);
for (const f of files) {
  const mod = (await import(pathToFileURL(join(here, f)).href)) as {
    run: () => Promise<BenchResult[]>;
  };
  const results = await mod.run();
  console.log(formatResults(results));
}
