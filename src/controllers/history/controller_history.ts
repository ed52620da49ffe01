// ControllerRevision history of any controller (pkg/controller/history/controller_history.go): revision
// hashes and names, equality and ordering, and the API calls that create, renumber, delete and adopt revisions.

import type { ControllerRevision } from 'kubernetes-types/apps/v1.js';
import type { Client } from '../../client/client.js';
import type { Informer } from '../../client/informer.js';
import { DEFAULT_BACKOFF, retryOnConflict } from '../../client/retry.js';
import type { Clock } from '../../machinery/clock.js';
import { isStatusError } from '../../machinery/errors.js';
import { matches, type Selector } from '../../machinery/labels.js';
import { deepEqual } from '../../machinery/objects.js';
import { getControllerOf, newControllerRef, type GroupVersionKind } from '../controller_utils.js';

export const CONTROLLER_REVISION_HASH_LABEL = 'controller.kubernetes.io/hash';

/** The object whose history this is (a StatefulSet or DaemonSet). */
export interface Parent {
  metadata?: { name?: string; namespace?: string; uid?: string };
}

// k8s.io/apimachinery/pkg/util/rand: consonants and digits only, so hashes never spell words.
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export function safeEncodeString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += SAFE_ALPHABET[s.charCodeAt(i) % SAFE_ALPHABET.length];
  return out;
}

/** JSON with object keys sorted at every level: the bytes hashed, and the order data is stored in. */
export function canonicalize(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonicalize);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) {
    const x = (v as Record<string, unknown>)[k];
    if (x !== undefined) out[k] = canonicalize(x);
  }
  return out;
}

// hash/fnv New32 (FNV-1: multiply, then xor), as HashControllerRevision uses; FNV-1a gives other names.
function fnv32(bytes: Uint8Array, h = 0x811c9dc5): number {
  for (const b of bytes) h = (Math.imul(h, 0x01000193) ^ b) >>> 0;
  return h;
}

const encoder = new TextEncoder();

// Go's json.Marshal escapes these inside strings (HTML safety); the hashed bytes must be Go's.
const goEscape = (json: string): string => json.replace(/[<>&\u2028\u2029]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);

// A controller hashes the same (frozen, shared) revision data on every sync; its bytes are computed once.
const canonicalJson = new WeakMap<object, string>();

function dataJson(data: object | null): string {
  const cached = data ? canonicalJson.get(data) : undefined;
  if (cached !== undefined) return cached;
  const json = goEscape(JSON.stringify(canonicalize(data)));
  if (data && Object.isFrozen(data)) canonicalJson.set(data, json);
  return json;
}

/** FNV-32 over the canonical JSON of the data as Go writes it, plus the collision count when given, safe-encoded. */
export function hashControllerRevision(revision: ControllerRevision, probe?: number): string {
  let h = fnv32(encoder.encode(dataJson((revision.data as object | undefined) ?? null)));
  if (probe !== undefined) h = fnv32(encoder.encode(String(probe)), h);
  return safeEncodeString(String(h));
}

/** `<prefix>-<hash>`, the prefix cut to 223 bytes so the name stays within 253. */
export const controllerRevisionName = (prefix: string, hash: string): string => `${prefix.slice(0, 223)}-${hash}`;

/**
 * A revision of the parent (not yet stored): the template labels plus the hash label, a controllerRef, and
 * the name `<parent>-<hash>` for the collision count.
 */
export function newControllerRevision(
  parent: Parent,
  parentKind: GroupVersionKind,
  templateLabels: Record<string, string> | undefined,
  data: unknown,
  revision: number,
  collisionCount: number,
): ControllerRevision {
  const cr: ControllerRevision = {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: { labels: { ...(templateLabels ?? {}) }, ownerReferences: [newControllerRef(parent, parentKind)] },
    data: data as object,
    revision,
  };
  const hash = hashControllerRevision(cr, collisionCount);
  cr.metadata!.name = controllerRevisionName(parent.metadata!.name!, hash);
  cr.metadata!.labels![CONTROLLER_REVISION_HASH_LABEL] = hash;
  return cr;
}

