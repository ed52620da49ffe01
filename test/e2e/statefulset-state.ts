// Reading a StatefulSet's objects through kubectl, and waiting for its status.

import assert from 'node:assert/strict';
import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import type { Stored, StoredList } from '../../src/client/objects.js';
import type { Cluster } from './harness.js';
import { eventually } from './pod-watch.js';

/** Pods with label app=<app>, by name, in kubectl's (name) order. */
export async function podsByName(c: Cluster, app = 'nginx'): Promise<Map<string, Stored<Pod>>> {
  const list = await c.json<StoredList<Pod>>(['get', 'pods', '-l', `app=${app}`]);
  return new Map(list.items.map((p) => [p.metadata.name, p]));
}

/** Claims with label app=<app>: name to uid. */
export async function claimUids(c: Cluster, app = 'nginx'): Promise<Map<string, string>> {
  const list = await c.json<StoredList<PersistentVolumeClaim>>(['get', 'pvc', '-l', `app=${app}`]);
  return new Map(list.items.map((p) => [p.metadata.name, p.metadata.uid]));
}

/** Waits until the set reports `n` ready replicas; returns it. */
export function readyReplicas(c: Cluster, n: number, name = 'web'): Promise<Stored<StatefulSet>> {
  return eventually(async () => {
    const s = await c.json<Stored<StatefulSet>>(['get', 'sts', name]);
    assert.equal(s.status?.readyReplicas ?? 0, n, `${name} readyReplicas`);
    return s;
  });
}

/** Waits until the controller has synced the set's latest spec (status.observedGeneration); returns it. */
export function observed(c: Cluster, name = 'web'): Promise<Stored<StatefulSet>> {
  return eventually(async () => {
    const s = await c.json<Stored<StatefulSet>>(['get', 'sts', name]);
    assert.equal(s.status?.observedGeneration, s.metadata.generation, `${name} observedGeneration`);
    return s;
  });
}
