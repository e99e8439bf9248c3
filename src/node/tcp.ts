/**
 * TCP for a `PeerManager` on Node.js: dialling peers, accepting them, and the timers that drive
 * keep-alive. The manager itself never touches the network; these adapters own the sockets
 * (see `NodeSocketDescriptor`).
 */
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import type { PeerManager } from '../peer-manager/peer-manager.js';
import type {
  ConnectionFailedEvent,
  PeerConnectedEvent,
  PeerDisconnectedEvent,
} from '../peer-manager/options.js';
import { BoltkitError, ErrorCode } from '../util/errors.js';
import type { NetAddress } from '../wire/address.js';
import { NodeSocketDescriptor } from './socket-descriptor.js';

/** Why a connection attempt failed. */
export const ConnectionFailure = {
  /** The TCP connection was not established within `connectTimeoutMs`. */
  ConnectTimeout: 'connectTimeout',
  /** The TCP connection failed (refused, unreachable, reset). */
  SocketError: 'socketError',
  /** Handshake and `init` did not complete within `handshakeTimeoutMs`. */
  HandshakeTimeout: 'handshakeTimeout',
  /** The manager refused or dropped the connection (see `disconnectReason`). */
  Rejected: 'rejected',
} as const;
export type ConnectionFailure = (typeof ConnectionFailure)[keyof typeof ConnectionFailure];

/** A connection attempt that did not end with a connected peer. */
export class ConnectionFailedError extends BoltkitError {
  readonly failure: ConnectionFailure;
  /** The manager's reason when it dropped the connection (`DisconnectReason`), if it did. */
  readonly disconnectReason: string | undefined;
  constructor(
    failure: ConnectionFailure,
    message: string,
    options?: { cause?: unknown; disconnectReason?: string },
  ) {
    super(ErrorCode.ConnectionFailed, message, options);
    this.failure = failure;
    this.disconnectReason = options?.disconnectReason;
  }
}

export interface ConnectOutboundOptions {
  readonly host: string;
  readonly port: number;
  /** The peer's node id, 33-byte hex. */
  readonly nodeId: string;
  /** Default 10 s. */
  readonly connectTimeoutMs?: number;
  /** From TCP connected to `init` exchanged. Default 10 s. */
  readonly handshakeTimeoutMs?: number;
}

/** A peer we dialled, connected (`init` exchanged). */
export interface OutboundConnection {
  readonly nodeId: string;
  readonly descriptorId: string;
  readonly remoteAddress: NetAddress | undefined;
  /** Closes the connection (same as `peerManager.disconnectByNodeId(nodeId)`). */
  close(): void;
}

/** A pending wait for one connection's outcome. */
interface ConnectionWatch {
  /** Resolves when the peer is connected; rejects when it fails or times out. */
  readonly done: Promise<PeerConnectedEvent>;
  /** Stops watching (timer and listeners); `done` then never settles. */
  cancel(): void;
}

/**
 * Watches the manager's events for the connection on `desc`. A connection that is not
 * connected within `timeoutMs` is closed.
 */
function watchConnection(
  pm: PeerManager,
  desc: NodeSocketDescriptor,
  timeoutMs: number,
): ConnectionWatch {
  let cancel = (): void => undefined;
  const done = new Promise<PeerConnectedEvent>((resolve, reject) => {
    const cleanup = (): void => {
      clearTimeout(timer);
      pm.off('peerConnected', onConnected);
      pm.off('connectionFailed', onFailed);
      pm.off('peerDisconnected', onFailed);
    };
    cancel = cleanup;
    const onConnected = (e: PeerConnectedEvent): void => {
      if (e.descriptorId !== desc.id) return;
      cleanup();
      resolve(e);
    };
    const onFailed = (e: ConnectionFailedEvent | PeerDisconnectedEvent): void => {
      if (e.descriptorId !== desc.id) return;
      cleanup();
      reject(
        new ConnectionFailedError(ConnectionFailure.Rejected, `connection failed: ${e.message}`, {
          disconnectReason: e.reason,
        }),
      );
    };
    const timer = setTimeout(() => {
      cleanup();
      desc.disconnectSocket();
      pm.socketDisconnected(desc);
      reject(
        new ConnectionFailedError(
          ConnectionFailure.HandshakeTimeout,
          `handshake and init did not complete within ${timeoutMs} ms`,
        ),
      );
    }, timeoutMs);
    pm.on('peerConnected', onConnected);
    pm.on('connectionFailed', onFailed);
    pm.on('peerDisconnected', onFailed);
  });
  return {
    done,
    cancel: () => {
      cancel();
    },
  };
}

