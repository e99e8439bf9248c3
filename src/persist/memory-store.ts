/**
 * A `KVStore` in memory: for tests, and for hosts that persist elsewhere (it loses everything
 * when the process ends). It follows the same contract as a durable store, including copying
 * values in and out, so code tested against it behaves the same on disk.
 */
import type { KVStore } from './kv-store.js';
import { checkStoreKey, checkStoreNamespace, checkStoreValue } from './kv-store.js';

export class MemoryKVStore implements KVStore {
  /** Keyed by `primary/secondary` (unambiguous: '/' is outside the name alphabet). */
  readonly #namespaces = new Map<string, Map<string, Uint8Array>>();

  read(
    primaryNamespace: string,
    secondaryNamespace: string,
    key: string,
  ): Promise<Uint8Array | undefined> {
    return settle(() => {
      checkStoreKey(primaryNamespace, secondaryNamespace, key);
      return this.#namespaces.get(nsKey(primaryNamespace, secondaryNamespace))?.get(key)?.slice();
    });
  }

  write(
    primaryNamespace: string,
    secondaryNamespace: string,
    key: string,
    value: Uint8Array,
  ): Promise<void> {
    return settle(() => {
      checkStoreKey(primaryNamespace, secondaryNamespace, key);
      checkStoreValue(value);
      // A plain copy: a Buffer's own slice() would alias the caller's memory.
      const copy = new Uint8Array(value);
      const ns = nsKey(primaryNamespace, secondaryNamespace);
      let keys = this.#namespaces.get(ns);
      if (keys === undefined) {
        keys = new Map();
        this.#namespaces.set(ns, keys);
      }
      keys.set(key, copy);
    });
  }

  remove(
    primaryNamespace: string,
    secondaryNamespace: string,
    key: string,
    _lazy?: boolean,
  ): Promise<void> {
    return settle(() => {
      checkStoreKey(primaryNamespace, secondaryNamespace, key);
      const ns = nsKey(primaryNamespace, secondaryNamespace);
      const keys = this.#namespaces.get(ns);
      keys?.delete(key);
      if (keys?.size === 0) this.#namespaces.delete(ns);
    });
  }

  list(primaryNamespace: string, secondaryNamespace: string): Promise<string[]> {
    return settle(() => {
      checkStoreNamespace(primaryNamespace, secondaryNamespace);
      return [...(this.#namespaces.get(nsKey(primaryNamespace, secondaryNamespace))?.keys() ?? [])];
    });
  }
}

function nsKey(primaryNamespace: string, secondaryNamespace: string): string {
  return `${primaryNamespace}/${secondaryNamespace}`;
}

/** Runs `fn` now and turns its result or error into a settled promise, like an async store. */
function settle<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (e) {
    return Promise.reject(e instanceof Error ? e : new Error(String(e)));
  }
}
