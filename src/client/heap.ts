// The waiting list of a delaying queue (client-go delaying_queue.go waitForPriorityQueue + knownEntries):
// a binary min-heap of (readyAt, key) with at most one entry per key, which keeps the earliest time.

export interface WaitEntry {
  readyAt: number;
  key: string;
}

export class WaitingHeap {
  private items: WaitEntry[] = [];
  private index = new Map<string, number>();

  get length(): number {
    return this.items.length;
  }

  peek(): WaitEntry | undefined {
    return this.items[0];
  }

  /** Insert `key`, or move it earlier if it is already waiting for a later time. */
  push(key: string, readyAt: number): void {
    const i = this.index.get(key);
    if (i === undefined) {
      this.items.push({ key, readyAt });
      this.index.set(key, this.items.length - 1);
      this.up(this.items.length - 1);
    } else if (readyAt < this.items[i].readyAt) {
      this.items[i].readyAt = readyAt;
      this.up(i);
    }
  }

  pop(): WaitEntry | undefined {
    const top = this.items[0];
    if (!top) return undefined;
    const last = this.items.pop()!;
    this.index.delete(top.key);
    if (this.items.length > 0) {
      this.items[0] = last;
      this.index.set(last.key, 0);
      this.down(0);
    }
    return top;
  }

  private less(a: number, b: number): boolean {
    return this.items[a].readyAt < this.items[b].readyAt;
  }

  private swap(a: number, b: number): void {
    const t = this.items[a];
    this.items[a] = this.items[b];
    this.items[b] = t;
    this.index.set(this.items[a].key, a);
    this.index.set(this.items[b].key, b);
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let min = i;
      if (l < this.items.length && this.less(l, min)) min = l;
      if (r < this.items.length && this.less(r, min)) min = r;
      if (min === i) return;
      this.swap(i, min);
      i = min;
    }
  }
}
