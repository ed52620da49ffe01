// Coalescing of pod events for large StatefulSets. Every sync of a set looks at all of its pods, and a set
// of thousands of pods sees thousands of pod events while it comes up: syncing on each of them made the
// controller's work grow with the square of the set. Pod events of a large set are held until a pause
// proportional to its size has passed since its last sync ended, so a burst of them costs one sync and the
// controller's share of the CPU stays bounded. Events of the set itself are never held.
//
// The pause is CPU time (the cost of a sync), so like the work queue's cool-down it runs on real time,
// even under a virtual clock.

/** Hold pod events for this long per pod of the set: several times what a sync spends on a pod. */
const HOLD_PER_POD_MS = 0.02;

/** Sets with fewer pods sync on every pod event, as upstream does. */
const MIN_PODS = 250;

interface SetSyncs {
  pods: number;
  /** Queued or syncing: events now are released when that sync ends. */
  running: boolean;
  /** performance.now() when the last sync ended. */
  ended: number;
  /** A pod event is waiting for the pause to pass. */
  held: boolean;
}

export class PodEventCoalescer {
  private sets = new Map<string, SetSyncs>();
  private timers = new Set<ReturnType<typeof setTimeout>>();

  constructor(private add: (key: string) => void) {}

  /** A pod event for the set `key`: queue it now, or once the pause after its last sync has passed. */
  podEvent(key: string): void {
    const s = this.sets.get(key);
    if (!s || s.pods < MIN_PODS) return this.add(key);
    if (s.held) return;
    s.held = true;
    if (!s.running) this.release(key, s);
  }

  started(key: string): void {
    const s = this.sets.get(key);
    if (s) s.running = true;
    else this.sets.set(key, { pods: 0, running: true, ended: 0, held: false });
  }

  /** The sync of `key` is over; `pods` is how many it looked at. Held events are released after the pause. */
  finished(key: string, pods: number): void {
    const s = this.sets.get(key);
    if (!s) return;
    s.running = false;
    s.pods = pods;
    s.ended = performance.now();
    if (s.held) this.release(key, s);
  }

  /** The set is gone. */
  forget(key: string): void {
    this.sets.delete(key);
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private release(key: string, s: SetSyncs): void {
    const wait = s.ended + s.pods * HOLD_PER_POD_MS - performance.now();
    if (wait <= 0) return this.queue(key, s);
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.queue(key, s);
    }, wait);
    t.unref?.();
    this.timers.add(t);
  }

  private queue(key: string, s: SetSyncs): void {
    s.held = false;
    s.running = true;
    this.add(key);
  }
}
