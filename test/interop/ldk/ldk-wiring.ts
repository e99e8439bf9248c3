/**
 * Builds the LDK 0.1 objects one test node is made of: keys from a fixed seed, a fixed fee
 * estimator, a recording logger and broadcaster, in-memory monitor persistence answering
 * `Completed`, the `ChainMonitor`, a regtest `ChannelManager` on the given best block, and a
 * `PeerManager` with optional `P2PGossipSync` and the custom message handler.
 *
 * LDK holds trait objects weakly, so everything handed over is returned in `keepAlive` for the
 * node to hold. Hooks are called from inside WASM: they must not throw and must not call LDK.
 */
import type {
  BroadcasterInterface,
  ChainMonitor,
  ChannelManager,
  Event,
  EventHandler,
  FeeEstimator,
  KeysManager,
  Logger,
  NetworkGraph,
  Persist,
  PeerManager,
  RoutingMessageHandler,
} from 'lightningdevkit';
import { LdkCustomMessages } from './custom-messages.js';
import type { LdkBestBlock } from './ldk-chain.js';
import type { Ldk } from './load.js';
import { makeUserConfig } from './user-config.js';
import type { LdkConfigOptions } from './user-config.js';

/** What the wiring needs from the node options. */
export interface LdkWiringOptions extends LdkConfigOptions {
  readonly seed: Uint8Array | number;
  readonly gossip?: boolean;
  readonly acceptCustomType?: (type: number) => boolean;
  /**
   * Lowest LDK log level recorded: `trace` (the default, for reading a failed test) down to
   * `error`. Records below it are dropped before their text crosses the WASM boundary, which
   * matters for throughput runs.
   */
  readonly logLevel?: LdkLogLevel;
}

/** LDK's log levels above `Gossip`, lowest first. */
export type LdkLogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';
const LOG_LEVEL_NUMBERS: Record<LdkLogLevel, number> = {
  trace: 1,
  debug: 2,
  info: 3,
  warn: 4,
  error: 5,
};

/** Called from inside LDK callbacks; implementations queue or record, never throw. */
export interface LdkWiringHooks {
  log(line: string): void;
  broadcast(tx: Uint8Array): void;
  event(event: Event): void;
  callbackError(error: unknown): void;
  /** The fee rate the estimator answers for every target, read on each call. */
  feerateSatPerKw(): number;
}

export interface LdkWiring {
  readonly logger: Logger;
  readonly broadcaster: BroadcasterInterface;
  readonly feeEstimator: FeeEstimator;
  readonly keysManager: KeysManager;
  readonly chainMonitor: ChainMonitor;
  readonly channelManager: ChannelManager;
  readonly peerManager: PeerManager;
  readonly networkGraph: NetworkGraph;
  readonly custom: LdkCustomMessages;
  readonly eventHandler: EventHandler;
  /** Objects LDK holds weakly; the node keeps them for its lifetime. */
  readonly keepAlive: readonly unknown[];
}

const LEVEL_NAMES = ['GOSSIP', 'TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'] as const;

/** Seeds are 32 bytes; a number stands for that byte repeated. */
export function seedBytes(seed: Uint8Array | number): Uint8Array {
  const bytes = typeof seed === 'number' ? new Uint8Array(32).fill(seed) : seed;
  if (bytes.length !== 32) throw new Error(`seed: expected 32 bytes, got ${bytes.length}`);
  return bytes;
}

