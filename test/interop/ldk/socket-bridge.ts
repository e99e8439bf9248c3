/**
 * Bridges one LDK `SocketDescriptor` to one `node:net` socket.
 *
 * The published `lightningdevkit-node-net` bridge stalls after its first write backpressure, so
 * this one follows LDK's `SocketDescriptor` / `PeerManager` contract directly:
 * - reads go to `read_event` in pieces of at most 4 KiB (LDK's advice, so one peer cannot make it
 *   process too much at once), followed by `process_events`;
 * - when `read_event` answers `true`, reading pauses until LDK calls `send_data` with
 *   `resume_read` set;
 * - when a write fills Node's buffer, further `send_data` calls accept nothing and reading pauses
 *   (LDK's DoS rule: no reads while a send is incomplete) until `drain`, which calls
 *   `write_buffer_space_avail`;
 * - LDK is never re-entered from inside one of its callbacks: work that must call LDK is deferred
 *   with `setImmediate`.
 */
import type { Socket } from 'node:net';
import type { PeerManager, SocketDescriptor } from 'lightningdevkit';
import { ldkBool } from './load.js';
import type { Ldk } from './load.js';

/** LDK's suggested upper bound for one `read_event` call. */
const READ_PIECE_BYTES = 4096;

let nextDescriptorId = 1n;

/** Flow-control counters of one connection, to show which paths a test exercised. */
export interface SocketBridgeStats {
  /** Times Node's write buffer filled and `send_data` started refusing bytes. */
  writeBlocks: number;
  /** Times `read_event` asked to pause reading. */
  readPausesByLdk: number;
  /** Bytes handed to `read_event` and accepted from `send_data`. */
  bytesIn: number;
  bytesOut: number;
}

export interface SocketBridgeHooks {
  /** Called after LDK consumed input or gained write space: the node runs `process_events`. */
  readonly afterIo: () => void;
  /** Called once when the connection is gone, whichever side closed it. */
  readonly onClosed: (bridge: SocketBridge) => void;
  /** Records a line in the node's log. */
  readonly log: (line: string) => void;
}

export class SocketBridge {
  readonly id: bigint = nextDescriptorId++;
  /** The trait object LDK holds for this connection (weakly: this bridge keeps it alive). */
  readonly descriptor: SocketDescriptor;
  /** Errors caught inside LDK callbacks. */
  readonly callbackErrors: unknown[] = [];
  readonly stats: SocketBridgeStats = {
    writeBlocks: 0,
    readPausesByLdk: 0,
    bytesIn: 0,
    bytesOut: 0,
  };

  /** `read_event` returned true and no `send_data` with `resume_read` came yet. */
  private pausedByLdk = false;
  /** Node's write buffer is full; waiting for `drain`. */
  private writeBlocked = false;
  /** Bytes read from the socket and not yet given to LDK. */
  private readonly pendingInput: Uint8Array[] = [];
  /** LDK dropped the connection itself (`disconnect_socket` or an `Err` result). */
  private closedByLdk = false;
  private closed = false;
  private resumeScheduled: NodeJS.Immediate | undefined;

  readonly socket: Socket;
  private readonly ldk: Ldk;
  private readonly peerManager: PeerManager;
  private readonly hooks: SocketBridgeHooks;

