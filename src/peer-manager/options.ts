/**
 * The `PeerManager`'s options, limits, events and statistics types. The host interfaces here
 * are structural: a `KeysManager` (src/keys) has `getNodeId()`, `ecdh()` and
 * `getSecureRandomBytes()` with exactly these signatures, so it can be passed as both
 * `nodeSigner` and `entropySource`.
 */
import type { CryptoBackend } from '../crypto/backend.js';
import type { Logger } from '../util/logger.js';
import type { NetAddress } from '../wire/address.js';
import type { Features } from '../wire/features.js';
import type {
  ChannelMessageHandler,
  CustomMessageHandler,
  RoutingMessageHandler,
} from './handlers.js';

/** Our node key, as the BOLT 8 handshake needs it. The secret key may stay in the signer. */
export interface PeerNodeSigner {
  /** Our node id: 33-byte compressed public key. */
  getNodeId(): Uint8Array;
  /** SHA256 of the compressed point (our node secret × `publicKey`), 32 bytes (BOLT 8 ECDH). */
  ecdh(publicKey: Uint8Array): Uint8Array;
}

/** Randomness for handshake ephemeral keys and ping sizes. */
export interface PeerEntropySource {
  /** 32 fresh, secure random bytes on every call. */
  getSecureRandomBytes(): Uint8Array;
}

/**
 * Bounds that keep one peer from costing us unbounded memory or from hanging around dead.
 * Ticks are calls to `PeerManager.timerTickOccurred()` (LDK suggests one every 10 seconds).
 */
export interface PeerLimits {
  /**
   * A connection must finish the handshake and the `init` exchange before this many ticks have
   * occurred since it was opened, or it is dropped. Default 2 (so at least one full tick
   * interval).
   */
  readonly initTimeoutTicks: number;
  /**
   * A ping must be answered before this many ticks have occurred since it was sent, or the
   * peer is dropped. Default 1: a ping sent at one tick must be answered by the next.
   */
  readonly pingTimeoutTicks: number;
  /**
   * When this many messages wait in a peer's outbound queue, the host is told to stop reading
   * from it (`resumeRead` false) until the queue drains. Default 12, as in LDK.
   */
  readonly pauseReadQueueMessages: number;
  /** Same, in bytes. Default 128 KiB. */
  readonly pauseReadQueueBytes: number;
  /**
   * A peer whose outbound queue exceeds this many messages is not reading what we send: it is
   * dropped and the queue freed. Default 1000.
   */
  readonly maxQueueMessages: number;
  /** Same, in bytes. Default 4 MiB. */
  readonly maxQueueBytes: number;
  /**
   * A peer whose received-but-undecoded bytes (one partial act or frame) exceed this is
   * dropped. Default 65,569: the largest BOLT 8 frame (18-byte header, 65,535-byte message,
   * 16-byte MAC), so only a tighter setting ever triggers it.
   */
  readonly maxInboundBufferBytes: number;
}

export const defaultPeerLimits: PeerLimits = {
  initTimeoutTicks: 2,
  pingTimeoutTicks: 1,
  pauseReadQueueMessages: 12,
  pauseReadQueueBytes: 128 * 1024,
  maxQueueMessages: 1000,
  maxQueueBytes: 4 * 1024 * 1024,
  maxInboundBufferBytes: 18 + 65535 + 16,
};

export interface PeerManagerOptions {
  readonly nodeSigner: PeerNodeSigner;
  readonly entropySource: PeerEntropySource;
  /**
   * The chain we operate on, sent in `init`'s `networks` and required of peers that send
   * `networks`. 32 bytes in internal byte order (see `chain-hash.ts`); default Bitcoin mainnet.
   */
  readonly chainHash?: Uint8Array;
  /** Default: `NoChannelsMessageHandler` (rejects every channel). */
  readonly channelMessageHandler?: ChannelMessageHandler;
  /** Default: `NoGossipMessageHandler` (answers gossip queries with empty replies). */
  readonly routingMessageHandler?: RoutingMessageHandler;
  /** Without one, unknown odd messages are ignored. */
  readonly customMessageHandler?: CustomMessageHandler;
  readonly logger?: Logger;
  readonly crypto?: CryptoBackend;
  readonly limits?: Partial<PeerLimits>;
  /**
   * The host's clock in milliseconds, used only for statistics (connected since, ping round
   * trip). Core code has no clock of its own; without this those figures are `undefined`.
   */
  readonly now?: () => number;
  /**
   * The features we send in `init` (BOLT 9). Default: boltkit's own (`ourInitFeatures` in
   * `src/wire/our-features.ts`). A peer requiring an even bit not offered here is dropped.
   */
  readonly initFeatures?: Features;
  /**
   * Send `remote_addr` in `init` even for private, loopback or link-local addresses, which BOLT 1
   * says not to do. Default false; tests and local setups may turn it on.
   */
  readonly sendPrivateRemoteAddress?: boolean;
}

