// The strategic merge patches kubectl v1.32 sends (docs: kubectl-protocol.md §4, §5, §7, §8),
// applied with the real per-kind patch metadata.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { patchSchemaFor } from '../../api/patchmeta.js';
import { strategicMergePatch } from './strategic.js';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const sts = patchSchemaFor('apps/v1', 'StatefulSet');

/** The parts of a patched StatefulSet the tests read. */
interface Sts {
  metadata: { annotations: Record<string, string>; ownerReferences?: unknown };
  spec: { replicas: number; template: { metadata?: unknown; spec: { containers: unknown; volumes: unknown; tolerations: unknown } } };
  status: { conditions: unknown };
}

function statefulSet(template: object, extra: object = {}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web', namespace: 'default', uid: 'u1', generation: 2, annotations: { [LAST_APPLIED]: '{"old":true}\n' }, labels: { app: 'web' } },
    spec: { replicas: 2, serviceName: 'web', selector: { matchLabels: { app: 'web' } }, template, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } } },
    status: { replicas: 2, conditions: [{ type: 'Ready', status: 'True' }] },
    ...extra,
  };
}

const liveTemplate = {
  metadata: { creationTimestamp: null, labels: { app: 'web' } },
  spec: {
    containers: [
      {
        name: 'nginx',
        image: 'nginx:1.25',
        env: [{ name: 'A', value: '1' }, { name: 'B', value: 'y' }],
        ports: [{ containerPort: 80, name: 'web', protocol: 'TCP' }],
        volumeMounts: [{ name: 'data', mountPath: '/data' }],
        terminationMessagePolicy: 'File',
      },
      { name: 'sidecar', image: 'busybox', command: ['sleep', '1d'] },
    ],
    volumes: [{ name: 'data', emptyDir: {} }],
    tolerations: [{ key: 'a', operator: 'Exists' }],
    restartPolicy: 'Always',
  },
};

test('apply: $setElementOrder/containers and env merge by name (§4.1)', () => {
  const live = statefulSet({ ...liveTemplate, spec: { ...liveTemplate.spec, containers: [{ ...liveTemplate.spec.containers[0], env: [{ name: 'A', value: '1' }] }] } });
  const patch = {
    metadata: { annotations: { [LAST_APPLIED]: '{"new":true}\n' } },
    spec: {
      replicas: 3,
      template: {
        spec: {
          '$setElementOrder/containers': [{ name: 'nginx' }, { name: 'sidecar' }],
          containers: [
            { '$setElementOrder/env': [{ name: 'A' }, { name: 'B' }], env: [{ name: 'A', value: '2' }, { name: 'B', value: 'x' }], image: 'nginx:1.26', name: 'nginx' },
            { image: 'busybox', name: 'sidecar' },
          ],
        },
      },
    },
  };
  const out = strategicMergePatch(live, patch, sts) as Sts;
  assert.equal(out.spec.replicas, 3);
  assert.equal(out.metadata.annotations[LAST_APPLIED], '{"new":true}\n');
  assert.deepStrictEqual(out.spec.template.spec.containers, [
    { ...liveTemplate.spec.containers[0], image: 'nginx:1.26', env: [{ name: 'A', value: '2' }, { name: 'B', value: 'x' }] },
    { name: 'sidecar', image: 'busybox' },
  ]);
  assert.deepStrictEqual(out.spec.template.spec.volumes, liveTemplate.spec.volumes);
});

test('apply: removing env B and the sidecar with $patch: delete elements (§4.3)', () => {
  const patch = {
    spec: {
      template: {
        spec: {
          '$setElementOrder/containers': [{ name: 'nginx' }],
          containers: [
            { '$setElementOrder/env': [{ name: 'A' }], env: [{ $patch: 'delete', name: 'B' }], name: 'nginx', ports: null },
            { $patch: 'delete', name: 'sidecar' },
          ],
        },
      },
    },
  };
  const out = strategicMergePatch(statefulSet(liveTemplate), patch, sts) as Sts;
  const { ports: _ports, ...nginx } = liveTemplate.spec.containers[0];
  assert.deepStrictEqual(out.spec.template.spec.containers, [{ ...nginx, env: [{ name: 'A', value: '1' }] }]);
});

