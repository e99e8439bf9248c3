/**
 * Loads LDK's WASM build (npm `lightningdevkit` 0.1.0) once per process.
 *
 * All LDK objects in a process share one WASM instance, so a second initialization would swap the
 * instance under live objects; a panic inside LDK also poisons that instance for every node in the
 * process. Callers therefore go through `loadLdk()`, which initializes once and hands back the
 * bindings namespace.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import * as ldk from 'lightningdevkit';

/** The `lightningdevkit` bindings namespace, usable once `loadLdk()` has resolved. */
export type Ldk = typeof ldk;

let loading: Promise<Ldk> | undefined;

/**
 * Reads `liblightningjs.wasm` and initializes the bindings. Idempotent: every call in a process
 * returns the same promise, so concurrent callers never initialize twice.
 */
export function loadLdk(): Promise<Ldk> {
  loading ??= init();
  return loading;
}

async function init(): Promise<Ldk> {
  const require = createRequire(import.meta.url);
  const wasmPath = require.resolve('lightningdevkit/liblightningjs.wasm');
  const wasm = await readFile(wasmPath);
  await ldk.initializeWasmFromBinary(new Uint8Array(wasm.buffer, wasm.byteOffset, wasm.byteLength));
  return ldk;
}

/**
 * Reads a boolean that crossed the WASM boundary. The declarations say `boolean`, but values
 * coming from LDK into callbacks or getters may be the numbers 1 and 0.
 */
export function ldkBool(value: unknown): boolean {
  return value === true || value === 1;
}
