// Reading a StatefulSet's objects through kubectl, and waiting for its status.

import assert from 'node:assert/strict';
import type { Cluster } from './harness.js';
import { eventually } from './pod-watch.js';

/** Pods with label app=<app>, by name, in kubectl's (name) order. */
export async function podsByName(c: Cluster, app = 'nginx'): Promise<Map<string, any>> {
  const list = await c.json(['get', 'pods', '-l', `app=${app}`]);
  return new Map(list.items.map((p: any) => [p.metadata.name, p]));
}

/** Claims with label app=<app>: name to uid. */
export async function claimUids(c: Cluster, app = 'nginx'): Promise<Map<string, string>> {
  const list = await c.json(['get', 'pvc', '-l', `app=${app}`]);
  return new Map(list.items.map((p: any) => [p.metadata.name, p.metadata.uid]));
}

/** Waits until the set reports `n` ready replicas; returns it. */
export function readyReplicas(c: Cluster, n: number, name = 'web'): Promise<any> {
  return eventually(async () => {
    const s = await c.json(['get', 'sts', name]);
    assert.equal(s.status?.readyReplicas ?? 0, n, `${name} readyReplicas`);
    return s;
  });
}

/** Waits until the controller has synced the set's latest spec (status.observedGeneration); returns it. */
export function observed(c: Cluster, name = 'web'): Promise<any> {
  return eventually(async () => {
    const s = await c.json(['get', 'sts', name]);
    assert.equal(s.status?.observedGeneration, s.metadata.generation, `${name} observedGeneration`);
    return s;
  });
}
