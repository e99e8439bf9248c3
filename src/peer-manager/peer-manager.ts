/**
 * The `PeerManager`: every connection to other Lightning nodes, from the first handshake byte to
 * the routed message (BOLT 8 transport, BOLT 1 `init`, `ping`/`pong`, `error`/`warning`).
 *
 * Sans-I/O, like LDK's `PeerManager` (lightning/src/ln/peer_handler.rs): the host owns the
 * sockets. It reports each new socket (`newOutboundConnection`, `newInboundConnection`), hands
 * over received bytes (`readEvent`), reports room to write (`writeBufferSpaceAvail`) and closed
 * sockets (`socketDisconnected`), calls `processEvents()` after reads and whenever
 * `eventsPending` fires, and `timerTickOccurred()` on a steady interval (about 10 s). We write
 * through `SocketDescriptor.sendData` and close through `disconnectSocket`. Nothing is
 * asynchronous inside: every call does its work before it returns.
 *
 * Rules chosen here:
 * - At most one connection per node id, settled when a second connection to the same node
 *   completes its handshake; the loser is dropped with reason `duplicateConnection`. Same
 *   direction (the peer reconnected, e.g. after a restart while we still held its old
 *   connection): the newer connection replaces the older. Opposite directions (both sides
 *   dialled at once): the connection dialled by the node with the smaller node id wins, which
 *   both sides compute alike, so exactly one survives. `newOutboundConnection` to a node that
 *   is already connected throws `APIMisuse` up front, which saves a handshake.
 * - Keep-alive: every tick pings each connected peer with no ping outstanding; a ping unanswered
 *   for `pingTimeoutTicks` ticks (default 1: by the next tick) drops the peer.
 * - A peer whose answers pile up unread gets reads paused, then is dropped at
 *   `maxQueueMessages` / `maxQueueBytes` (see `PeerLimits`).
 */
import { EventEmitter } from 'eventemitter3';
import type { CryptoBackend } from '../crypto/backend.js';
import { nobleBackend } from '../crypto/noble.js';
import { PeerTransport } from '../transport/peer-transport.js';
import { fromHex, toHex } from '../util/bytes.js';
import { APIMisuseError, DecodeError } from '../util/errors.js';
import { nullLogger } from '../util/logger.js';
import type { NetAddress } from '../wire/address.js';
import { ourInitFeatures } from '../wire/our-features.js';
import { chainHashOf } from './chain-hash.js';
import { Connection } from './connection.js';
import { checkCustomMessage } from './custom-message.js';
import { NoChannelsMessageHandler, NoGossipMessageHandler } from './default-handlers.js';
import { PeerNotConnectedError } from './errors.js';
import { InboundProcessor } from './inbound.js';
import {
  defaultPeerLimits,
  DisconnectReason,
  type PeerDetails,
  type PeerEntropySource,
  type PeerManagerEvents,
  type PeerManagerOptions,
  type PeerNodeSigner,
} from './options.js';
import { PeerTable } from './peer-table.js';
import type { SocketDescriptor } from './socket-descriptor.js';

export class PeerManager extends EventEmitter<PeerManagerEvents> {
  /** Our node id, lowercase hex. */
  readonly ourNodeId: string;
  private readonly ourNodeIdBytes: Uint8Array;
  private readonly signer: PeerNodeSigner;
  private readonly entropy: PeerEntropySource;
  private readonly crypto: CryptoBackend;
  private readonly peers: PeerTable;
  private readonly inbound: InboundProcessor;
  private processing = false;
  private processAgain = false;
  private eventsPendingSignalled = false;