/** Opens a TCP connection; rejects with `ConnectionFailedError` on error or timeout. */
function openSocket(host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new ConnectionFailedError(
          ConnectionFailure.ConnectTimeout,
          `no TCP connection to ${host}:${port} within ${timeoutMs} ms`,
        ),
      );
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (e) => {
      clearTimeout(timer);
      socket.destroy();
      reject(
        new ConnectionFailedError(
          ConnectionFailure.SocketError,
          `cannot connect to ${host}:${port}: ${e.message}`,
          { cause: e },
        ),
      );
    });
  });
}

/**
 * Dials a peer over TCP and runs the BOLT 8 handshake and `init` exchange. Resolves once the
 * peer is connected; rejects with `ConnectionFailedError` (code `ConnectionFailed`) when the
 * TCP connection fails or times out, when the handshake and `init` do not complete in time, or
 * when the manager drops the connection (then `disconnectReason` says why), and with the
 * manager's own error when it refuses the dial (`APIMisuse`: ourselves or already connected;
 * `DecodeError`: a malformed node id). The socket is closed on every failure.
 */
export async function connectOutbound(
  pm: PeerManager,
  options: ConnectOutboundOptions,
): Promise<OutboundConnection> {
  const { host, port, nodeId } = options;
  const socket = await openSocket(host, port, options.connectTimeoutMs ?? 10_000);
  const desc = new NodeSocketDescriptor(pm, socket);
  const watch = watchConnection(pm, desc, options.handshakeTimeoutMs ?? 10_000);
  try {
    pm.newOutboundConnection(nodeId, desc, desc.remoteAddress);
  } catch (e) {
    watch.cancel();
    socket.destroy();
    throw e;
  }
  desc.attach();
  const event = await watch.done;
  return {
    nodeId: event.nodeId,
    descriptorId: desc.id,
    remoteAddress: desc.remoteAddress,
    close: () => {
      pm.disconnectByNodeId(event.nodeId);
    },
  };
}

export interface ListenInboundOptions {
  /** Address to bind, such as `127.0.0.1` or `0.0.0.0`. */
  readonly host: string;
  /** Port to bind; 0 picks a free one (see the returned `port`). */
  readonly port: number;
  /** A peer must complete handshake and `init` within this. Default 10 s. */
  readonly handshakeTimeoutMs?: number;
}

/** A listening socket accepting peers. */
export interface InboundListener {
  /** The bound port. */
  readonly port: number;
  /** Stops accepting, closes every connection accepted here, and resolves once closed. */
  close(): Promise<void>;
}

/** Accepts peers on `host:port` and hands each connection to the manager. */
export function listenInbound(
  pm: PeerManager,
  options: ListenInboundOptions,
): Promise<InboundListener> {
  const accepted = new Set<NodeSocketDescriptor>();
  const handshakeTimeoutMs = options.handshakeTimeoutMs ?? 10_000;
  const server: Server = createServer((socket) => {
    const desc = new NodeSocketDescriptor(pm, socket);
    accepted.add(desc);
    socket.on('close', () => accepted.delete(desc));
    try {
      pm.newInboundConnection(desc, desc.remoteAddress);
    } catch {
      socket.destroy();
      return;
    }
    desc.attach();
    watchConnection(pm, desc, handshakeTimeoutMs).done.catch(() => undefined);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: options.host, port: options.port }, () => {
      server.off('error', reject);
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : options.port;
      resolve({
        port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => {
              done();
            });
            for (const desc of [...accepted]) {
              desc.socket.destroy();
              pm.socketDisconnected(desc);
            }
          }),
      });
    });
  });
}

/**
 * Drives the manager's clock: `timerTickOccurred()` then `processEvents()` every `intervalMs`
 * (LDK uses 10 s), and `processEvents()` soon after each `eventsPending` (such as after
 * `sendCustomMessage`). Returns a function that stops both. The interval does not keep the
 * process alive on its own.
 */
export function startBackgroundTimers(pm: PeerManager, intervalMs = 10_000): () => void {
  const interval = setInterval(() => {
    pm.timerTickOccurred();
    pm.processEvents();
  }, intervalMs);
  interval.unref();
  let scheduled: NodeJS.Immediate | undefined;
  const onPending = (): void => {
    scheduled ??= setImmediate(() => {
      scheduled = undefined;
      pm.processEvents();
    });
  };
  pm.on('eventsPending', onPending);
  return () => {
    clearInterval(interval);
    if (scheduled !== undefined) clearImmediate(scheduled);
    pm.off('eventsPending', onPending);
  };
}
