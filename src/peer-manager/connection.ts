/**
 * The state of one connection inside the `PeerManager`: its transport, where it is in the
 * connection lifecycle (handshake, waiting for the peer's `init`, connected), keep-alive state,
 * the outbound queue and the statistics `listPeers()` reports.
 */
import type { PeerTransport } from '../transport/peer-transport.js';
import { toHex } from '../util/bytes.js';
import type { NetAddress } from '../wire/address.js';
import { Features } from '../wire/features.js';
import type { InitMessage } from '../wire/messages/setup.js';
import type { PeerDetails } from './options.js';
import { OutboundQueue } from './outbound-queue.js';
import type { SocketDescriptor } from './socket-descriptor.js';

/**
 * `handshake`: BOLT 8 acts in progress. `awaitingInit`: handshake done, our `init` sent, the
 * peer's not yet received. `connected`: both `init`s exchanged; handlers know the peer.
 * `closed`: dropped; nothing more happens on it.
 */
export type ConnectionState = 'handshake' | 'awaitingInit' | 'connected' | 'closed';

/** An outstanding ping of ours. */
export interface PendingPing {
  /** The `num_pong_bytes` we asked for: a pong of another length does not answer it. */
  readonly numPongBytes: number;
  /** Ticks that occurred since it was sent. */
  ticks: number;
  /** Host clock at sending, when the host gave a clock. */
  readonly sentAtMs: number | undefined;
}

export class Connection {
  readonly descriptor: SocketDescriptor;
  readonly transport: PeerTransport;
  readonly inbound: boolean;
  readonly address: NetAddress | undefined;
  readonly queue: OutboundQueue = new OutboundQueue();
  state: ConnectionState = 'handshake';
  /** Lowercase hex; known from the start when outbound, after act three when inbound. */
  nodeId: string | undefined;
  /** Ticks since the connection was opened, while it is not yet connected. */
  setupTicks = 0;
  theirInit: InitMessage | undefined;
  /** The peer's features, both `init` fields ORed (BOLT 1); empty until `init`. */
  theirFeatures: Features = Features.empty();
  /** The features both sides may use; empty until `init`. */
  negotiatedFeatures: Features = Features.empty();
  connectedSinceMs: number | undefined;
  ping: PendingPing | undefined;
  lastPingRoundTripMs: number | undefined;
  bytesIn = 0;
  bytesOut = 0;
  messagesIn = 0;
  messagesOut = 0;

  constructor(
    descriptor: SocketDescriptor,
    transport: PeerTransport,
    inbound: boolean,
    address: NetAddress | undefined,
    nodeId: string | undefined,
  ) {
    this.descriptor = descriptor;
    this.transport = transport;
    this.inbound = inbound;
    this.address = address;
    this.nodeId = nodeId;
  }

  get closed(): boolean {
    return this.state === 'closed';
  }

  /** The peer's node id once the handshake is done (hex); `undefined` before. */
  get authenticatedNodeId(): string | undefined {
    const remote = this.transport.isReady ? this.transport.remoteNodeId : undefined;
    return remote === undefined ? undefined : toHex(remote);
  }

  /** A label for logs: the node id when known, else the descriptor id. */
  get label(): string {
    return this.nodeId ?? this.descriptor.id;
  }

  details(): PeerDetails {
    return {
      nodeId: this.nodeId ?? '',
      descriptorId: this.descriptor.id,
      inbound: this.inbound,
      address: this.address,
      ourAddressSeenByPeer: this.theirInit?.remoteAddr,
      features: this.theirFeatures,
      negotiatedFeatures: this.negotiatedFeatures,
      connectedSinceMs: this.connectedSinceMs,
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      messagesIn: this.messagesIn,
      messagesOut: this.messagesOut,
      lastPingRoundTripMs: this.lastPingRoundTripMs,
      queuedMessages: this.queue.messageCount,
      queuedBytes: this.queue.byteCount,
      readPaused: this.queue.readPaused,
    };
  }
}