  /** Throws `APIMisuse` for a signer without a valid node id or a chain hash not 32 bytes. */
  constructor(options: PeerManagerOptions) {
    super();
    this.crypto = options.crypto ?? nobleBackend;
    this.signer = options.nodeSigner;
    this.entropy = options.entropySource;
    const nodeId = this.signer.getNodeId();
    if (!(nodeId instanceof Uint8Array) || !this.crypto.isValidPublicKey(nodeId)) {
      throw new APIMisuseError('nodeSigner.getNodeId: expected a 33-byte public key');
    }
    this.ourNodeIdBytes = this.crypto.compressPublicKey(nodeId);
    this.ourNodeId = toHex(this.ourNodeIdBytes);
    const chainHash = (options.chainHash ?? chainHashOf('bitcoin')).slice();
    if (chainHash.length !== 32) throw new APIMisuseError('chainHash: expected 32 bytes');
    this.peers = new PeerTable(
      {
        ourNodeId: this.ourNodeId,
        limits: { ...defaultPeerLimits, ...options.limits },
        chainHash,
        initFeatures: options.initFeatures ?? ourInitFeatures,
        channelHandler: options.channelMessageHandler ?? new NoChannelsMessageHandler(),
        routingHandler: options.routingMessageHandler ?? new NoGossipMessageHandler(),
        customHandler: options.customMessageHandler,
        logger: options.logger ?? nullLogger,
        now: options.now,
        sendPrivateRemoteAddress: options.sendPrivateRemoteAddress ?? false,
      },
      this,
    );
    this.inbound = new InboundProcessor(this.peers);
  }

  // ---- connections ------------------------------------------------------------------------------

  /**
   * Starts a connection we dialled to `theirNodeId` (33-byte hex) and writes BOLT 8 act one to
   * `descriptor`. `remoteAddress` is where we dialled; it goes back to the peer in `init`'s
   * `remote_addr`. Throws `DecodeError` for a malformed node id and `APIMisuse` for our own
   * node id, a node already connected, or a descriptor already in use; the host then closes
   * the socket itself.
   */
  newOutboundConnection(
    theirNodeId: string,
    descriptor: SocketDescriptor,
    remoteAddress?: NetAddress,
  ): void {
    const remote = fromHex(theirNodeId, 33, 'theirNodeId');
    if (!this.crypto.isValidPublicKey(remote)) {
      throw new DecodeError('theirNodeId: not a valid secp256k1 public key');
    }
    const nodeId = toHex(remote);
    if (nodeId === this.ourNodeId) {
      throw new APIMisuseError('newOutboundConnection: refusing to connect to our own node id');
    }
    if (this.peers.byNode(nodeId) !== undefined) {
      throw new APIMisuseError(`newOutboundConnection: already connected to ${nodeId}`);
    }
    this.assertNewDescriptor(descriptor);
    const transport = PeerTransport.initiator({
      localNodeId: this.ourNodeIdBytes,
      ecdh: (pub) => this.signer.ecdh(pub),
      ephemeralSecretKey: this.ephemeralKey(),
      crypto: this.crypto,
      remoteNodeId: remote,
    });
    const conn = new Connection(descriptor, transport, false, remoteAddress, nodeId);
    this.peers.add(conn);
    this.peers.log('debug', `outbound connection opened on ${descriptor.id}`, nodeId);
    conn.queue.push(transport.start());
    this.peers.flush(conn);
  }

  /**
   * Starts a connection the peer dialled; we wait for its act one. `remoteAddress` is the
   * peer's address, reported back in `init`'s `remote_addr`. Throws `APIMisuse` for a
   * descriptor already in use.
   */
  newInboundConnection(descriptor: SocketDescriptor, remoteAddress?: NetAddress): void {
    this.assertNewDescriptor(descriptor);
    const transport = PeerTransport.responder({
      localNodeId: this.ourNodeIdBytes,
      ecdh: (pub) => this.signer.ecdh(pub),
      ephemeralSecretKey: this.ephemeralKey(),
      crypto: this.crypto,
    });
    this.peers.add(new Connection(descriptor, transport, true, remoteAddress, undefined));
    this.peers.log('debug', `inbound connection opened on ${descriptor.id}`);
  }

