/**
 * The live connections and every change of their state: registering a socket, the handshake
 * completing (node id checks, our `init`), the peer's `init` accepted, messages queued and
 * written, and the one way a connection ends (`drop`). The `PeerManager` and its inbound path
 * both work through this table, so a connection always ends the same way: socket closed,
 * queued messages rejected, handlers and listeners told.
 */
import type { EventEmitter } from 'eventemitter3';
import { BoltkitError, DecodeError } from '../util/errors.js';
import type { LogLevel, Logger } from '../util/logger.js';
import { encodeMessage, type Message, type UnknownMessage } from '../wire/message.js';
import type { Features } from '../wire/features.js';
import type { InitMessage } from '../wire/messages/setup.js';
import { printableAsciiBytes } from './ascii.js';
import type { Connection } from './connection.js';
import { PeerError, PeerErrorAction, PeerNotConnectedError } from './errors.js';
import type {
  ChannelMessageHandler,
  CustomMessageHandler,
  RoutingMessageHandler,
} from './handlers.js';
import { buildInit, isPrivateAddress, type InitVerdict } from './init-negotiation.js';
import { DisconnectReason, type PeerLimits, type PeerManagerEvents } from './options.js';
import type { FrameWaiter } from './outbound-queue.js';
import type { SocketDescriptor } from './socket-descriptor.js';

/** The manager's options with defaults applied. */
export interface PeerConfig {
  readonly ourNodeId: string;
  readonly limits: PeerLimits;
  readonly chainHash: Uint8Array;
  readonly initFeatures: Features;
  readonly channelHandler: ChannelMessageHandler;
  readonly routingHandler: RoutingMessageHandler;
  readonly customHandler: CustomMessageHandler | undefined;
  readonly logger: Logger;
  readonly now: (() => number) | undefined;
  readonly sendPrivateRemoteAddress: boolean;
}

/** A peer `init` we accept, with its features. */
export type AcceptedInit = Extract<InitVerdict, { ok: true }>;

/** Options of `PeerTable.drop`. */
export interface DropOptions {
  /** Send this kind of message with the reason as text before closing (after `init` only). */
  readonly send?: 'warning' | 'error';
  /** The channel the warning or error names; all zero (the whole connection) by default. */
  readonly channelId?: Uint8Array;
  /** False when the host reported the socket closed: no `disconnectSocket` then. */
  readonly closeSocket?: boolean;
}

const ZERO_CHANNEL_ID = new Uint8Array(32);
/** Our warning and error texts are short; this cap only guards the 65535-byte frame limit. */
const MAX_ERROR_TEXT_BYTES = 1000;

export class PeerTable {
  readonly config: PeerConfig;
  private readonly events: EventEmitter<PeerManagerEvents>;
  private readonly connections = new Map<SocketDescriptor, Connection>();
  /** Connections whose handshake completed, by peer node id (at most one each). */
  private readonly byNodeId = new Map<string, Connection>();
  /** Descriptors we dropped: late calls about them are ignored, not errors. */
  private readonly dropped = new WeakSet<SocketDescriptor>();

  constructor(config: PeerConfig, events: EventEmitter<PeerManagerEvents>) {
    this.config = config;
    this.events = events;
  }

  add(conn: Connection): void {
    this.connections.set(conn.descriptor, conn);
    this.dropped.delete(conn.descriptor);
  }

  get(descriptor: SocketDescriptor): Connection | undefined {
    return this.connections.get(descriptor);
  }

  has(descriptor: SocketDescriptor): boolean {
    return this.connections.has(descriptor);
  }

  wasDropped(descriptor: SocketDescriptor): boolean {
    return this.dropped.has(descriptor);
  }

  /** A snapshot of every live connection (safe to drop connections while iterating). */
  all(): Connection[] {
    return [...this.connections.values()];
  }

  /** The connection whose handshake with `nodeId` completed, if any. */
  byNode(nodeId: string): Connection | undefined {
    return this.byNodeId.get(nodeId);
  }

  /** Peers that exchanged `init`. */
  connected(): Connection[] {
    return [...this.byNodeId.values()].filter((c) => c.state === 'connected');
  }

  /** Encrypts and queues a message; drops the peer when its queue overflows. */
  enqueue(conn: Connection, message: Message | UnknownMessage, waiter?: FrameWaiter): void {
    if (conn.closed) {
      waiter?.reject(new PeerNotConnectedError(conn.label, `peer ${conn.label} is not connected`));
      return;
    }
    conn.queue.push(conn.transport.encryptMessage(encodeMessage(message)), waiter);
    conn.messagesOut++;
    const q = conn.queue;
    const limits = this.config.limits;
    if (q.messageCount > limits.maxQueueMessages || q.byteCount > limits.maxQueueBytes) {
      this.drop(
        conn,
        DisconnectReason.OutboundQueueFull,
        `outbound queue full (${q.messageCount} messages, ${q.byteCount} bytes): the peer does not read`,
      );
    }
  }

