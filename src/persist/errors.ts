/**
 * Errors of the storage layer. A key or namespace a store cannot accept is the caller's mistake
 * (`APIMisuse`); a store that cannot do its I/O raises `PersistenceError`, carrying the
 * underlying error as `cause`.
 */
import { APIMisuseError, BoltkitError, ErrorCode } from '../util/errors.js';

/** A namespace or key outside the `KVStore` rules (see `checkStoreKey`). */
export class InvalidStoreKeyError extends APIMisuseError {
  readonly primaryNamespace: string;
  readonly secondaryNamespace: string;
  /** The key, or `undefined` when a namespace pair alone was checked (as `list` does). */
  readonly key: string | undefined;
  constructor(message: string, primaryNamespace: string, secondaryNamespace: string, key?: string) {
    super(message);
    this.primaryNamespace = primaryNamespace;
    this.secondaryNamespace = secondaryNamespace;
    this.key = key;
  }
}

/** A store failed to read, write, remove or list. What was stored before is still there. */
export class PersistenceError extends BoltkitError {
  /** Which operation failed: `read`, `write`, `remove` or `list`. */
  readonly operation: string;
  constructor(operation: string, message: string, options?: { cause?: unknown }) {
    super(ErrorCode.PersistenceError, message, options);
    this.operation = operation;
  }
}
