/**
 * The priority queue of the path search: a binary min-heap of node labels ordered by cost, then
 * hop count, then node number, so equal costs pop in a fixed order. Entries are never updated in
 * place; a better label is pushed again and the stale one is skipped when it pops, which is
 * cheaper than a decrease-key heap at the sizes a payment graph has.
 */

/** A node's label at the time it was pushed. */
export interface HeapEntry {
  readonly node: number;
  readonly costMsat: number;
  readonly hops: number;
}

function before(a: HeapEntry, b: HeapEntry): boolean {
  if (a.costMsat !== b.costMsat) return a.costMsat < b.costMsat;
  if (a.hops !== b.hops) return a.hops < b.hops;
  return a.node < b.node;
}

/** A min-heap of `HeapEntry`s. */
export class LabelHeap {
  private readonly items: HeapEntry[] = [];

  get size(): number {
    return this.items.length;
  }

  push(entry: HeapEntry): void {
    const items = this.items;
    let i = items.length;
    items.push(entry);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent]!;
      if (!before(entry, p)) break;
      items[i] = p;
      i = parent;
    }
    items[i] = entry;
  }

  pop(): HeapEntry | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    const n = items.length;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const child = r < n && before(items[r]!, items[l]!) ? r : l;
      const c = items[child]!;
      if (!before(c, last)) break;
      items[i] = c;
      i = child;
    }
    items[i] = last;
    return top;
  }
}
