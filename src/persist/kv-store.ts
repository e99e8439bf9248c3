/**
 * The storage boltkit writes through (LDK `KVStore`): named byte blobs in a two-level namespace.
 * The channel manager, channel monitors, the network graph and the scorer are stored here; the
 * host picks the backend (`MemoryKVStore`, `FilesystemStore` from `boltkit/node`, or its own over
 * a database or a remote service).
 *
 * Namespaces and keys follow LDK's rules so stores are interchangeable with LDK's layout: each
 * is at most 120 characters from `[A-Za-z0-9_-]`, a key is never empty, and a non-empty
 * secondary namespace needs a non-empty primary one (concerns split by primary namespace first).
 * Namespaces may be empty. Within one namespace pair, a key must not share its name with a
 * nested namespace; callers keep those apart.
 */
import { APIMisuseError } from '../util/errors.js';
import { InvalidStoreKeyError } from './errors.js';

/** Characters allowed in a namespace or key. */
export const KVSTORE_NAMESPACE_KEY_ALPHABET =
  'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-';
/** Longest namespace or key, in characters. */
export const KVSTORE_NAMESPACE_KEY_MAX_LEN = 120;

/**
 * Implemented by the host (or one of boltkit's stores).
 *
 * What the store must do: keep each value under `(primaryNamespace, secondaryNamespace, key)`
 * until it is overwritten or removed. Every method checks its names with `checkStoreKey` /
 * `checkStoreNamespace` and rejects bad ones with `InvalidStoreKeyError` (`APIMisuse`).
 *
 * Durability: `write` and a non-lazy `remove` resolve only once the change survives a crash or
 * power loss (fsync or the backend's equivalent): boltkit releases messages to peers after that
 * promise resolves, so resolving early can lose funds. A write is atomic: after a crash a read
 * returns the old value or the new one, never a mix. Calls for the same key complete in the
 * order they were made.
 *
 * Failure behaviour: an I/O failure rejects with `PersistenceError` and leaves the old value in
 * place. Values are copied: mutating a passed or returned array never changes what is stored.
 */
export interface KVStore {
  /** The stored value, or `undefined` when there is none. */
  read(
    primaryNamespace: string,
    secondaryNamespace: string,
    key: string,
  ): Promise<Uint8Array | undefined>;
  /** Stores `value` durably, creating the namespaces as needed, replacing any old value. */
  write(
    primaryNamespace: string,
    secondaryNamespace: string,
    key: string,
    value: Uint8Array,
  ): Promise<void>;
  /**
   * Removes the value; resolves normally when there was none. With `lazy` the store may defer
   * making the removal durable (it can reappear after a crash, and in `list` for a while), so
   * only pass it for removals that are safe to repeat.
   */
  remove(
    primaryNamespace: string,
    secondaryNamespace: string,
    key: string,
    lazy?: boolean,
  ): Promise<void>;
  /** The keys stored directly under this namespace pair, in no particular order. */
  list(primaryNamespace: string, secondaryNamespace: string): Promise<string[]>;
}

/** True when `value` is a valid namespace (possibly empty) or a valid key apart from emptiness. */
export function isValidStoreName(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > KVSTORE_NAMESPACE_KEY_MAX_LEN) return false;
  for (let i = 0; i < value.length; i++) {
    if (!KVSTORE_NAMESPACE_KEY_ALPHABET.includes(value[i]!)) return false;
  }
  return true;
}

/**
 * Checks a namespace pair (for `list`). Throws `InvalidStoreKeyError` when either has a
 * character outside the alphabet or is too long, or when the secondary namespace is set without
 * a primary one.
 */
export function checkStoreNamespace(primaryNamespace: string, secondaryNamespace: string): void {
  const fail = (why: string): never => {
    throw new InvalidStoreKeyError(
      `KVStore namespace ${describe(primaryNamespace)}/${describe(secondaryNamespace)}: ${why}`,
      textOf(primaryNamespace),
      textOf(secondaryNamespace),
    );
  };
  if (!isValidStoreName(primaryNamespace)) fail(invalidWhy('primary namespace'));
  if (!isValidStoreName(secondaryNamespace)) fail(invalidWhy('secondary namespace'));
  if (primaryNamespace === '' && secondaryNamespace !== '') {
    fail('a secondary namespace needs a primary namespace');
  }
}

/** Checks a namespace pair and key (for `read`, `write`, `remove`); the key must not be empty. */
export function checkStoreKey(
  primaryNamespace: string,
  secondaryNamespace: string,
  key: string,
): void {
  checkStoreNamespace(primaryNamespace, secondaryNamespace);
  if (!isValidStoreName(key) || key === '') {
    throw new InvalidStoreKeyError(
      `KVStore key ${describe(key)}: expected 1 to ${KVSTORE_NAMESPACE_KEY_MAX_LEN} characters from [A-Za-z0-9_-]`,
      primaryNamespace,
      secondaryNamespace,
      textOf(key),
    );
  }
}

/** Throws `APIMisuseError` unless `value` is a `Uint8Array` (a value to `write`). */
export function checkStoreValue(value: unknown): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new APIMisuseError(`KVStore value: expected a Uint8Array, got ${typeof value}`);
  }
}

function invalidWhy(what: string): string {
  return `${what} must be at most ${KVSTORE_NAMESPACE_KEY_MAX_LEN} characters from [A-Za-z0-9_-]`;
}

/** Names arrive typed as strings, but a JavaScript caller may pass anything. */
function textOf(value: unknown): string {
  return typeof value === 'string' ? value : String(value);
}

function describe(value: unknown): string {
  if (typeof value !== 'string') return `<${typeof value}>`;
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}
