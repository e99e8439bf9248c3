/**
 * What the `ChannelManager`'s parts (opening, message routing, chain sync, event mapping) share:
 * the manager's collaborators and the few operations every part goes through, so each part is
 * its own module while the manager keeps one copy of the state.
 */
import type { BestBlock } from '../chain/best-block.js';
import type { BroadcasterInterface } from '../chain/broadcaster.js';
import type { FeeEstimator } from '../chain/fee-estimator.js';
import type { OutPoint } from '../chain/outpoint.js';
import type { Watch } from '../chain/watch.js';
import type { CryptoBackend } from '../crypto/backend.js';
import type { ClosureReason } from '../events/closure-reason.js';
import type { Event } from '../events/event.js';
import type { KeysInterface } from '../keys/keys-interface.js';
import type { ChainName } from '../peer-manager/chain-hash.js';
import type { Logger } from '../util/logger.js';
import type { Features } from '../wire/features.js';
import type { Message } from '../wire/message.js';
import type { OpenChannelMessage } from '../wire/messages/channel-establish.js';
import type { ChannelOutput } from './channel/context.js';
import type { ChannelEvent } from './channel/events.js';
import type { UserConfig } from './config.js';
import type { Router } from '../routing/route.js';
import type { InboundPaymentKeys } from './payments/inbound-payment.js';
import type { PaymentState } from './payments/payment-state.js';
import type { ChannelEntry, ClosedChannel } from './manager-state.js';

/** An open request waiting for the host (manual acceptance). */
export interface InboundRequest {
  readonly counterpartyNodeId: string;
  readonly open: OpenChannelMessage;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** See the module comment. */
export interface ManagerContext {
  readonly watch: Watch;
  readonly broadcaster: BroadcasterInterface;
  readonly keys: KeysInterface;
  readonly feeEstimator: FeeEstimator;
  readonly logger: Logger;
  readonly crypto: CryptoBackend;
  readonly config: UserConfig;
  readonly network: ChainName;
  bestBlock: BestBlock;
  /** The live channels; replaced, never mutated in place, when one closes. */
  entries: ChannelEntry[];
  readonly closed: Map<string, ClosedChannel>;
  /** Connected peers and their `init` features. */
  readonly peers: Map<string, Features>;
  /** Keyed `nodeId:temporaryChannelId`. */
  readonly inbound: Map<string, InboundRequest>;
  /** HTLC events kept for the `internal*` test hooks (the newest 1000). */
  readonly htlcEvents: ChannelEvent[];
  /** Payments sent, received and forwarded (persisted with the manager). */
  readonly payments: PaymentState;
  readonly router: Router;
  readonly inboundKeys: InboundPaymentKeys;
  /** Seconds since 1970: the host's clock when it gave one, else the newest block time seen. */
  nowSeconds(): number;
  /** Marks a channel that got updates: it signs them when the current operation ends. */
  touch(entry: ChannelEntry): void;
  /** Runs `fn` once the current channel call is done (payment work that touches other channels). */
  defer(fn: () => void): void;
  /** The manager changed: the host should store it again. */
  markDirty(): void;
  log(level: LogLevel, message: string, peerId?: string, channelId?: string): void;
  send(nodeId: string, message: Message): void;
  queueEvent(event: Event): void;
  /** Runs a channel operation, handling its `ChannelError`s. */
  run(entry: ChannelEntry, fn: () => ChannelOutput): void;
  /** Files one channel call's output: messages, monitor updates, then events. */
  absorb(entry: ChannelEntry, output: ChannelOutput): void;
  forceClose(entry: ChannelEntry, reason: ClosureReason, text: string): void;
  processPendingEvents(): void;
  channelMonitorUpdated(fundingOutpoint: OutPoint, updateId: bigint): void;
}

/** Writes one manager log record. */
export function managerLog(
  logger: Logger,
  level: LogLevel,
  message: string,
  peerId?: string,
  channelId?: string,
): void {
  logger.log({
    level,
    module: 'channel-manager',
    message,
    ...(peerId === undefined ? {} : { peerId }),
    ...(channelId === undefined ? {} : { channelId }),
  });
}
