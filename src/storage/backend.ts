// The contract of the stores under the watch cache, as kube-apiserver uses etcd: the backend owns the
// revisions and the compare-and-swap, keeps a window of history, and streams every committed write in
// revision order. The watch cache in front (store.ts) is fed only by that stream, so several servers on
// one backend see each other's writes.

export interface StoredValue {
  key: string;
  /** The serialised object, without its resourceVersion: that is `revision` (etcd's mod_revision). */
  value: string;
  revision: number;
}

export interface Snapshot {
  /** The revision the objects were read at; a watch from it misses nothing. */
  revision: number;
  objects: Iterable<StoredValue>;
}

export interface BackendEvent {
  revision: number;
  key: string;
  /** The serialised object, or null when the key was deleted. */
  value: string | null;
  /** The object itself when this process wrote it and the backend still has it (saves parsing it back). */
  object?: unknown;
}

export interface WatchHandler {
  /** Committed events after the watch's revision, in order; `revision` is the backend revision they bring the watcher to. */
  onEvents(events: BackendEvent[], revision: number): void;
  /** The stream ended: ExpiredError when its start was compacted, anything else when the backend was lost. */
  onError(err: Error): void;
}

export interface Backend {
  /** Where the data lives, for messages: a file path, an etcd URL, or `memory`. */
  readonly location: string;
  /** Every stored key and the revision it was read at. */
  list(): Promise<Snapshot>;
  /** Events after `fromRevision`, then live ones; returns a function that stops the watch. */
  watch(fromRevision: number, handler: WatchHandler): () => void;
  /**
   * Write `value` (null: delete) if the key is at `expectRevision` now (0: absent): create-if-absent,
   * update-if-revision, delete-if-revision. Resolves with the write's revision once it is durable, else
   * rejects with CompareFailedError. `object` is the parsed value, handed back in the event when possible.
   */
  write(key: string, value: string | null, expectRevision: number, object?: unknown): Promise<number>;
  /** The newest revision the backend has committed (on etcd a quorum read). */
  currentRevision(): Promise<number>;
  /** Forget history at and below `revision`: watches from before it fail with ExpiredError. */
  compact(revision: number): Promise<void>;
  close(): Promise<void>;
}

export class ExpiredError extends Error {}

/** A conditional write found another revision than it expected (etcd's failed compare). */
export class CompareFailedError extends Error {
  constructor(
    readonly key: string,
    readonly expected: number,
    readonly actual: number,
    /** The backend's revision when the compare failed: a cache caught up to it holds the newer object. */
    readonly revision: number,
  ) {
    super(`compare failed for ${key}: expected revision ${expected}, found ${actual}`);
  }
}
