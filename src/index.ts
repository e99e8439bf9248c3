/**
 * boltkit: the platform-neutral public API. Named exports only; internals (codecs, the channel
 * state machine, helpers) stay unexported and tests import them by path.
 */

// Errors and logging.
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

// Crypto backends.
export type { CryptoBackend } from './crypto/backend.js';
export { nobleBackend } from './crypto/noble.js';

// Wire: features and short channel ids (message codecs stay internal).
export { Features, FeatureDependencyError } from './wire/features.js';
export {
  ourInitFeatures,
  ourNodeAnnouncementFeatures,
  ourInvoiceFeatures,
} from './wire/our-features.js';
export type { ShortChannelId } from './wire/short-channel-id.js';
export { formatShortChannelId, parseShortChannelId } from './wire/short-channel-id.js';

// Transport (BOLT 8), for hosts that drive a connection without the PeerManager.
export { PeerTransport } from './transport/peer-transport.js';
export { TransportError, TransportFailure } from './transport/errors.js';

// Peers: connections, init, keep-alive, routing of messages, custom messages (BOLT 1, 8).
export { PeerManager } from './peer-manager/peer-manager.js';
export type {
  PeerManagerOptions,
  PeerNodeSigner,
  PeerEntropySource,
  PeerLimits,
  PeerDetails,
  PeerConnectedEvent,
  PeerDisconnectedEvent,
  ConnectionFailedEvent,
  PeerManagerEvents,
} from './peer-manager/options.js';
export { DisconnectReason, defaultPeerLimits } from './peer-manager/options.js';
export type {
  ChannelMessageHandler,
  RoutingMessageHandler,
  CustomMessageHandler,
  PeerLifecycleHandler,
  OutgoingMessage,
  OutgoingCustomMessage,
} from './peer-manager/handlers.js';
export type { SocketDescriptor } from './peer-manager/socket-descriptor.js';
export {
  PeerError,
  PeerErrorAction,
  PeerNotConnectedError,
  CustomMessageRejectedError,
} from './peer-manager/errors.js';
export { ChainHashHex, chainHashOf } from './peer-manager/chain-hash.js';
export type { ChainName } from './peer-manager/chain-hash.js';
export {
  NoChannelsMessageHandler,
  NoGossipMessageHandler,
} from './peer-manager/default-handlers.js';

// Keys and signing.
export type { KeysInterface, RecoverableSignature } from './keys/keys-interface.js';
export { KeysManager } from './keys/keys-manager.js';
export type { KeysManagerOptions } from './keys/keys-manager.js';
export { InMemorySigner } from './keys/in-memory-signer.js';
export type {
  ChannelSigner,
  ChannelPublicKeys,
  ChannelParameters,
  CounterpartyCommitmentRequest,
  CounterpartyCommitmentSignatures,
} from './keys/channel-signer.js';
export type { SignableInput } from './keys/signable-tx.js';
export { SighashType } from './keys/signable-tx.js';
export { SignerError, SignerRefusal } from './keys/errors.js';

// Chain: the interfaces a host implements or picks.
export type { BroadcasterInterface } from './chain/broadcaster.js';
export type { FeeEstimator } from './chain/fee-estimator.js';
export {
  ConfirmationTarget,
  boundedFeeEstimator,
  FEERATE_FLOOR_SAT_PER_KW,
} from './chain/fee-estimator.js';
export type { Filter, WatchedOutput } from './chain/filter.js';
export type { Listen, TransactionData } from './chain/listen.js';
export type { Confirm, RelevantTxid } from './chain/confirm.js';
export type { BestBlock } from './chain/best-block.js';
export type { Block, BlockHeader } from './chain/block.js';
export { decodeBlock, decodeBlockHeader, blockHash } from './chain/block.js';
export type { OutPoint } from './chain/outpoint.js';
export { parseOutPoint, formatOutPoint } from './chain/outpoint.js';
export type {
  Watch,
  ChannelMonitor as WatchedChannelMonitor,
  ChannelMonitorUpdate,
  MonitorEvent,
} from './chain/watch.js';
export { ChannelMonitorUpdateStatus } from './chain/watch.js';

