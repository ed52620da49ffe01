// Persistence under the watch cache. A backend only has to load everything once and commit writes durably.

export interface Snapshot {
  revision: number;
  /** key -> serialised object (its resourceVersion already set). */
  objects: Iterable<[string, string]>;
}

export interface Write {
  revision: number;
  key: string;
  /** The serialised object, or null when the key is removed. */
  value: string | null;
}

export interface Backend {
  /** Where the data lives, for messages: a file path, or `memory`. */
  readonly location: string;
  load(): Snapshot;
  /** Durably record writes, in order, all or none: when it returns, they survive a crash of the process. */
  commit(writes: Write[]): void;
  close(): void;
}

export class MemoryBackend implements Backend {
  readonly location = 'memory';
  private objects = new Map<string, string>();
  private revision = 0;

  load(): Snapshot {
    return { revision: this.revision, objects: [...this.objects] };
  }

  commit(writes: Write[]): void {
    for (const w of writes) {
      this.revision = w.revision;
      if (w.value === null) this.objects.delete(w.key);
      else this.objects.set(w.key, w.value);
    }
  }

  close(): void {}
}
