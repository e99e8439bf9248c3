// Deterministic test nodes for PeerManager tests: a node key derived from a fixed seed with
// sha256, a tiny node signer over it, a counter-based entropy source and a logger that records.
import { sha256 } from '@noble/hashes/sha2.js';
import { nobleBackend } from '../../src/crypto/noble.js';
import type { PeerManagerOptions } from '../../src/peer-manager/options.js';
import { PeerManager } from '../../src/peer-manager/peer-manager.js';
import type { LogRecord, Logger } from '../../src/util/logger.js';
import { concatBytes } from '../../src/util/bytes.js';

const text = new TextEncoder();

/** A node signer over a secret key derived as sha256(seed). */
export function testNodeSigner(seed: string): {
  secretKey: Uint8Array;
  getNodeId(): Uint8Array;
  ecdh(publicKey: Uint8Array): Uint8Array;
} {
  const secretKey = sha256(text.encode(`boltkit-test-node:${seed}`));
  const nodeId = nobleBackend.getPublicKey(secretKey);
  return {
    secretKey,
    getNodeId: () => nodeId.slice(),
    ecdh: (publicKey) => nobleBackend.ecdh(secretKey, publicKey),
  };
}

/** Entropy from sha256(seed || counter): deterministic, different on every call. */
export function testEntropy(seed: string): { getSecureRandomBytes(): Uint8Array; calls: number } {
  const state = {
    calls: 0,
    getSecureRandomBytes(): Uint8Array {
      const counter = new Uint8Array(4);
      new DataView(counter.buffer).setUint32(0, state.calls++);
      return sha256(concatBytes(text.encode(`boltkit-test-entropy:${seed}`), counter));
    },
  };
  return state;
}

/** A logger that keeps every record, for assertions. */
export class RecordingLogger implements Logger {
  readonly records: LogRecord[] = [];
  log(record: LogRecord): void {
    this.records.push(record);
  }
}

/** A manual clock in milliseconds. */
export class TestClock {
  ms = 1_000_000;
  now = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

export interface TestNode {
  readonly pm: PeerManager;
  readonly nodeId: string;
  readonly logger: RecordingLogger;
  readonly clock: TestClock;
}

/**
 * A PeerManager with fixed seeds; `overrides` replaces any option, and `noClock` leaves out the
 * host clock.
 */
export function makeNode(
  seed: string,
  overrides: Partial<PeerManagerOptions> = {},
  noClock = false,
): TestNode {
  const logger = new RecordingLogger();
  const clock = new TestClock();
  const pm = new PeerManager({
    nodeSigner: testNodeSigner(seed),
    entropySource: testEntropy(seed),
    logger,
    ...(noClock ? {} : { now: clock.now }),
    ...overrides,
  });
  return { pm, nodeId: pm.ourNodeId, logger, clock };
}