  /** Queues a handler's message for a connected peer; logs and drops it otherwise. */
  enqueueFromHandler(nodeId: string, message: Message | UnknownMessage): void {
    const conn = this.byNodeId.get(nodeId);
    if (conn?.state !== 'connected') {
      this.log('debug', 'dropping a handler message for a peer that is not connected', nodeId);
      return;
    }
    try {
      this.enqueue(conn, message);
    } catch (e) {
      if (!(e instanceof BoltkitError)) throw e;
      this.log('error', `a handler message could not be encoded: ${e.message}`, nodeId);
    }
  }

  /**
   * Writes the connection's queue to its socket as far as the socket accepts, asking the host
   * to pause reading while the queue is over the `pauseRead…` limits.
   */
  flush(conn: Connection, force = false): void {
    if (conn.closed) return;
    const limits = this.config.limits;
    const shouldRead = (): boolean =>
      conn.queue.messageCount < limits.pauseReadQueueMessages &&
      conn.queue.byteCount < limits.pauseReadQueueBytes;
    try {
      conn.bytesOut += conn.queue.flush(conn.descriptor, shouldRead, force);
    } catch (e) {
      const detail = e instanceof Error ? e.message : String(e);
      this.drop(conn, DisconnectReason.SocketError, `sendData threw: ${detail}`);
    }
  }

  /** The BOLT 8 handshake completed: check who the peer is, then send our `init`. */
  handshakeCompleted(conn: Connection): void {
    const nodeId = conn.authenticatedNodeId!;
    conn.nodeId = nodeId;
    if (nodeId === this.config.ourNodeId) {
      this.drop(conn, DisconnectReason.SelfConnection, 'the peer is our own node');
      return;
    }
    const existing = this.byNodeId.get(nodeId);
    if (existing !== undefined && existing !== conn) {
      if (this.keepExisting(existing, conn)) {
        const why = `already connected on ${existing.descriptor.id}`;
        this.drop(conn, DisconnectReason.DuplicateConnection, why);
        return;
      }
      const why = `replaced by the connection on ${conn.descriptor.id}`;
      this.drop(existing, DisconnectReason.DuplicateConnection, why);
    }
    this.byNodeId.set(nodeId, conn);
    conn.state = 'awaitingInit';
    const { chainHash, initFeatures, sendPrivateRemoteAddress } = this.config;
    const addr = conn.address;
    const report = addr !== undefined && (sendPrivateRemoteAddress || !isPrivateAddress(addr));
    this.enqueue(conn, buildInit(initFeatures, chainHash, report ? addr : undefined));
    this.log('debug', `handshake complete on ${conn.descriptor.id}, init sent`, nodeId);
  }

  /**
   * Which of two connections to one peer survives, decided when the second completes its
   * handshake. Same direction (the peer reconnected, say after a restart): the newer one, since
   * the older is most likely dead. Opposite directions (both sides dialled at once): the one
   * dialled by the node with the smaller node id, a rule both sides compute alike, so exactly
   * one connection survives instead of each side dropping a different one.
   */
  private keepExisting(existing: Connection, fresh: Connection): boolean {
    if (existing.inbound === fresh.inbound) return false;
    const weDialTheKeeper = this.config.ourNodeId < fresh.nodeId!;
    return existing.inbound !== weDialTheKeeper;
  }

  /** The peer's acceptable `init` arrived: the peer is connected. */
  initAccepted(conn: Connection, init: InitMessage, verdict: AcceptedInit): void {
    const { channelHandler, routingHandler, customHandler, now } = this.config;
    conn.theirInit = init;
    conn.theirFeatures = verdict.theirFeatures;
    conn.negotiatedFeatures = verdict.negotiated;
    conn.state = 'connected';
    conn.connectedSinceMs = now?.();
    const nodeId = conn.nodeId!;
    const names = verdict.negotiated.names().join(', ') || 'none';
    const direction = conn.inbound ? 'inbound' : 'outbound';
    this.log('info', `connected (${direction}), negotiated features: ${names}`, nodeId);
    this.callHandler(conn, () => {
      channelHandler.peerConnected(nodeId, init, conn.inbound);
    });
    this.callHandler(conn, () => {
      routingHandler.peerConnected(nodeId, init, conn.inbound);
    });
    this.callHandler(conn, () => {
      customHandler?.peerConnected?.(nodeId, init, conn.inbound);
    });
    if (conn.closed) return;
    this.events.emit('peerConnected', {
      nodeId,
      descriptorId: conn.descriptor.id,
      inbound: conn.inbound,
      features: verdict.theirFeatures,
      negotiatedFeatures: verdict.negotiated,
      address: conn.address,
      ourAddressSeenByPeer: init.remoteAddr,
    });
  }