/**
 * Revisions are equal when their data is. (Upstream first compares hash labels parsed as integers, which
 * safe-encoded hashes almost never are, so it ends up comparing the data.)
 */
export const equalRevision = (a: ControllerRevision, b: ControllerRevision): boolean => deepEqual(a.data, b.data);

export const findEqualRevisions = (revisions: ControllerRevision[], needle: ControllerRevision): ControllerRevision[] =>
  revisions.filter((r) => equalRevision(r, needle));

/** By .revision, ties by creationTimestamp, then by name. */
export function sortControllerRevisions(revisions: ControllerRevision[]): ControllerRevision[] {
  return revisions.sort(
    (a, b) =>
      a.revision - b.revision ||
      (a.metadata?.creationTimestamp ?? '').localeCompare(b.metadata?.creationTimestamp ?? '') ||
      (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''),
  );
}

/** The API side of history (history.Interface): list from the shared informer, write through the client. */
export class History {
  constructor(
    private client: Client,
    private revisions: Informer,
    private clock: Clock,
  ) {}

  /** Revisions in the parent's namespace matching the selector and owned by the parent or by no controller. */
  listControllerRevisions(parent: Parent, selector: Selector): ControllerRevision[] {
    return this.revisions.byIndex('namespace', parent.metadata!.namespace!).filter((r: ControllerRevision) => {
      if (!matches(selector, r.metadata?.labels)) return false;
      const ref = getControllerOf(r);
      return !ref || ref.uid === parent.metadata!.uid;
    });
  }

  /**
   * Create the revision, renaming it with a bumped collision count while the name is taken by different
   * data. Returns the stored revision and the collision count reached.
   */
  async createControllerRevision(parent: Parent, revision: ControllerRevision, collisionCount: number): Promise<{ revision: ControllerRevision; collisionCount: number }> {
    const clone = structuredClone(revision);
    const ns = parent.metadata!.namespace!;
    for (;;) {
      clone.metadata!.name = controllerRevisionName(parent.metadata!.name!, hashControllerRevision(revision, collisionCount));
      try {
        return { revision: await this.client.controllerRevisions.create(ns, clone), collisionCount };
      } catch (e) {
        if (!isStatusError(e, 'AlreadyExists')) throw e;
      }
      const exists: ControllerRevision = await this.client.controllerRevisions.get(ns, clone.metadata!.name!);
      if (deepEqual(exists.data, clone.data)) return { revision: exists, collisionCount };
      collisionCount++;
    }
  }

  /** Give an existing revision a new revision number (rollback to it), re-reading it on conflicts (retry.DefaultBackoff). */
  async updateControllerRevision(revision: ControllerRevision, newRevision: number): Promise<ControllerRevision> {
    let clone = structuredClone(revision);
    let stale = false;
    return retryOnConflict(
      this.clock,
      async () => {
        if (stale) clone = structuredClone(await this.client.controllerRevisions.get(clone.metadata!.namespace!, clone.metadata!.name!));
        stale = true;
        if (clone.revision === newRevision) return clone;
        clone.revision = newRevision;
        return this.client.controllerRevisions.update(clone.metadata!.namespace!, clone);
      },
      DEFAULT_BACKOFF,
    );
  }

  async deleteControllerRevision(revision: ControllerRevision): Promise<void> {
    try {
      await this.client.controllerRevisions.delete(revision.metadata!.namespace!, revision.metadata!.name!);
    } catch (e) {
      if (!isStatusError(e, 'NotFound')) throw e;
    }
  }

  /** Add a controllerRef to an orphaned revision with a strategic merge patch (uid doubles as a precondition). */
  async adoptControllerRevision(parent: Parent, parentKind: GroupVersionKind, revision: ControllerRevision): Promise<ControllerRevision> {
    const owner = getControllerOf(revision);
    if (owner) throw new Error(`attempt to adopt revision owned by ${JSON.stringify(owner)}`);
    const patch = { metadata: { ownerReferences: [newControllerRef(parent, parentKind)], uid: revision.metadata!.uid } };
    return this.client.controllerRevisions.patch(parent.metadata!.namespace!, revision.metadata!.name!, 'strategic', patch);
  }
}
