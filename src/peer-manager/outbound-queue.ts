/**
 * One connection's outgoing bytes, in order, with the socket's backpressure honoured: a write
 * the socket only partly accepts leaves the rest at the head of the queue until the host reports
 * `writeBufferSpaceAvail`. Frames are queued already encrypted, so BOLT 8 nonces follow queue
 * order. A frame may carry a waiter that settles once its last byte was handed to the socket.
 */
import type { SocketDescriptor } from './socket-descriptor.js';

const EMPTY = new Uint8Array(0);

/** Settles the promise of one queued message. */
export interface FrameWaiter {
  resolve(): void;
  reject(error: Error): void;
}

interface QueuedFrame {
  readonly bytes: Uint8Array;
  readonly waiter: FrameWaiter | undefined;
}

export class OutboundQueue {
  private frames: QueuedFrame[] = [];
  /** Index of the head frame in `frames` (shifting arrays is O(n); we compact instead). */
  private head = 0;
  /** Bytes of the head frame already handed to the socket. */
  private headOffset = 0;
  private unsentBytes = 0;
  /** True after a short write, until the host calls writeBufferSpaceAvail. */
  private awaitingWriteEvent = false;
  /** True when the last sendData told the host to stop reading. */
  private sentPauseRead = false;

  /** Frames not yet fully handed to the socket. */
  get messageCount(): number {
    return this.frames.length - this.head;
  }

  /** Bytes not yet handed to the socket. */
  get byteCount(): number {
    return this.unsentBytes;
  }

  /** True when the last `sendData` asked the host to pause reading. */
  get readPaused(): boolean {
    return this.sentPauseRead;
  }

  push(bytes: Uint8Array, waiter?: FrameWaiter): void {
    this.frames.push({ bytes, waiter });
    this.unsentBytes += bytes.length;
  }

  /** The host reported room in the socket's write buffer. */
  markWritable(): void {
    this.awaitingWriteEvent = false;
  }

  /**
   * Writes frames until the queue is empty or the socket is full. `shouldRead` is asked before
   * every write (the queue shrinks as it goes) and its answer passed as `resumeRead`; when the
   * answer differs from what the host was last told, one write (possibly empty) tells it even if
   * nothing else can be written. Returns the number of bytes the socket accepted.
   */
  flush(descriptor: SocketDescriptor, shouldRead: () => boolean, forceOneWrite = false): number {
    let written = 0;
    let force = forceOneWrite;
    for (;;) {
      const read = shouldRead();
      const mustUpdateReadFlag = read === this.sentPauseRead;
      const frame = this.frames[this.head];
      if (frame === undefined) {
        if (force || mustUpdateReadFlag) {
          descriptor.sendData(EMPTY, read);
          this.sentPauseRead = !read;
        }
        return written;
      }
      if (this.awaitingWriteEvent && !force && !mustUpdateReadFlag) return written;
      force = false;
      const pending = frame.bytes.subarray(this.headOffset);
      const accepted = clampAccepted(descriptor.sendData(pending, read), pending.length);
      this.sentPauseRead = !read;
      written += accepted;
      this.unsentBytes -= accepted;
      this.headOffset += accepted;
      if (this.headOffset < frame.bytes.length) {
        this.awaitingWriteEvent = true;
        return written;
      }
      this.popHead();
      frame.waiter?.resolve();
    }
  }

  /** Drops everything still queued, rejecting every waiter with `error`. */
  clear(error: Error): void {
    const left = this.frames.slice(this.head);
    this.frames = [];
    this.head = 0;
    this.headOffset = 0;
    this.unsentBytes = 0;
    for (const f of left) f.waiter?.reject(error);
  }

  private popHead(): void {
    this.head++;
    this.headOffset = 0;
    if (this.head === this.frames.length) {
      this.frames = [];
      this.head = 0;
    } else if (this.head >= 64 && this.head * 2 >= this.frames.length) {
      this.frames = this.frames.slice(this.head);
      this.head = 0;
    }
  }
}

/** A host returning nonsense (negative, fractional, more than offered) must not corrupt us. */
function clampAccepted(n: number, max: number): number {
  if (!Number.isFinite(n) || n <= 0) return 0;
  return Math.min(Math.floor(n), max);
}