  /**
   * Runs a handler call; carries out a `PeerError` it throws, answers a `DecodeError` (a
   * malformed message) with a warning and a disconnect, and logs anything else as our own bug
   * (the peer is not at fault, so it stays connected).
   */
  callHandler(conn: Connection, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      if (e instanceof PeerError) {
        this.applyPeerError(conn, e);
      } else if (e instanceof DecodeError) {
        this.drop(conn, DisconnectReason.ProtocolViolation, `malformed message: ${e.message}`, {
          send: 'warning',
        });
      } else {
        const detail = e instanceof Error ? e.message : String(e);
        this.log('error', `a message handler failed: ${detail}`, conn.nodeId);
      }
    }
  }

  private applyPeerError(conn: Connection, e: PeerError): void {
    switch (e.action) {
      case PeerErrorAction.Ignore:
        this.log('debug', `ignored: ${e.message}`, conn.nodeId);
        return;
      case PeerErrorAction.Disconnect:
        this.drop(conn, DisconnectReason.PeerError, e.message);
        return;
      case PeerErrorAction.SendError:
      case PeerErrorAction.SendWarning:
        this.drop(conn, DisconnectReason.PeerError, e.message, {
          send: e.action === PeerErrorAction.SendError ? 'error' : 'warning',
          ...(e.channelId === undefined ? {} : { channelId: e.channelId }),
        });
        return;
    }
  }

  /**
   * Ends a connection, once. Optionally sends a last `warning` or `error` first (only after
   * the peer's `init`: BOLT 1 allows nothing else before), best effort. Closes the socket
   * unless the host reported it closed, rejects the promises of queued messages, then tells
   * the handlers (`peerDisconnected`) and listeners (`peerDisconnected` for a connected peer,
   * `connectionFailed` otherwise).
   */
  drop(conn: Connection, reason: DisconnectReason, message: string, opts: DropOptions = {}): void {
    if (conn.closed) return;
    const wasConnected = conn.state === 'connected';
    if (opts.send !== undefined && conn.theirInit !== undefined) {
      const data = printableAsciiBytes(message.slice(0, MAX_ERROR_TEXT_BYTES));
      const last: Message = { type: opts.send, channelId: opts.channelId ?? ZERO_CHANNEL_ID, data };
      try {
        conn.queue.push(conn.transport.encryptMessage(encodeMessage(last)));
        this.flush(conn);
      } catch {
        // Best effort: the connection is going away anyway.
      }
      // A socket that threw while we wrote the last words was dropped there already.
      if (conn.closed) return;
    }
    conn.state = 'closed';
    this.connections.delete(conn.descriptor);
    this.dropped.add(conn.descriptor);
    if (conn.nodeId !== undefined && this.byNodeId.get(conn.nodeId) === conn) {
      this.byNodeId.delete(conn.nodeId);
    }
    conn.queue.clear(new PeerNotConnectedError(conn.label, `peer disconnected: ${message}`));
    if (opts.closeSocket !== false) conn.descriptor.disconnectSocket();
    const quiet =
      reason === DisconnectReason.HostRequest || reason === DisconnectReason.SocketClosed;
    this.log(quiet ? 'info' : 'warn', `disconnected (${reason}): ${message}`, conn.nodeId);
    const base = { descriptorId: conn.descriptor.id, inbound: conn.inbound, reason, message };
    if (!wasConnected) {
      this.events.emit('connectionFailed', { nodeId: conn.nodeId, ...base });
      return;
    }
    const nodeId = conn.nodeId!;
    const { channelHandler, routingHandler, customHandler } = this.config;
    this.callHandler(conn, () => {
      channelHandler.peerDisconnected(nodeId);
    });
    this.callHandler(conn, () => {
      routingHandler.peerDisconnected(nodeId);
    });
    this.callHandler(conn, () => {
      customHandler?.peerDisconnected?.(nodeId);
    });
    this.events.emit('peerDisconnected', { nodeId, ...base });
  }

  /** Logs with the peer as context. */
  log(level: LogLevel, message: string, peerId?: string): void {
    this.config.logger.log(
      peerId === undefined
        ? { level, module: 'peer-manager', message }
        : { level, module: 'peer-manager', message, peerId },
    );
  }
}
