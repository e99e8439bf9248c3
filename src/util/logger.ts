/**
 * Logging. boltkit never writes to a console itself: every record goes to the host's `Logger`,
 * with the peer and channel it concerns so a host can filter per peer or channel.
 */

export const LogLevel = {
  Gossip: 'gossip',
  Trace: 'trace',
  Debug: 'debug',
  Info: 'info',
  Warn: 'warn',
  Error: 'error',
} as const;
export type LogLevel = (typeof LogLevel)[keyof typeof LogLevel];

export interface LogRecord {
  readonly level: LogLevel;
  /** The module that logged, such as `peer-manager` or `transport`. */
  readonly module: string;
  readonly message: string;
  /** Lowercase hex node id of the peer concerned, when there is one. */
  readonly peerId?: string;
  /** Lowercase hex channel id concerned, when there is one. */
  readonly channelId?: string;
}

/** Implemented by the host. Must not throw; must not call back into boltkit synchronously. */
export interface Logger {
  log(record: LogRecord): void;
}

/** A logger that drops everything; the default when a host passes none. */
export const nullLogger: Logger = {
  log(): void {
    // Deliberately empty.
  },
};