test('apply: a volume switching emptyDir to configMap uses $retainKeys (§4.3)', () => {
  const patch = {
    spec: {
      template: {
        spec: {
          '$setElementOrder/volumes': [{ name: 'data' }],
          volumes: [{ $retainKeys: ['configMap', 'name'], configMap: { name: 'cm1' }, emptyDir: null, name: 'data' }],
        },
      },
    },
  };
  const out = strategicMergePatch(statefulSet(liveTemplate), patch, sts) as Sts;
  assert.deepStrictEqual(out.spec.template.spec.volumes, [{ name: 'data', configMap: { name: 'cm1' } }]);
});

test('apply: tolerations have no strategy and are replaced whole', () => {
  const patch = { spec: { template: { spec: { tolerations: [{ key: 'b', operator: 'Exists', effect: 'NoSchedule' }] } } } };
  const out = strategicMergePatch(statefulSet(liveTemplate), patch, sts) as Sts;
  assert.deepStrictEqual(out.spec.template.spec.tolerations, [{ key: 'b', operator: 'Exists', effect: 'NoSchedule' }]);
});

test('apply: an unchanged re-apply patch is a no-op', () => {
  const live = statefulSet(liveTemplate);
  const patch = {
    metadata: { annotations: { [LAST_APPLIED]: '{"old":true}\n' }, labels: { app: 'web' } },
    spec: {
      replicas: 2,
      template: {
        spec: {
          '$setElementOrder/containers': [{ name: 'nginx' }, { name: 'sidecar' }],
          containers: [{ '$setElementOrder/env': [{ name: 'A' }, { name: 'B' }], env: [{ name: 'A', value: '1' }], name: 'nginx' }],
          '$setElementOrder/volumes': [{ name: 'data' }],
        },
      },
    },
  };
  assert.deepStrictEqual(strategicMergePatch(live, patch, sts), live);
  assert.deepStrictEqual(strategicMergePatch(live, {}, sts), live);
});

test('finalizers: $deleteFromPrimitiveList with $setElementOrder, and additions as a set (§4.3)', () => {
  const obj = { metadata: { name: 'x', finalizers: ['example.com/a', 'example.com/b'] } };
  const removed = strategicMergePatch(obj, { metadata: { '$deleteFromPrimitiveList/finalizers': ['example.com/b'], '$setElementOrder/finalizers': ['example.com/a'] } }, patchSchemaFor('v1', 'ConfigMap'));
  assert.deepStrictEqual(removed, { metadata: { name: 'x', finalizers: ['example.com/a'] } });
  const added = strategicMergePatch(obj, { metadata: { finalizers: ['example.com/b', 'example.com/c'] } }, patchSchemaFor('example.com/v1', 'Widget'));
  assert.deepStrictEqual(added, { metadata: { name: 'x', finalizers: ['example.com/a', 'example.com/b', 'example.com/c'] } });
});

test('labels: a null value removes the label (§4.3)', () => {
  const out = strategicMergePatch({ metadata: { labels: { a: '1', c: '3' } } }, { metadata: { labels: { c: null, d: '4' } } }, sts);
  assert.deepStrictEqual(out, { metadata: { labels: { a: '1', d: '4' } } });
});

