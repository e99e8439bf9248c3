/**
 * The bridge between one `net.Socket` and a `PeerManager`: received chunks go to `readEvent`
 * (copied into plain `Uint8Array`s, then `processEvents()` runs so answers go out at once), the
 * manager's writes go to the socket, and the socket's backpressure and close reach the manager.
 * The same job as LDK's `lightning-net-tokio`.
 *
 * Backpressure both ways: `sendData` accepts nothing while Node's write buffer is above its
 * high-water mark and reports room on `'drain'` (`writeBufferSpaceAvail`), so at most one frame
 * beyond the high-water mark sits in Node's buffer; and reading pauses (`socket.pause()`)
 * whenever the manager asks, until it asks to resume.
 */
import type { Socket } from 'node:net';
import type { PeerManager } from '../peer-manager/peer-manager.js';
import type { SocketDescriptor } from '../peer-manager/socket-descriptor.js';
import type { NetAddress } from '../wire/address.js';
import { netAddressOf } from './net-address.js';

/** After we close a socket, how long its last bytes (a warning) may take before it is cut. */
const CLOSE_GRACE_MS = 2000;

let nextId = 1;

export class NodeSocketDescriptor implements SocketDescriptor {
  readonly id: string;
  readonly socket: Socket;
  /** The peer's address as the socket reports it. */
  readonly remoteAddress: NetAddress | undefined;
  private readonly pm: PeerManager;
  private closedByManager = false;
  private awaitingDrain = false;

  constructor(pm: PeerManager, socket: Socket) {
    this.pm = pm;
    this.socket = socket;
    this.remoteAddress = netAddressOf(socket.remoteAddress, socket.remotePort);
    this.id = `tcp:${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}#${nextId++}`;
    socket.setNoDelay(true);
  }

  /**
   * Starts feeding the socket's events to the manager. Call right after registering the
   * descriptor with `newInboundConnection` / `newOutboundConnection`.
   */
  attach(): void {
    const { socket, pm } = this;
    socket.on('data', (chunk: Buffer) => {
      const pause = pm.readEvent(this, new Uint8Array(chunk));
      if (pause) socket.pause();
      pm.processEvents();
    });
    socket.on('drain', () => {
      if (!this.awaitingDrain) return;
      this.awaitingDrain = false;
      pm.writeBufferSpaceAvail(this);
    });
    socket.on('error', () => {
      // 'close' follows; the manager learns of it there.
    });
    socket.on('close', () => {
      if (!this.closedByManager) pm.socketDisconnected(this);
    });
  }

  sendData(bytes: Uint8Array, resumeRead: boolean): number {
    const socket = this.socket;
    if (socket.destroyed || !socket.writable) return 0;
    if (resumeRead) {
      if (socket.isPaused()) socket.resume();
    } else {
      socket.pause();
    }
    if (bytes.length === 0) return 0;
    if (socket.writableNeedDrain) {
      this.awaitingDrain = true;
      return 0;
    }
    // Copy: the manager may reuse its buffer once we return, and Node keeps what it is given.
    socket.write(Buffer.from(bytes));
    return bytes.length;
  }

  disconnectSocket(): void {
    this.closedByManager = true;
    const socket = this.socket;
    if (socket.destroyed) return;
    // Let queued bytes (such as a last warning) go out, but never wait long for them.
    socket.destroySoon();
    setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
  }
}