  /**
   * Bytes received on `descriptor`, split anywhere. Never throws for anything the peer sent: a
   * misbehaving peer is dropped (its socket closed through `disconnectSocket`). May call
   * `sendData` on this descriptor (handshake acts, `init`, `pong`, a last `warning`).
   *
   * Returns true when the host should pause reading from this socket — the same signal as
   * `resumeRead` false in the latest `sendData` — until a later `sendData` passes true. Calls
   * about a descriptor we already dropped are ignored (and return true). Throws `APIMisuse` for
   * a descriptor never registered.
   */
  readEvent(descriptor: SocketDescriptor, bytes: Uint8Array): boolean {
    const conn = this.peers.get(descriptor);
    if (conn === undefined) {
      if (this.peers.wasDropped(descriptor)) return true;
      throw new APIMisuseError(`readEvent: unknown descriptor ${descriptor.id}`);
    }
    if (!(bytes instanceof Uint8Array)) throw new APIMisuseError('readEvent: expected bytes');
    this.inbound.receive(conn, bytes);
    if (conn.closed) return true;
    this.peers.flush(conn);
    return conn.queue.readPaused;
  }

  /** The socket can take more bytes after a short write: we write what is queued. */
  writeBufferSpaceAvail(descriptor: SocketDescriptor): void {
    const conn = this.peers.get(descriptor);
    if (conn === undefined) return;
    conn.queue.markWritable();
    this.peers.flush(conn, true);
  }

  /**
   * The host's socket closed. The peer is forgotten and every message still queued for it
   * rejects with `PeerNotConnected`. Harmless for a descriptor we dropped ourselves.
   */
  socketDisconnected(descriptor: SocketDescriptor): void {
    const conn = this.peers.get(descriptor);
    if (conn === undefined) return;
    this.peers.drop(conn, DisconnectReason.SocketClosed, 'the socket closed', {
      closeSocket: false,
    });
  }

  /** Drops every connection to `nodeId` (hex), including one still in its handshake. */
  disconnectByNodeId(nodeId: string): void {
    const id = toHex(fromHex(nodeId, 33, 'nodeId'));
    for (const conn of this.peers.all()) {
      if (conn.nodeId === id) this.peers.drop(conn, DisconnectReason.HostRequest, 'host request');
    }
  }

  /** Drops every connection (for shutdown). */
  disconnectAllPeers(): void {
    for (const conn of this.peers.all()) {
      this.peers.drop(conn, DisconnectReason.HostRequest, 'host request');
    }
  }

  // ---- time and events --------------------------------------------------------------------------

  /**
   * Drains every handler's pending messages into the peers' queues and writes all queues to
   * their sockets. Call after `readEvent`, when `eventsPending` fires, and after each tick.
   * Re-entrant calls (from a listener) are folded into the running one.
   */
  processEvents(): void {
    if (this.processing) {
      this.processAgain = true;
      return;
    }
    this.processing = true;
    try {
      do {
        this.processAgain = false;
        this.eventsPendingSignalled = false;
        const { channelHandler, routingHandler, customHandler } = this.peers.config;
        const outgoing = [
          ...channelHandler.getAndClearPendingMessages(),
          ...routingHandler.getAndClearPendingMessages(),
        ];
        for (const { nodeId, message } of outgoing) this.peers.enqueueFromHandler(nodeId, message);
        for (const m of customHandler?.getAndClearPendingMessages?.() ?? []) {
          const message = { kind: 'unknown', type: m.type, payload: m.payload } as const;
          this.peers.enqueueFromHandler(m.nodeId, message);
        }
        for (const conn of this.peers.all()) this.peers.flush(conn);
      } while (this.processAgain);
    } finally {
      this.processing = false;
    }
  }

