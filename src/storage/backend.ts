// Persistence under the watch cache. A backend only has to load everything once and commit writes durably.

export interface Snapshot {
  revision: number;
  /** key -> serialised object (its resourceVersion already set). */
  objects: Iterable<[string, string]>;
}

export interface Backend {
  load(): Snapshot;
  /** Durably record one write: the object at `key` becomes `value` (or is removed when value is null) at `revision`. */
  commit(revision: number, key: string, value: string | null): void;
  close(): void;
}

export class MemoryBackend implements Backend {
  private objects = new Map<string, string>();
  private revision = 0;

  load(): Snapshot {
    return { revision: this.revision, objects: [...this.objects] };
  }

  commit(revision: number, key: string, value: string | null): void {
    this.revision = revision;
    if (value === null) this.objects.delete(key);
    else this.objects.set(key, value);
  }

  close(): void {}
}