test('rollout undo: the ControllerRevision data replaces the template (§7)', () => {
  const live = statefulSet({ ...liveTemplate, metadata: { labels: { app: 'web' }, annotations: { 'kubectl.kubernetes.io/restartedAt': 't' } } });
  const data = {
    spec: { template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.24' }] }, $patch: 'replace' } },
  };
  const out = strategicMergePatch(live, data, sts) as Sts;
  assert.deepStrictEqual(out.spec.template, { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.24' }] } });
  assert.deepStrictEqual({ ...out.spec, template: undefined }, { ...live.spec, template: undefined });
});

test('rollout restart: one annotation added to the template (§7)', () => {
  const patch = { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-11-22T09:09:52Z' } } } } };
  const out = strategicMergePatch(statefulSet(liveTemplate), patch, sts) as Sts;
  assert.deepStrictEqual(out.spec.template.metadata, { creationTimestamp: null, labels: { app: 'web' }, annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-11-22T09:09:52Z' } });
});

test('cordon and uncordon (§8)', () => {
  const node = { metadata: { name: 'node1' }, spec: { podCIDR: '10.0.0.0/24', podCIDRs: ['10.0.0.0/24'] } };
  const schema = patchSchemaFor('v1', 'Node');
  const cordoned = strategicMergePatch(node, { spec: { unschedulable: true } }, schema);
  assert.deepStrictEqual(cordoned, { metadata: { name: 'node1' }, spec: { podCIDR: '10.0.0.0/24', podCIDRs: ['10.0.0.0/24'], unschedulable: true } });
  assert.deepStrictEqual(strategicMergePatch(cordoned, { spec: { unschedulable: null } }, schema), node);
});

test('a container added without $setElementOrder goes before the server-only ones', () => {
  const pod = { spec: { containers: [{ name: 'a' }, { name: 'b' }] } };
  const out = strategicMergePatch(pod, { spec: { containers: [{ name: 'c', image: 'x' }] } }, patchSchemaFor('v1', 'Pod'));
  assert.deepStrictEqual(out, { spec: { containers: [{ name: 'c', image: 'x' }, { name: 'a' }, { name: 'b' }] } });
});

test('container ports merge by containerPort, service ports by port', () => {
  const pod = { spec: { containers: [{ name: 'a', ports: [{ containerPort: 80, name: 'http' }] }] } };
  const podOut = strategicMergePatch(pod, { spec: { containers: [{ name: 'a', ports: [{ containerPort: 80, protocol: 'TCP' }] }] } }, patchSchemaFor('v1', 'Pod'));
  assert.deepStrictEqual(podOut, { spec: { containers: [{ name: 'a', ports: [{ containerPort: 80, name: 'http', protocol: 'TCP' }] }] } });
  const svc = { spec: { ports: [{ port: 80, targetPort: 8080 }, { port: 443, targetPort: 8443 }] } };
  const svcOut = strategicMergePatch(svc, { spec: { ports: [{ port: 443, name: 'https' }] } }, patchSchemaFor('v1', 'Service'));
  assert.deepStrictEqual(svcOut, { spec: { ports: [{ port: 80, targetPort: 8080 }, { port: 443, targetPort: 8443, name: 'https' }] } });
});

test('Deployment strategy: $retainKeys clears rollingUpdate when switching to Recreate', () => {
  const deploy = { spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } } } };
  const out = strategicMergePatch(deploy, { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: null } } }, patchSchemaFor('apps/v1', 'Deployment'));
  assert.deepStrictEqual(out, { spec: { strategy: { type: 'Recreate' } } });
});

test('PodDisruptionBudget selector is replaced, not merged', () => {
  const pdb = { spec: { minAvailable: 1, selector: { matchLabels: { app: 'web', tier: 'fe' } } } };
  const out = strategicMergePatch(pdb, { spec: { selector: { matchLabels: { app: 'db' } } } }, patchSchemaFor('policy/v1', 'PodDisruptionBudget'));
  assert.deepStrictEqual(out, { spec: { minAvailable: 1, selector: { matchLabels: { app: 'db' } } } });
});

test('status conditions merge by type; ownerReferences by uid', () => {
  const obj = statefulSet(liveTemplate, { metadata: { name: 'web', ownerReferences: [{ uid: 'o1', name: 'a' }] } });
  const out = strategicMergePatch(
    obj,
    { metadata: { ownerReferences: [{ uid: 'o2', name: 'b' }] }, status: { conditions: [{ type: 'Progressing', status: 'True' }] } },
    sts,
  ) as Sts;
  assert.deepStrictEqual(out.metadata.ownerReferences, [{ uid: 'o2', name: 'b' }, { uid: 'o1', name: 'a' }]);
  assert.deepStrictEqual(out.status.conditions, [{ type: 'Progressing', status: 'True' }, { type: 'Ready', status: 'True' }]);
});

test('unknown kinds: lists are atomic, metadata still merges', () => {
  const obj = { metadata: { ownerReferences: [{ uid: 'o1' }] }, spec: { items: [{ name: 'a', v: 1 }] } };
  const out = strategicMergePatch(obj, { metadata: { ownerReferences: [{ uid: 'o2' }] }, spec: { items: [{ name: 'a', v: 2 }] } }, patchSchemaFor('example.com/v1', 'Widget'));
  assert.deepStrictEqual(out, { metadata: { ownerReferences: [{ uid: 'o2' }, { uid: 'o1' }] }, spec: { items: [{ name: 'a', v: 2 }] } });
});