// Invoices (BOLT 11).
export {
  decodeInvoice,
  encodeInvoice,
  isExpired,
  descriptionMatches,
  secretKeySigner,
  InvoiceError,
  InvoiceErrorReason,
  Network,
  DEFAULT_EXPIRY_SECS,
  DEFAULT_MIN_FINAL_CLTV_EXPIRY_DELTA,
} from './invoice/index.js';
export type {
  Invoice,
  InvoiceFields,
  InvoiceSigner,
  RouteHint,
  RouteHintHop,
  FallbackAddress,
} from './invoice/index.js';

// Persistence.
export type { KVStore } from './persist/kv-store.js';
export { MemoryKVStore } from './persist/memory-store.js';
export { InvalidStoreKeyError, PersistenceError } from './persist/errors.js';

// Channels: monitoring on chain and storing monitors (BOLT 5). The `ChainMonitor` is the `Watch`
// a `ChannelManager` hands every monitor update to; `KVStoreMonitorPersister` stores them.
export { ChainMonitor } from './chain/chain-monitor.js';
export type { ChainMonitorOptions } from './chain/chain-monitor.js';
export type { Persist } from './chain/persist.js';
export { ChannelMonitor, ANTI_REORG_DELAY } from './chain/channel-monitor.js';
export type { ChannelMonitorDeps } from './chain/channel-monitor.js';
export { KVStoreMonitorPersister, readChannelMonitors } from './persist/monitor-persister.js';
export type {
  KVStoreMonitorPersisterOptions,
  MonitorUpdateCompletionTarget,
} from './persist/monitor-persister.js';

// Channels: the ChannelManager (BOLT 2), its configuration, what it lists and the events a host
// drains from it.
export { ChannelManager } from './channel-manager/channel-manager.js';
export type { ChannelManagerOptions } from './channel-manager/channel-manager.js';
export { defaultUserConfig } from './channel-manager/config.js';
export type { UserConfig } from './channel-manager/config.js';
export type { ChannelDetails } from './channel-manager/channel-details.js';
export type { Event, EventType, EventOutPoint } from './events/event.js';
export type { ClosureReason, ClosureReasonType } from './events/closure-reason.js';

// Payments (BOLT 4, BOLT 11): sending, receiving and forwarding through the ChannelManager, the
// events they raise, and the router it asks for paths.
export {
  routeParamsForInvoice,
  routeParamsForNode,
  DEFAULT_RETRY,
} from './channel-manager/manager-payments.js';
export type {
  CreatedInvoice,
  CreateInvoiceOptions,
  InboundPaymentResult,
  PayInvoiceOptions,
  RecentPayment,
} from './channel-manager/manager-payments.js';
export type { RecipientOnionFields, Retry } from './channel-manager/payments/payment-state.js';
export { DuplicatePaymentError } from './channel-manager/payments/payment-errors.js';
export {
  HTLC_FAIL_BACK_BUFFER,
  MIN_FINAL_CLTV_EXPIRY_DELTA,
} from './channel-manager/payments/payment-limits.js';
export { PaymentFailureReason } from './events/payment-events.js';
export type {
  ClaimedHtlc,
  HtlcDestination,
  PaymentEvent,
  PaymentPurpose,
} from './events/payment-events.js';
export { SimpleRouter } from './routing/pathfinder.js';
export type { SimpleRouterOptions, GraphSource } from './routing/pathfinder.js';
export { RouteNotFoundError, RouteNotFoundReason } from './routing/errors.js';
export {
  pathFeeMsat,
  pathFinalValueMsat,
  pathTotalCltvDelta,
  pathTotalMsat,
} from './routing/route.js';
export type {
  FirstHop,
  GraphEdge,
  Path,
  PaymentParameters,
  Route,
  RouteHintHop as RoutingHintHop,
  RouteHop,
  RouteParameters,
  Router,
} from './routing/route.js';
