/**
 * The scope every host call on the `ChannelManager` runs in. Payment work that touches another
 * channel than the one being handled (claiming upstream, failing back, retrying) is deferred
 * until the channel call that caused it returned, and every channel that got updates signs them
 * once at the end (`commitment_signed` batches what the call added, BOLT 2). Nested calls (a
 * host call that handles monitor events, say) flush only when the outermost one ends.
 */
import { BLOCK_HEADER_LENGTH, decodeBlockHeader } from '../chain/block.js';
import type { ManagerContext } from './manager-context.js';
import type { ChannelEntry } from './manager-state.js';

export class OperationScope {
  #depth = 0;
  readonly #deferred: (() => void)[] = [];
  readonly #touched = new Set<ChannelEntry>();
  #ctx: ManagerContext | undefined;

  /** The context to flush through; set once it exists. */
  bind(ctx: ManagerContext): void {
    this.#ctx = ctx;
  }

  defer(fn: () => void): void {
    this.#deferred.push(fn);
  }

  touch(entry: ChannelEntry): void {
    this.#touched.add(entry);
  }

  run<T>(fn: () => T): T {
    this.#depth++;
    try {
      return fn();
    } finally {
      this.#depth--;
      if (this.#depth === 0) this.#flush();
    }
  }

  #flush(): void {
    const ctx = this.#ctx;
    if (ctx === undefined) return;
    this.#depth++;
    try {
      for (;;) {
        const fn = this.#deferred.shift();
        if (fn !== undefined) {
          fn();
          continue;
        }
        if (this.#touched.size === 0) break;
        const touched = [...this.#touched];
        this.#touched.clear();
        for (const entry of touched) {
          if (!ctx.entries.includes(entry)) continue;
          ctx.run(entry, () => entry.channel.sendCommitment());
        }
      }
    } finally {
      this.#depth--;
    }
  }
}

/**
 * Records a block header's time as our clock when the host gives
 * none; returns whether it moved forward.
 */
export function sawHeaderTime(ctx: ManagerContext, header: Uint8Array): boolean {
  if (header.length !== BLOCK_HEADER_LENGTH) return false;
  const { time } = decodeBlockHeader(header);
  if (time <= ctx.payments.highestSeenTimestamp) return false;
  ctx.payments.highestSeenTimestamp = time;
  return true;
}
