/** What a `ChannelManager` is built from: the host's interfaces, config and chain tip. */
import type { BestBlock } from '../chain/best-block.js';
import type { BroadcasterInterface } from '../chain/broadcaster.js';
import type { FeeEstimator } from '../chain/fee-estimator.js';
import type { Watch } from '../chain/watch.js';
import type { CryptoBackend } from '../crypto/backend.js';
import type { KeysInterface } from '../keys/keys-interface.js';
import type { ChainName } from '../peer-manager/chain-hash.js';
import type { Router } from '../routing/route.js';
import type { Logger } from '../util/logger.js';
import type { UserConfig } from './config.js';

export interface ChannelManagerOptions {
  readonly watch: Watch;
  readonly broadcaster: BroadcasterInterface;
  readonly keys: KeysInterface;
  readonly feeEstimator: FeeEstimator;
  readonly logger?: Logger;
  readonly config?: Partial<UserConfig>;
  /** The chain tip the manager starts from (LDK `ChainParameters.best_block`). */
  readonly bestBlock: BestBlock;
  /** The chain the channels live on; `bitcoin` by default. */
  readonly network?: ChainName;
  readonly crypto?: CryptoBackend;
  /** Finds payment routes; a `SimpleRouter` over our channels and invoice hints by default. */
  readonly router?: Router;
  /**
   * The host's clock in seconds since 1970, for invoice timestamps and expiry. Without it the
   * newest block header time seen is used (the core has no clock of its own).
   */
  readonly currentTimeSeconds?: () => number;
}