/** Why a connection ended. Stable values: hosts and tests branch on them. */
export const DisconnectReason = {
  /** The host reported the socket closed (`socketDisconnected`). */
  SocketClosed: 'socketClosed',
  /** The host's socket threw while we wrote to it. */
  SocketError: 'socketError',
  /** The host asked (`disconnectByNodeId`, `disconnectAllPeers`). */
  HostRequest: 'hostRequest',
  /** The BOLT 8 handshake or an encrypted frame failed (garbage, wrong act, bad MAC). */
  TransportFailed: 'transportFailed',
  /** Handshake and `init` exchange did not finish within `initTimeoutTicks`. */
  InitTimeout: 'initTimeout',
  /** A ping went unanswered for `pingTimeoutTicks`. */
  PingTimeout: 'pingTimeout',
  /** A message before `init`, a second `init`, or a malformed message. */
  ProtocolViolation: 'protocolViolation',
  /** The peer requires a feature we do not offer, or its features miss a dependency. */
  IncompatibleFeatures: 'incompatibleFeatures',
  /** The peer's `networks` do not include our chain. */
  IncompatibleChain: 'incompatibleChain',
  /** The peer sent a message of an even type we do not handle (BOLT 1). */
  UnknownEvenMessage: 'unknownEvenMessage',
  /** Another connection to the same node id won (see the rule in `peer-manager.ts`). */
  DuplicateConnection: 'duplicateConnection',
  /** The peer's node id is our own. */
  SelfConnection: 'selfConnection',
  /** The peer does not read what we send: its outbound queue passed the limit. */
  OutboundQueueFull: 'outboundQueueFull',
  /** The peer sent more undecodable bytes than `maxInboundBufferBytes`. */
  InboundBufferFull: 'inboundBufferFull',
  /** A message handler threw `PeerError` asking to drop the peer. */
  PeerError: 'peerError',
  /** The peer sent an `error` for all channels (all-zero channel id), which ends the link. */
  ReceivedError: 'receivedError',
} as const;
export type DisconnectReason = (typeof DisconnectReason)[keyof typeof DisconnectReason];

/** A statistics snapshot of one connected peer (`PeerManager.listPeers()`). */
export interface PeerDetails {
  /** Lowercase hex node id. */
  readonly nodeId: string;
  /** The host's descriptor id, for matching logs. */
  readonly descriptorId: string;
  /** True when the peer dialled us. */
  readonly inbound: boolean;
  /** The peer's address as the host gave it, if it did. */
  readonly address: NetAddress | undefined;
  /** Our address as the peer reported it in `init` (`remote_addr`), if it did. */
  readonly ourAddressSeenByPeer: NetAddress | undefined;
  /** The peer's `init` features, both fields ORed (BOLT 1). */
  readonly features: Features;
  /** The features both sides may use on this connection (BOLT 1 negotiation rule). */
  readonly negotiatedFeatures: Features;
  /** Host clock (ms) when `init` was exchanged; `undefined` without a clock. */
  readonly connectedSinceMs: number | undefined;
  /** Raw bytes received from and accepted by the socket, handshake included. */
  readonly bytesIn: number;
  readonly bytesOut: number;
  /** Lightning messages received, and queued to be sent (handshake acts not counted). */
  readonly messagesIn: number;
  readonly messagesOut: number;
  /** Round trip of the last answered ping, host clock ms; `undefined` until one is answered. */
  readonly lastPingRoundTripMs: number | undefined;
  /** Messages and bytes waiting in our outbound queue to this peer. */
  readonly queuedMessages: number;
  readonly queuedBytes: number;
  /** True when we last asked the host to stop reading from this peer. */
  readonly readPaused: boolean;
}

export interface PeerConnectedEvent {
  readonly nodeId: string;
  readonly descriptorId: string;
  readonly inbound: boolean;
  /** The peer's `init` features, both fields ORed (BOLT 1). */
  readonly features: Features;
  /** The features both sides may use on this connection. */
  readonly negotiatedFeatures: Features;
  readonly address: NetAddress | undefined;
  readonly ourAddressSeenByPeer: NetAddress | undefined;
}

export interface PeerDisconnectedEvent {
  readonly nodeId: string;
  readonly descriptorId: string;
  readonly inbound: boolean;
  readonly reason: DisconnectReason;
  /** Human-readable detail; not stable. */
  readonly message: string;
}

/** A connection that closed before the peer was connected (handshake or `init` failed). */
export interface ConnectionFailedEvent {
  /** Known for outbound connections, and for inbound ones once act three arrived. */
  readonly nodeId: string | undefined;
  readonly descriptorId: string;
  readonly inbound: boolean;
  readonly reason: DisconnectReason;
  readonly message: string;
}

/** The events a `PeerManager` emits (through eventemitter3), all synchronously. */
export interface PeerManagerEvents {
  peerConnected: (event: PeerConnectedEvent) => void;
  peerDisconnected: (event: PeerDisconnectedEvent) => void;
  connectionFailed: (event: ConnectionFailedEvent) => void;
  /**
   * Something was queued outside `readEvent` (such as by `sendCustomMessage`): the host should
   * call `processEvents()` soon. Emitted at most once until `processEvents()` runs.
   */
  eventsPending: () => void;
}
