// In-memory sockets for PeerManager tests: two `TestSocket`s joined by a `Pipe`, delivering
// bytes only when the test says so, in chunks of the size the test picks. Backpressure is
// modelled by `acceptBudget` (how many more bytes sendData accepts before the socket is "full").
import type { SocketDescriptor } from '../../src/peer-manager/socket-descriptor.js';
import type { PeerManager } from '../../src/peer-manager/peer-manager.js';
import { concatBytes } from '../../src/util/bytes.js';

/** A socket as the host of one PeerManager sees it. */
export class TestSocket implements SocketDescriptor {
  readonly id: string;
  /** Bytes accepted by sendData and not yet delivered to the other end. */
  outbox: Uint8Array[] = [];
  /** Bytes sendData still accepts; Infinity for an always-writable socket. */
  acceptBudget = Number.POSITIVE_INFINITY;
  /** The last `resumeRead` flag the manager passed (true until it says otherwise). */
  readEnabled = true;
  /** Set once the manager called disconnectSocket. */
  disconnected = false;
  /** Every sendData call, for assertions on backpressure. */
  readonly sendCalls: Array<{ offered: number; accepted: number; resumeRead: boolean }> = [];

  constructor(id: string) {
    this.id = id;
  }

  sendData(bytes: Uint8Array, resumeRead: boolean): number {
    this.readEnabled = resumeRead;
    const n = this.disconnected ? 0 : Math.min(bytes.length, this.acceptBudget);
    if (this.acceptBudget !== Number.POSITIVE_INFINITY) this.acceptBudget -= n;
    if (n > 0) this.outbox.push(bytes.slice(0, n));
    this.sendCalls.push({ offered: bytes.length, accepted: n, resumeRead });
    return n;
  }

  disconnectSocket(): void {
    this.disconnected = true;
  }

  /** Takes every pending outgoing byte as one array. */
  takeOutbox(): Uint8Array {
    const all = concatBytes(...this.outbox);
    this.outbox = [];
    return all;
  }

  get pendingBytes(): number {
    let n = 0;
    for (const b of this.outbox) n += b.length;
    return n;
  }
}

/** One end of a pipe: a manager and the socket it writes to. */
export interface PipeEnd {
  readonly pm: PeerManager;
  readonly socket: TestSocket;
}

/**
 * A connection between two managers. Nothing moves until the test calls `deliver` or `pump`;
 * `chunk` splits the bytes (1 gives 1-byte reads).
 */
export class Pipe {
  readonly a: PipeEnd;
  readonly b: PipeEnd;
  /** Return values of readEvent on each side, most recent last. */
  readonly pauseSignals: { a: boolean[]; b: boolean[] } = { a: [], b: [] };
  private closedNotified = false;

  constructor(pmA: PeerManager, pmB: PeerManager, label = 'pipe') {
    this.a = { pm: pmA, socket: new TestSocket(`${label}:a`) };
    this.b = { pm: pmB, socket: new TestSocket(`${label}:b`) };
  }

  /** `a` dials `b` (outbound from a, inbound at b). */
  static connect(pmA: PeerManager, pmB: PeerManager, label = 'pipe'): Pipe {
    const p = new Pipe(pmA, pmB, label);
    p.b.pm.newInboundConnection(p.b.socket);
    p.a.pm.newOutboundConnection(pmB.ourNodeId, p.a.socket);
    return p;
  }

  /** Delivers what `from` wrote to the other end, `chunk` bytes per readEvent. */
  deliver(from: 'a' | 'b', chunk = Number.POSITIVE_INFINITY): number {
    const src = from === 'a' ? this.a : this.b;
    const dst = from === 'a' ? this.b : this.a;
    const bytes = src.socket.takeOutbox();
    if (dst.socket.disconnected) return 0;
    const signals = from === 'a' ? this.pauseSignals.b : this.pauseSignals.a;
    for (let off = 0; off < bytes.length; off += chunk) {
      const end = Math.min(bytes.length, off + chunk);
      signals.push(dst.pm.readEvent(dst.socket, bytes.subarray(off, end)));
      if (dst.socket.disconnected) break;
    }
    return bytes.length;
  }

  /**
   * Moves bytes both ways (calling processEvents on both managers between rounds) until
   * neither side has anything left to send, then tells a manager when the other side closed.
   */
  pump(chunk = Number.POSITIVE_INFINITY, maxRounds = 100): void {
    for (let i = 0; i < maxRounds; i++) {
      this.a.pm.processEvents();
      this.b.pm.processEvents();
      const moved = this.deliver('a', chunk) + this.deliver('b', chunk);
      if (moved === 0) break;
    }
    this.propagateClose();
  }

  /** A side whose peer closed its socket learns of it, as a host's socket 'close' would tell. */
  propagateClose(): void {
    if (this.closedNotified) return;
    if (this.a.socket.disconnected && !this.b.socket.disconnected) {
      this.closedNotified = true;
      this.b.socket.disconnected = true;
      this.b.pm.socketDisconnected(this.b.socket);
    } else if (this.b.socket.disconnected && !this.a.socket.disconnected) {
      this.closedNotified = true;
      this.a.socket.disconnected = true;
      this.a.pm.socketDisconnected(this.a.socket);
    }
  }
}
