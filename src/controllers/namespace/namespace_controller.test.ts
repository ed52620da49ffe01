import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Namespace, NamespaceCondition } from 'kubernetes-types/core/v1.js';
import { REFS } from '../../client/client.js';
import type { Stored } from '../../client/objects.js';
import { isStatusError } from '../../machinery/errors.js';
import { testCluster, waitFor, type TestCluster } from '../../testing/fixture.js';
import { NamespaceController } from './namespace_controller.js';

async function setup(ns: string): Promise<{ c: TestCluster; done(): void }> {
  const c = await testCluster();
  const ctrl = new NamespaceController(c.ctx);
  await c.start();
  ctrl.start();
  await c.client.resource(REFS.namespaces).create('', { metadata: { name: ns } });
  return {
    c,
    done() {
      ctrl.stop();
      c.stop();
    },
  };
}

const condition = (ns: Stored<Namespace>, type: string): NamespaceCondition | undefined => ns.status?.conditions?.find((x) => x.type === type);

/** The namespace once `check` holds for it. */
async function namespaceWhen(c: TestCluster, name: string, check: (ns: Stored<Namespace>) => boolean, what: string): Promise<Stored<Namespace>> {
  const found = await waitFor(async () => {
    const ns = await c.client.resource(REFS.namespaces).get('', name);
    return check(ns) ? ns : undefined;
  }, what);
  return found as Stored<Namespace>;
}

async function gone(c: TestCluster, name: string): Promise<void> {
  await waitFor(async () => {
    try {
      await c.client.resource(REFS.namespaces).get('', name);
      return false;
    } catch (e) {
      return isStatusError(e, 'NotFound');
    }
  }, `namespace ${name} gone`);
}

const held = (name: string, finalizers: string[]) => ({ metadata: { name, finalizers }, data: { k: 'v' } });

