/**
 * boltkit: the platform-neutral public API. Named exports only; internals stay unexported.
 */
export {
  BoltkitError,
  DecodeError,
  APIMisuseError,
  CryptoError,
  ChannelUnavailableError,
  ErrorCode,
} from './util/errors.js';
export type { Logger, LogRecord } from './util/logger.js';
export { LogLevel, nullLogger } from './util/logger.js';
export type { CryptoBackend } from './crypto/backend.js';
export { nobleBackend } from './crypto/noble.js';
