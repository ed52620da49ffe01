import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NodeSelectorTerm } from 'kubernetes-types/core/v1.js';
import { node, pod, schedulerCluster, type PodSpecInput } from '../testing/schedulerobjects.js';
import { priorityClass } from './testpriority.js';

const NOT_HELPFUL = (n: number, all = n) => `preemption: 0/${all} nodes are available: ${n} Preemption is not helpful for scheduling.`;

describe('Scheduler filters', () => {
  it('skips a cordoned node unless the pod tolerates node.kubernetes.io/unschedulable', async () => {
    const c = await schedulerCluster([node('k8ts', { unschedulable: true }), node('k8ts-m02')]);
    try {
      await c.client.pods.create('default', pod('web-0'));
      assert.equal(await c.bound('web-0'), 'k8ts-m02');
      const daemon = pod('ds-k8ts', {
        nodeSelector: { 'kubernetes.io/hostname': 'k8ts' },
        tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }],
      });
      await c.client.pods.create('default', daemon);
      assert.equal(await c.bound('ds-k8ts'), 'k8ts');
    } finally {
      c.stop();
    }
  });

  it('honours nodeSelector', async () => {
    const c = await schedulerCluster([node('k8ts'), node('k8ts-m02', { labels: { disktype: 'ssd' } })]);
    try {
      await c.client.pods.create('default', pod('ssd', { nodeSelector: { disktype: 'ssd' } }));
      assert.equal(await c.bound('ssd'), 'k8ts-m02');
      await c.client.pods.create('default', pod('gpu', { nodeSelector: { accelerator: 'nvidia' } }));
      const cond = await c.rejected('gpu');
      assert.equal(cond.message, `0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector. ${NOT_HELPFUL(2)}`);
    } finally {
      c.stop();
    }
  });

  it('honours required node affinity: In, NotIn, Exists, DoesNotExist, Gt, Lt', async () => {
    const c = await schedulerCluster([
      node('k8ts', { labels: { zone: 'a', cores: '8' } }),
      node('k8ts-m02', { labels: { zone: 'b', cores: '16', spot: 'true' } }),
      node('k8ts-m03', { labels: { zone: 'c', cores: '32' } }),
    ]);
    const required = (...terms: NodeSelectorTerm[]) => ({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } } });
    const expr = (key: string, operator: string, values?: string[]) => ({ matchExpressions: [{ key, operator, values }] });
    try {
      const cases: Array<[string, PodSpecInput, string]> = [
        ['in', required(expr('zone', 'In', ['b'])), 'k8ts-m02'],
        ['notin', required({ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a', 'b'] }] }), 'k8ts-m03'],
        ['exists', required(expr('spot', 'Exists')), 'k8ts-m02'],
        ['gt', required(expr('cores', 'Gt', ['20'])), 'k8ts-m03'],
        ['lt-and-doesnotexist', required({ matchExpressions: [{ key: 'cores', operator: 'Lt', values: ['20'] }, { key: 'spot', operator: 'DoesNotExist' }] }), 'k8ts'],
        // Terms are ORed; an empty term matches nothing.
        ['or', required({}, expr('zone', 'In', ['c'])), 'k8ts-m03'],
        ['field', required({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['k8ts-m02'] }] }), 'k8ts-m02'],
      ];
      for (const [name, spec] of cases) await c.client.pods.create('default', pod(name, spec));
      for (const [name, , want] of cases) assert.equal(await c.bound(name), want, name);
      await c.client.pods.create('default', pod('none', required(expr('zone', 'In', ['z']))));
      assert.equal((await c.rejected('none')).message, `0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. ${NOT_HELPFUL(3)}`);
    } finally {
      c.stop();
    }
  });

  it('reports the nodes a metadata.name affinity rules out as not satisfying NodeAffinity', async () => {
    const c = await schedulerCluster([node('k8ts', { unschedulable: true }), node('k8ts-m02'), node('k8ts-m03')]);
    try {
      const pinned = { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['k8ts'] }] };
      await c.client.pods.create('default', pod('ds', { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [pinned] } } } }));
      assert.equal(
        (await c.rejected('ds')).message,
        `0/3 nodes are available: 1 node(s) were unschedulable, 2 node(s) didn't satisfy plugin(s) [NodeAffinity]. ${NOT_HELPFUL(3)}`,
      );
    } finally {
      c.stop();
    }
  });

  it('keeps pods off NoSchedule and NoExecute taints they do not tolerate', async () => {
    const c = await schedulerCluster([
      node('k8ts', { taints: [{ key: 'spot', value: 'true', effect: 'PreferNoSchedule' }] }),
      node('k8ts-m02', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }),
      node('k8ts-m03', { taints: [{ key: 'maintenance', effect: 'NoExecute' }] }),
      node('k8ts-m04'),
    ]);
    const on = (n: string) => ({ 'kubernetes.io/hostname': n });
    try {
      // PreferNoSchedule only lowers the score: the untainted node wins although k8ts sorts first.
      await c.client.pods.create('default', pod('plain'));
      assert.equal(await c.bound('plain'), 'k8ts-m04');
      await c.client.pods.create('default', pod('spot', { nodeSelector: on('k8ts') }));
      assert.equal(await c.bound('spot'), 'k8ts');
      await c.client.pods.create('default', pod('gpu', { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }], nodeSelector: on('k8ts-m02') }));
      assert.equal(await c.bound('gpu'), 'k8ts-m02');
      // A toleration with another value does not tolerate.
      await c.client.pods.create('default', pod('wrong', { tolerations: [{ key: 'dedicated', value: 'tpu' }], nodeSelector: on('k8ts-m02') }));
      assert.equal(
        (await c.rejected('wrong')).message,
        // TaintToleration runs before NodeAffinity, so k8ts-m03 reports its taint.
        "0/4 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 1 node(s) had untolerated taint {maintenance: }, " +
          `2 node(s) didn't match Pod's node affinity/selector. ${NOT_HELPFUL(4)}`,
      );
      await c.client.pods.create('default', pod('maint', { nodeSelector: on('k8ts-m03') }));
      assert.match((await c.rejected('maint')).message!, /1 node\(s\) had untolerated taint \{maintenance: \}/);
      // An empty key with Exists tolerates every taint.
      await c.client.pods.create('default', pod('all', { tolerations: [{ operator: 'Exists' }], nodeSelector: on('k8ts-m03') }));
      assert.equal(await c.bound('all'), 'k8ts-m03');
    } finally {
      c.stop();
    }
  });

  it('fits resource requests into allocatable minus what is already requested', async () => {
    const c = await schedulerCluster([node('k8ts', { cpu: '1', memory: '1Gi' }), node('k8ts-m02', { cpu: '2', memory: '4Gi', extra: { 'example.com/gpu': '1' } })]);
    try {
      await c.client.pods.create('default', pod('big', { requests: { cpu: '1500m', memory: '1Gi' } }));
      assert.equal(await c.bound('big'), 'k8ts-m02');
      // 500m left on k8ts-m02, 1 cpu on k8ts.
      await c.client.pods.create('default', pod('mid', { requests: { cpu: '800m' } }));
      assert.equal(await c.bound('mid'), 'k8ts');
      await c.client.pods.create('default', pod('gpu', { requests: { 'example.com/gpu': '1' }, limits: { 'example.com/gpu': '1' } }));
      assert.equal(await c.bound('gpu'), 'k8ts-m02');
      await c.client.pods.create('default', pod('huge', { requests: { cpu: '600m', memory: '2Gi', 'example.com/gpu': '1' }, limits: { 'example.com/gpu': '1' } }));
      assert.equal(
        (await c.rejected('huge')).message,
        // k8ts is short of all three, k8ts-m02 (3Gi free) of cpu and the gpu; each shortage counts.
        '0/2 nodes are available: 1 Insufficient memory, 2 Insufficient cpu, 2 Insufficient example.com/gpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.',
      );
      // An init container's larger request counts, as the pod needs it while the init container runs.
      await c.client.pods.create('default', pod('init', { initContainers: [{ name: 'init', image: 'busybox', resources: { requests: { cpu: '3' } } }] }));
      assert.match((await c.rejected('init')).message!, /^0\/2 nodes are available: 2 Insufficient cpu\./);
    } finally {
      c.stop();
    }
  });

  it('keeps two pods wanting the same hostPort apart', async () => {
    const c = await schedulerCluster([node('k8ts'), node('k8ts-m02')]);
    const port = (hostPort: number, hostIP?: string, protocol = 'TCP') => ({ ports: [{ containerPort: 80, hostPort, hostIP, protocol }] });
    try {
      await c.client.pods.create('default', pod('a', port(8080)));
      const first = await c.bound('a');
      await c.client.pods.create('default', pod('b', port(8080)));
      const second = await c.bound('b');
      assert.notEqual(first, second);
      // Another protocol on the same port is free.
      await c.client.pods.create('default', pod('udp', { ...port(8080, undefined, 'UDP'), nodeSelector: { 'kubernetes.io/hostname': first } }));
      assert.equal(await c.bound('udp'), first);
      await c.client.pods.create('default', pod('c', port(8080, '127.0.0.1')));
      assert.equal(
        (await c.rejected('c')).message,
        "0/2 nodes are available: 2 node(s) didn't have free ports for the requested pod ports. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.",
      );
    } finally {
      c.stop();
    }
  });

  it('explains a mixed failure with sorted, counted reasons', async () => {
    const c = await schedulerCluster([node('k8ts', { unschedulable: true }), node('k8ts-m02', { cpu: '1' }), node('k8ts-m03', { cpu: '1' }), node('k8ts-m04', { cpu: '1' })]);
    try {
      await c.client.pods.create('default', pod('web-0', { requests: { cpu: '2' } }));
      assert.equal(
        (await c.rejected('web-0')).message,
        '0/4 nodes are available: 1 node(s) were unschedulable, 3 Insufficient cpu. preemption: 0/4 nodes are available: 1 Preemption is not helpful for scheduling, 3 No preemption victims found for incoming pod.',
      );
      await priorityClass(c, 'never', 0, 'Never');
      await c.client.pods.create('default', pod('never', { requests: { cpu: '2' }, priorityClassName: 'never' }));
      assert.equal(
        (await c.rejected('never')).message,
        '0/4 nodes are available: 1 node(s) were unschedulable, 3 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.',
      );
    } finally {
      c.stop();
    }
  });
});