  /**
   * One tick of the host's timer. Drops connections that did not finish the handshake and
   * `init` within `initTimeoutTicks` and peers whose ping went unanswered for
   * `pingTimeoutTicks`, then pings every connected peer with no ping outstanding (and writes
   * the pings).
   */
  timerTickOccurred(): void {
    const limits = this.peers.config.limits;
    for (const conn of this.peers.all()) {
      if (conn.state !== 'connected') {
        conn.setupTicks++;
        if (conn.setupTicks >= limits.initTimeoutTicks) {
          const why = 'handshake and init did not complete in time';
          this.peers.drop(conn, DisconnectReason.InitTimeout, why);
        }
        continue;
      }
      if (conn.ping !== undefined) {
        conn.ping.ticks++;
        if (conn.ping.ticks >= limits.pingTimeoutTicks) {
          this.peers.drop(conn, DisconnectReason.PingTimeout, 'no pong to our ping');
        }
        continue;
      }
      this.sendPing(conn);
      this.peers.flush(conn);
    }
  }

  // ---- peers ------------------------------------------------------------------------------------

  /** Node ids (hex) of the connected peers (`init` exchanged). */
  getPeerNodeIds(): string[] {
    return this.peers.connected().map((c) => c.nodeId!);
  }

  /** A statistics snapshot of every connected peer. */
  listPeers(): PeerDetails[] {
    return this.peers.connected().map((c) => c.details());
  }

  /**
   * Sends a custom message to a connected peer: `type` must be odd and not a type boltkit knows
   * (see `custom-message.ts`), the payload at most 65533 bytes. The message is queued now and
   * written by the next `processEvents()` (`eventsPending` fires). The promise resolves once the
   * whole message was handed to the socket; it rejects with `CustomMessageRejected` for a type
   * or size we refuse, `PeerNotConnected` when the peer is not connected or disconnects before
   * the message was written, and `DecodeError` for a malformed node id. Never throws.
   */
  sendCustomMessage(nodeId: string, type: number, payload: Uint8Array): Promise<void> {
    try {
      checkCustomMessage(type, payload);
      const id = toHex(fromHex(nodeId, 33, 'nodeId'));
      const conn = this.peers.byNode(id);
      if (conn?.state !== 'connected') {
        throw new PeerNotConnectedError(id, `peer ${id} is not connected`);
      }
      const sent = new Promise<void>((resolve, reject) => {
        this.peers.enqueue(conn, { kind: 'unknown', type, payload }, { resolve, reject });
      });
      this.signalEventsPending();
      return sent;
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new APIMisuseError(String(e)));
    }
  }

  // ---- internals --------------------------------------------------------------------------------

  /** 32 bytes of entropy, checked. */
  private randomBytes(): Uint8Array {
    const bytes = this.entropy.getSecureRandomBytes();
    if (!(bytes instanceof Uint8Array) || bytes.length !== 32) {
      throw new APIMisuseError('entropySource.getSecureRandomBytes: expected 32 bytes');
    }
    return bytes;
  }

  /** A fresh handshake key from entropy; re-hashed in the (negligible) case it is invalid. */
  private ephemeralKey(): Uint8Array {
    let key = this.randomBytes();
    while (!this.crypto.isValidSecretKey(key)) key = this.crypto.sha256(key);
    return key;
  }

  private sendPing(conn: Connection): void {
    const r = this.randomBytes();
    // Small, varying sizes (0-63 bytes each way) blur the keep-alive's traffic pattern (BOLT 1).
    const numPongBytes = r[0]! & 0x3f;
    const ignored = new Uint8Array(r[1]! & 0x3f);
    conn.ping = { numPongBytes, ticks: 0, sentAtMs: this.peers.config.now?.() };
    this.peers.enqueue(conn, { type: 'ping', numPongBytes, ignored });
  }

  private signalEventsPending(): void {
    if (this.processing) {
      this.processAgain = true;
      return;
    }
    if (this.eventsPendingSignalled) return;
    this.eventsPendingSignalled = true;
    this.emit('eventsPending');
  }

  private assertNewDescriptor(descriptor: SocketDescriptor): void {
    if (this.peers.has(descriptor)) {
      throw new APIMisuseError(`descriptor ${descriptor.id} is already in use`);
    }
  }
}
