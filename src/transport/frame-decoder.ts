/**
 * Cuts a byte stream into the fixed-size pieces BOLT 8 reads: 50 or 66 bytes for a handshake
 * act, 18 for a frame's encrypted length, `length + 16` for its body. A TCP read may end anywhere,
 * so a piece may arrive in many reads; each byte is copied at most once, into one buffer of the
 * size being waited for, so delivery one byte at a time stays linear.
 *
 * The reader always knows the size it needs next, which is what makes the single partial buffer
 * enough: it is allocated when a piece starts arriving and handed out once it is full.
 */
import { APIMisuseError } from '../util/errors.js';

const EMPTY = new Uint8Array(0);

export class FrameDecoder {
  /** The bytes of the current `push`, read in place until they run out. */
  private input: Uint8Array = EMPTY;
  private inputOffset = 0;
  /** A piece that began in an earlier `push`; owned by us, filled up to `pendingFilled`. */
  private pending: Uint8Array | undefined;
  private pendingFilled = 0;

  /**
   * Hands over newly received bytes. They are read in place during the following `take` calls
   * and whatever is left when `take` returns `undefined` is copied, so the caller may reuse
   * `bytes` once it has drained the decoder.
   */
  push(bytes: Uint8Array): void {
    if (this.inputOffset < this.input.length) {
      throw new APIMisuseError('frame decoder: push before the previous bytes were drained');
    }
    this.input = bytes;
    this.inputOffset = 0;
  }

  /**
   * Returns the next `n` bytes, or `undefined` when fewer have arrived so far (then every byte
   * handed over is kept and the decoder is drained). `n` must stay the same until the piece is
   * returned. The result may be a view into the pushed bytes: use it before the next `push`.
   */
  take(n: number): Uint8Array | undefined {
    const available = this.input.length - this.inputOffset;
    const pending = this.pending;
    if (pending !== undefined) {
      if (pending.length !== n) {
        throw new APIMisuseError(
          `frame decoder: waiting for ${pending.length} bytes, asked for ${n}`,
        );
      }
      const count = Math.min(n - this.pendingFilled, available);
      pending.set(
        this.input.subarray(this.inputOffset, this.inputOffset + count),
        this.pendingFilled,
      );
      this.pendingFilled += count;
      this.inputOffset += count;
      if (this.pendingFilled < n) {
        this.drain();
        return undefined;
      }
      this.pending = undefined;
      this.pendingFilled = 0;
      return pending;
    }
    if (available >= n) {
      const piece = this.input.subarray(this.inputOffset, this.inputOffset + n);
      this.inputOffset += n;
      return piece;
    }
    if (available > 0) {
      const started = new Uint8Array(n);
      started.set(this.input.subarray(this.inputOffset), 0);
      this.pending = started;
      this.pendingFilled = available;
    }
    this.drain();
    return undefined;
  }

  /** Forgets the caller's bytes once all of them are consumed, so they are not pinned. */
  private drain(): void {
    this.input = EMPTY;
    this.inputOffset = 0;
  }

  /** Bytes received and kept but not yet returned by `take`. */
  get bufferedBytes(): number {
    return this.pendingFilled + (this.input.length - this.inputOffset);
  }

  /** Drops everything held, so a dead connection does not pin its buffers. */
  clear(): void {
    this.input = EMPTY;
    this.inputOffset = 0;
    this.pending = undefined;
    this.pendingFilled = 0;
  }
}
