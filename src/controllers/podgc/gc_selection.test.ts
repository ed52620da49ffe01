import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { podsToGC } from './gc_selection.js';

function pod(name: string, o: { phase?: string; reason?: string; created?: string; node?: string; deleting?: boolean } = {}): Pod {
  return {
    metadata: { name, namespace: 'default', creationTimestamp: o.created ?? '2026-01-01T00:00:00Z', deletionTimestamp: o.deleting ? '2026-01-01T00:10:00Z' : undefined },
    spec: { nodeName: o.node, containers: [] },
    status: { phase: o.phase ?? 'Running', reason: o.reason },
  };
}
const names = (r: Array<{ pod: Pod; reason: string }>) => r.map((x) => `${x.reason}:${x.pod.metadata!.name}`);

test('terminated pods over the threshold go, evicted first, then oldest, then by name', () => {
  const pods = [
    pod('old', { phase: 'Succeeded', created: '2026-01-01T00:00:00Z', node: 'n' }),
    pod('b', { phase: 'Failed', created: '2026-01-01T00:05:00Z', node: 'n' }),
    pod('a', { phase: 'Failed', created: '2026-01-01T00:05:00Z', node: 'n' }),
    pod('evicted', { phase: 'Failed', reason: 'Evicted', created: '2026-01-01T00:09:00Z', node: 'n' }),
    pod('running', { node: 'n' }),
  ];
  assert.deepEqual(names(podsToGC(pods, [], new Set(), 1)), ['terminated:evicted', 'terminated:old', 'terminated:a']);
  assert.deepEqual(names(podsToGC(pods, [], new Set(), 0)), []);
});

test('pods on deleted nodes, terminating pods on out-of-service nodes, and unscheduled terminating pods', () => {
  const down: Node = { metadata: { name: 'down' }, spec: { taints: [{ key: 'node.kubernetes.io/out-of-service', value: 'nodeshutdown', effect: 'NoExecute' }] }, status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } };
  const pods = [pod('orphan', { node: 'gone' }), pod('stuck', { node: 'down', deleting: true }), pod('alive', { node: 'down' }), pod('never', { deleting: true }), pod('pending')];
  assert.deepEqual(names(podsToGC(pods, [down], new Set(['gone']), 12500)), ['out-of-service:stuck', 'orphaned:orphan', 'unscheduled-terminating:never']);
});
