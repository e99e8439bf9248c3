/**
 * The TCP side of an LDK test node: a listening server and outbound dials on 127.0.0.1, each
 * connection bridged to LDK's `PeerManager` by a `SocketBridge`, with flow-control counters kept
 * after a connection closes. `close()` ends every socket and server so the process can exit.
 */
import { createServer, connect as netConnect } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import type { Option_SocketAddressZ, PeerManager } from 'lightningdevkit';
import type { Ldk } from './load.js';
import { parseNodeId } from './node-id.js';
import { SocketBridge } from './socket-bridge.js';
import type { SocketBridgeStats } from './socket-bridge.js';

export interface LdkTcpHooks {
  /** After LDK consumed input or gained write space: the node runs `processEvents()`. */
  afterIo(): void;
  log(line: string): void;
}

export class LdkTcp {
  private readonly ldk: Ldk;
  private readonly peerManager: PeerManager;
  private readonly hooks: LdkTcpHooks;
  private readonly bridges = new Set<SocketBridge>();
  private readonly closedStats: SocketBridgeStats[] = [];
  private readonly servers = new Set<Server>();
  // LDK may still hold a clone of a closed connection's descriptor: keep the objects alive.
  private readonly closedBridges: SocketBridge[] = [];
  private closed = false;

  constructor(ldk: Ldk, peerManager: PeerManager, hooks: LdkTcpHooks) {
    this.ldk = ldk;
    this.peerManager = peerManager;
    this.hooks = hooks;
  }

  /** Number of TCP connections still open, whether or not their handshake finished. */
  get openConnectionCount(): number {
    return this.bridges.size;
  }

  /** Flow-control counters summed over every connection, open or closed. */
  stats(): SocketBridgeStats {
    const sum: SocketBridgeStats = { writeBlocks: 0, readPausesByLdk: 0, bytesIn: 0, bytesOut: 0 };
    for (const s of [...this.closedStats, ...[...this.bridges].map((b) => b.stats)]) {
      sum.writeBlocks += s.writeBlocks;
      sum.readPausesByLdk += s.readPausesByLdk;
      sum.bytesIn += s.bytesIn;
      sum.bytesOut += s.bytesOut;
    }
    return sum;
  }

  /** Errors caught inside the `SocketDescriptor` callbacks of open connections. */
  callbackErrors(): unknown[] {
    return [...this.bridges].flatMap((b) => b.callbackErrors);
  }

  /** Accepts inbound connections; resolves to the bound port. */
  async listen(port: number, host: string): Promise<number> {
    const server = createServer((socket) => {
      this.acceptInbound(socket);
    });
    this.servers.add(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return (server.address() as AddressInfo).port;
  }

  /**
   * Dials and starts the BOLT 8 handshake as initiator; resolves once act one is written. The
   * node id is checked to be a valid point first: an invalid key would panic inside WASM and
   * take down every LDK node in the process.
   */
  async connect(host: string, port: number, theirNodeIdHex: string): Promise<void> {
    const theirNodeId = parseNodeId(theirNodeIdHex);
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = netConnect({ host, port });
      s.once('error', reject);
      s.once('connect', () => {
        s.off('error', reject);
        resolve(s);
      });
    });
    if (this.closed) {
      socket.destroy();
      throw new Error('node stopped');
    }
    const bridge = this.addBridge(socket);
    const result = this.peerManager.new_outbound_connection(
      theirNodeId,
      bridge.descriptor,
      this.socketAddress(host, port),
    );
    if (!(result instanceof this.ldk.Result_CVec_u8ZPeerHandleErrorZ_OK)) {
      bridge.rejectedByLdk('new_outbound_connection returned Err');
      throw new Error(`LDK refused an outbound connection to ${theirNodeIdHex}`);
    }
    socket.write(result.res);
  }

  /** Destroys every socket and closes every server; resolves when all are closed. */
  async close(): Promise<void> {
    this.closed = true;
    const closing: Promise<void>[] = [];
    for (const bridge of this.bridges) {
      if (!bridge.socket.destroyed) {
        closing.push(new Promise((resolve) => bridge.socket.once('close', () => resolve())));
      }
      bridge.destroy();
    }
    for (const server of this.servers) {
      closing.push(new Promise((resolve) => server.close(() => resolve())));
    }
    this.servers.clear();
    await Promise.all(closing);
  }

  private acceptInbound(socket: Socket): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    const bridge = this.addBridge(socket);
    const result = this.peerManager.new_inbound_connection(
      bridge.descriptor,
      this.socketAddress(socket.remoteAddress ?? '', socket.remotePort ?? 0),
    );
    if (!(result instanceof this.ldk.Result_NonePeerHandleErrorZ_OK)) {
      bridge.rejectedByLdk('new_inbound_connection returned Err');
    }
  }

  private addBridge(socket: Socket): SocketBridge {
    const bridge = new SocketBridge(this.ldk, this.peerManager, socket, {
      afterIo: () => {
        this.hooks.afterIo();
      },
      onClosed: (b) => {
        this.bridges.delete(b);
        this.closedStats.push(b.stats);
        this.closedBridges.push(b);
      },
      log: (line) => {
        this.hooks.log(line);
      },
    });
    this.bridges.add(bridge);
    return bridge;
  }

  /** The address LDK reports back to the peer in `init` (BOLT 1 `remote_addr`); IPv4 only. */
  private socketAddress(host: string, port: number): Option_SocketAddressZ {
    const m = /^(?:::ffff:)?(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(host);
    if (m === null || port <= 0 || port > 0xffff)
      return this.ldk.Option_SocketAddressZ.constructor_none();
    const octets = Uint8Array.from(m.slice(1, 5).map(Number));
    return this.ldk.Option_SocketAddressZ.constructor_some(
      this.ldk.SocketAddress.constructor_tcp_ip_v4(octets, port),
    );
  }
}