describe('NamespaceController', () => {
  it('deletes the content of a deleted namespace, then the namespace', async () => {
    const { c, done } = await setup('doomed');
    try {
      await c.client.resource(REFS.configmaps).create('doomed', { metadata: { name: 'cm' } });
      await c.client.resource(REFS.secrets).create('doomed', { metadata: { name: 's' } });
      await c.client.resource(REFS.namespaces).delete('', 'doomed');
      await gone(c, 'doomed');
      assert.equal((await c.client.resource(REFS.configmaps).list('doomed')).items.length, 0);
      assert.equal((await c.client.resource(REFS.secrets).list('doomed')).items.length, 0);
    } finally {
      done();
    }
  });

  it('stays Terminating while a finalizer holds a ConfigMap, naming it, and goes once it is removed', async () => {
    const { c, done } = await setup('held');
    try {
      await c.client.resource(REFS.configmaps).create('held', held('cm', ['example.com/hold']));
      await c.client.resource(REFS.namespaces).delete('', 'held');
      const ns = await namespaceWhen(c, 'held', (n) => condition(n, 'NamespaceFinalizersRemaining')?.status === 'True', 'finalizers condition');
      assert.equal(ns.status?.phase, 'Terminating');
      assert.deepEqual(ns.spec?.finalizers, ['kubernetes']);
      const summary = (ns.status?.conditions ?? []).map(({ type, status, reason, message }) => ({ type, status, reason, message }));
      assert.deepEqual(summary, [
        { type: 'NamespaceDeletionDiscoveryFailure', status: 'False', reason: 'ResourcesDiscovered', message: 'All resources successfully discovered' },
        { type: 'NamespaceDeletionGroupVersionParsingFailure', status: 'False', reason: 'ParsedGroupVersions', message: 'All legacy kube types successfully parsed' },
        { type: 'NamespaceDeletionContentFailure', status: 'False', reason: 'ContentDeleted', message: 'All content successfully deleted, may be waiting on finalization' },
        { type: 'NamespaceContentRemaining', status: 'True', reason: 'SomeResourcesRemain', message: 'Some resources are remaining: configmaps. has 1 resource instances' },
        {
          type: 'NamespaceFinalizersRemaining',
          status: 'True',
          reason: 'SomeFinalizersRemain',
          message: 'Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances',
        },
      ]);
      for (const cond of ns.status?.conditions ?? []) assert.match(cond.lastTransitionTime ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

      const cm = structuredClone(await c.client.resource(REFS.configmaps).get('held', 'cm'));
      assert.ok(cm.metadata.deletionTimestamp, 'the ConfigMap was deleted');
      cm.metadata.finalizers = [];
      await c.client.resource(REFS.configmaps).update('held', cm);
      await gone(c, 'held');
    } finally {
      done();
    }
  });

  it('counts remaining objects by resource and by finalizer, sorted', async () => {
    const { c, done } = await setup('many');
    try {
      await c.client.resource(REFS.configmaps).create('many', held('a', ['example.com/hold']));
      await c.client.resource(REFS.configmaps).create('many', held('b', ['example.com/hold', 'acme.io/audit']));
      await c.client.resource(REFS.secrets).create('many', { metadata: { name: 's', finalizers: ['example.com/hold'] } });
      await c.client.resource(REFS.configmaps).create('many', { metadata: { name: 'free' } });
      await c.client.resource(REFS.namespaces).delete('', 'many');
      const ns = await namespaceWhen(c, 'many', (n) => condition(n, 'NamespaceContentRemaining')?.status === 'True', 'content condition');
      assert.equal(
        condition(ns, 'NamespaceContentRemaining')?.message,
        'Some resources are remaining: configmaps. has 2 resource instances, secrets. has 1 resource instances',
      );
      assert.equal(
        condition(ns, 'NamespaceFinalizersRemaining')?.message,
        'Some content in the namespace has finalizers remaining: acme.io/audit in 1 resource instances, example.com/hold in 3 resource instances',
      );
      assert.deepEqual((await c.client.resource(REFS.configmaps).list('many')).items.map((x) => x.metadata.name), ['a', 'b']);
    } finally {
      done();
    }
  });

  it('waits for a bound pod to finish its grace period, without calling it a failure', async () => {
    const { c, done } = await setup('pods');
    try {
      await c.client.resource(REFS.serviceaccounts).create('pods', { metadata: { name: 'default' } });
      const pod = { metadata: { name: 'web' }, spec: { automountServiceAccountToken: false, nodeName: 'node-1', terminationGracePeriodSeconds: 30, containers: [{ name: 'c', image: 'nginx' }] } };
      await c.client.resource(REFS.pods).create('pods', pod);
      await c.client.resource(REFS.namespaces).delete('', 'pods');
      const ns = await namespaceWhen(c, 'pods', (n) => condition(n, 'NamespaceContentRemaining')?.status === 'True', 'content condition');
      assert.equal(condition(ns, 'NamespaceContentRemaining')?.message, 'Some resources are remaining: pods. has 1 resource instances');
      assert.equal(condition(ns, 'NamespaceFinalizersRemaining')?.reason, 'ContentHasNoFinalizers');
      assert.equal(condition(ns, 'NamespaceDeletionContentFailure')?.status, 'False');
      const terminating = await c.client.resource(REFS.pods).get('pods', 'web');
      assert.equal(terminating.metadata.deletionGracePeriodSeconds, 30);

      // What the kubelet does once the containers have stopped.
      await c.client.resource(REFS.pods).delete('pods', 'web', { gracePeriodSeconds: 0 });
      await gone(c, 'pods');
    } finally {
      done();
    }
  });

  it('reports a pod still there after its grace period as a content deletion failure', async () => {
    const { c, done } = await setup('stuck');
    try {
      await c.client.resource(REFS.serviceaccounts).create('stuck', { metadata: { name: 'default' } });
      const pod = { metadata: { name: 'web' }, spec: { automountServiceAccountToken: false, nodeName: 'node-1', terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'nginx' }] } };
      await c.client.resource(REFS.pods).create('stuck', pod);
      await c.client.resource(REFS.namespaces).delete('', 'stuck');
      const ns = await namespaceWhen(c, 'stuck', (n) => condition(n, 'NamespaceDeletionContentFailure')?.status === 'True', 'content failure condition');
      const failure = condition(ns, 'NamespaceDeletionContentFailure');
      assert.equal(failure?.reason, 'ContentDeletionFailed');
      assert.equal(failure?.message, 'Failed to delete all resource types, 1 remaining: unexpected items still remain in namespace: stuck for gvr: /v1, Resource=pods');
      assert.equal(condition(ns, 'NamespaceContentRemaining')?.message, 'Some resources are remaining: pods. has 1 resource instances');
      assert.equal(ns.status?.phase, 'Terminating');
    } finally {
      done();
    }
  });

  it('removes only its own finalizer from the namespace', async () => {
    const { c, done } = await setup('shared');
    try {
      const ns = structuredClone(await c.client.resource(REFS.namespaces).get('', 'shared'));
      ns.spec = { finalizers: ['kubernetes', 'example.com/other'] };
      await c.client.resource(REFS.namespaces).updateSubresource('', ns, 'finalize');
      await c.client.resource(REFS.namespaces).delete('', 'shared');
      const left = await namespaceWhen(c, 'shared', (n) => !n.spec?.finalizers?.includes('kubernetes'), 'kubernetes finalizer removed');
      assert.deepEqual(left.spec?.finalizers, ['example.com/other']);
      assert.equal(left.status?.phase, 'Terminating');
      assert.equal(condition(left, 'NamespaceContentRemaining')?.reason, 'ContentRemoved');
    } finally {
      done();
    }
  });
});