  constructor(ldk: Ldk, peerManager: PeerManager, socket: Socket, hooks: SocketBridgeHooks) {
    this.ldk = ldk;
    this.peerManager = peerManager;
    this.socket = socket;
    this.hooks = hooks;
    const id = this.id;
    this.descriptor = ldk.SocketDescriptor.new_impl({
      send_data: (data, resumeRead) =>
        this.guard(0, () => this.sendData(data, ldkBool(resumeRead))),
      disconnect_socket: () => {
        this.guard(undefined, () => {
          this.closedByLdk = true;
          this.hooks.log(`socket ${id}: LDK asked to disconnect`);
          this.socket.destroy();
        });
      },
      eq: (other) => this.guard(false, () => other.hash() === id),
      hash: () => id,
    });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.pendingInput.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      this.feed();
    });
    socket.on('drain', () => {
      this.onDrain();
    });
    socket.on('error', (e) => {
      this.hooks.log(`socket ${id}: error ${e.message}`);
    });
    socket.on('close', () => {
      this.onClose();
    });
  }

  /** True once the socket closed for any reason. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Closes the TCP connection; LDK learns of it through `socket_disconnected`. */
  destroy(): void {
    this.socket.destroy();
  }

  /** Marks the connection as refused by LDK (an `Err` from a `PeerManager` call) and closes it. */
  rejectedByLdk(reason: string): void {
    this.closedByLdk = true;
    this.hooks.log(`socket ${this.id}: LDK refused the connection: ${reason}`);
    this.socket.destroy();
  }

  private sendData(data: Uint8Array, resumeRead: boolean): number {
    if (resumeRead && this.pausedByLdk) {
      this.pausedByLdk = false;
      this.scheduleFeed();
    }
    if (this.closed || this.socket.destroyed || data.length === 0) return 0;
    // Accepting nothing makes LDK keep the bytes and wait for write_buffer_space_avail.
    if (this.writeBlocked) return 0;
    this.stats.bytesOut += data.length;
    if (!this.socket.write(data)) {
      this.stats.writeBlocks++;
      this.writeBlocked = true;
      this.socket.pause();
    }
    return data.length;
  }

  private canRead(): boolean {
    return !this.closed && !this.pausedByLdk && !this.writeBlocked;
  }

  /** Hands buffered input to LDK while it wants more, then sets the socket's flow to match. */
  private feed(): void {
    while (this.canRead() && this.pendingInput.length > 0) {
      const chunk = this.pendingInput[0]!;
      const piece = chunk.subarray(0, READ_PIECE_BYTES);
      if (piece.length === chunk.length) this.pendingInput.shift();
      else this.pendingInput[0] = chunk.subarray(READ_PIECE_BYTES);
      this.stats.bytesIn += piece.length;
      const result = this.peerManager.read_event(this.descriptor, piece);
      if (!(result instanceof this.ldk.Result_boolPeerHandleErrorZ_OK)) {
        this.rejectedByLdk('read_event returned Err');
        break;
      }
      if (result.res) {
        this.stats.readPausesByLdk++;
        this.pausedByLdk = true;
      }
      this.hooks.afterIo();
    }
    if (this.closed) return;
    if (this.canRead()) this.socket.resume();
    else this.socket.pause();
  }

  private scheduleFeed(): void {
    if (this.resumeScheduled !== undefined || this.closed) return;
    this.resumeScheduled = setImmediate(() => {
      this.resumeScheduled = undefined;
      this.feed();
    });
  }

  private onDrain(): void {
    if (this.closed || !this.writeBlocked) return;
    this.writeBlocked = false;
    const result = this.peerManager.write_buffer_space_avail(this.descriptor);
    if (!(result instanceof this.ldk.Result_NonePeerHandleErrorZ_OK)) {
      this.rejectedByLdk('write_buffer_space_avail returned Err');
      return;
    }
    this.hooks.afterIo();
    this.feed();
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.resumeScheduled !== undefined) clearImmediate(this.resumeScheduled);
    this.resumeScheduled = undefined;
    this.pendingInput.length = 0;
    // After disconnect_socket or an Err result LDK already forgot the peer.
    if (!this.closedByLdk) this.peerManager.socket_disconnected(this.descriptor);
    this.hooks.log(`socket ${this.id}: closed${this.closedByLdk ? ' by LDK' : ''}`);
    this.hooks.onClosed(this);
    this.hooks.afterIo();
  }

  private guard<T>(fallback: T, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      this.callbackErrors.push(e);
      return fallback;
    }
  }
}