export function wireLdkNode(
  ldk: Ldk,
  options: LdkWiringOptions,
  best: LdkBestBlock,
  hooks: LdkWiringHooks,
): LdkWiring {
  const minLevel = LOG_LEVEL_NUMBERS[options.logLevel ?? 'trace'];
  const logger: Logger = ldk.Logger.new_impl({
    log: (record) => {
      try {
        const level: number = record.get_level();
        if (level < minLevel) return;
        hooks.log(
          `${LEVEL_NAMES[level] ?? level} ${record.get_module_path()}: ${record.get_args()}`,
        );
      } catch (e) {
        hooks.callbackError(e);
      }
    },
  });
  const feeEstimator: FeeEstimator = ldk.FeeEstimator.new_impl({
    get_est_sat_per_1000_weight: () => hooks.feerateSatPerKw(),
  });
  const broadcaster: BroadcasterInterface = ldk.BroadcasterInterface.new_impl({
    broadcast_transactions: (txs) => {
      try {
        for (const tx of txs) hooks.broadcast(tx);
      } catch (e) {
        hooks.callbackError(e);
      }
    },
  });
  // Monitors live only in memory: every update reports Completed at once.
  const persister: Persist = ldk.Persist.new_impl({
    persist_new_channel: () =>
      ldk.ChannelMonitorUpdateStatus.LDKChannelMonitorUpdateStatus_Completed,
    update_persisted_channel: () =>
      ldk.ChannelMonitorUpdateStatus.LDKChannelMonitorUpdateStatus_Completed,
    archive_persisted_channel: () => undefined,
  });
  const chainMonitor = ldk.ChainMonitor.constructor_new(
    ldk.Option_FilterZ.constructor_none(),
    broadcaster,
    logger,
    feeEstimator,
    persister,
  );

  // Fixed starting time: keys and ephemeral data derive from the seed alone, run after run.
  const keysManager = ldk.KeysManager.constructor_new(seedBytes(options.seed), 1_700_000_000n, 0);
  const entropy = keysManager.as_EntropySource();

  const networkGraph = ldk.NetworkGraph.constructor_new(ldk.Network.LDKNetwork_Regtest, logger);
  const scorer = ldk.ProbabilisticScorer.constructor_new(
    ldk.ProbabilisticScoringDecayParameters.constructor_default(),
    networkGraph,
    logger,
  );
  const lockableScore = ldk.MultiThreadedLockableScore.constructor_new(scorer.as_Score());
  const router = ldk.DefaultRouter.constructor_new(
    networkGraph,
    logger,
    entropy,
    lockableScore.as_LockableScore(),
    ldk.ProbabilisticScoringFeeParameters.constructor_default(),
  );
  const messageRouter = ldk.DefaultMessageRouter.constructor_new(networkGraph, entropy);

  const channelManager = ldk.ChannelManager.constructor_new(
    feeEstimator,
    chainMonitor.as_Watch(),
    broadcaster,
    router.as_Router(),
    messageRouter.as_MessageRouter(),
    logger,
    entropy,
    keysManager.as_NodeSigner(),
    keysManager.as_SignerProvider(),
    makeUserConfig(ldk, options),
    ldk.ChainParameters.constructor_new(
      ldk.Network.LDKNetwork_Regtest,
      ldk.BestBlock.constructor_new(best.hash, best.height),
    ),
    best.timeSecs,
  );

  const ignorer = ldk.IgnoringMessageHandler.constructor_new();
  const keepAlive: unknown[] = [];
  let routingHandler: RoutingMessageHandler;
  if (options.gossip ?? true) {
    const gossipSync = ldk.P2PGossipSync.constructor_new(
      networkGraph,
      ldk.Option_UtxoLookupZ.constructor_none(),
      logger,
    );
    keepAlive.push(gossipSync);
    routingHandler = gossipSync.as_RoutingMessageHandler();
  } else {
    routingHandler = ignorer.as_RoutingMessageHandler();
  }
  const custom = new LdkCustomMessages(ldk, options.acceptCustomType);
  const peerManager = ldk.PeerManager.constructor_new(
    channelManager.as_ChannelMessageHandler(),
    routingHandler,
    ignorer.as_OnionMessageHandler(),
    custom.handler,
    best.timeSecs,
    entropy.get_secure_random_bytes(),
    logger,
    keysManager.as_NodeSigner(),
  );

  const eventHandler: EventHandler = ldk.EventHandler.new_impl({
    handle_event: (event) => {
      try {
        hooks.event(event);
      } catch (e) {
        hooks.callbackError(e);
      }
      return ldk.Result_NoneReplayEventZ.constructor_ok();
    },
  });
  keepAlive.push(persister, scorer, lockableScore, router, messageRouter, ignorer, routingHandler);
  return {
    logger,
    broadcaster,
    feeEstimator,
    keysManager,
    chainMonitor,
    channelManager,
    peerManager,
    networkGraph,
    custom,
    eventHandler,
    keepAlive,
  };
}
