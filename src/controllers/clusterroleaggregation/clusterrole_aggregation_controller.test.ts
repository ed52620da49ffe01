import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ClusterRole, PolicyRule } from 'kubernetes-types/rbac/v1.js';
import { testCluster, waitFor } from '../../testing/fixture.js';
import { aggregatedRules, ClusterRoleAggregationController, rulesEqual } from './clusterrole_aggregation_controller.js';

const rule = (verbs: string[], resources: string[]): PolicyRule => ({ verbs, apiGroups: [''], resources });
const cr = (name: string, labels: Record<string, string>, rules: PolicyRule[], selectors?: Record<string, string>[]): ClusterRole => ({
  metadata: { name, labels },
  rules,
  ...(selectors ? { aggregationRule: { clusterRoleSelectors: selectors.map((matchLabels) => ({ matchLabels })) } } : {}),
});

test('aggregatedRules: union by selector, roles sorted by name, duplicates and itself left out', () => {
  const agg = cr('agg', { a: 'true' }, [rule(['stale'], ['x'])], [{ a: 'true' }, { b: 'true' }]);
  const all = [
    agg,
    cr('zeta', { a: 'true' }, [rule(['get'], ['pods']), rule(['list'], ['pods'])]),
    cr('alpha', { a: 'true' }, [rule(['list'], ['pods'])]),
    cr('beta', { b: 'true' }, [rule(['get'], ['pods']), rule(['get'], ['secrets'])]),
    cr('other', { c: 'true' }, [rule(['delete'], ['pods'])]),
  ];
  assert.deepEqual(aggregatedRules(agg, all), [rule(['list'], ['pods']), rule(['get'], ['pods']), rule(['get'], ['secrets'])]);
  assert.deepEqual(aggregatedRules(cr('none', {}, [], [{ nothing: 'x' }]), all), []);
  // An empty selector selects every role.
  assert.equal(aggregatedRules(cr('every', {}, [], [{}]), all).length, 5);
});

test('rulesEqual treats missing and empty lists alike', () => {
  assert.ok(rulesEqual(undefined, []));
  assert.ok(rulesEqual([{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }], [{ verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: [] }]));
  assert.ok(!rulesEqual([rule(['get'], ['pods'])], [rule(['get'], ['secrets'])]));
  assert.ok(!rulesEqual([rule(['get'], ['pods']), rule(['list'], ['pods'])], [rule(['list'], ['pods']), rule(['get'], ['pods'])]));
});

test('the controller fills admin/edit/view and follows new aggregated roles', async () => {
  const c = await testCluster();
  const ctl = new ClusterRoleAggregationController(c.ctx);
  await c.start();
  ctl.start();
  const ref = { group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'clusterroles' };
  const roles = c.client.resource(ref);
  const grants = (r: ClusterRole, verb: string, resource: string) => (r.rules ?? []).some((x) => x.verbs.includes(verb) && x.resources?.includes(resource));
  try {
    const view = (await waitFor(async () => {
      const v: ClusterRole = await roles.get('', 'view');
      return v.rules?.length ? v : undefined;
    }, 'view aggregated'))!;
    assert.ok(grants(view, 'list', 'pods'));
    assert.ok(!grants(view, 'get', 'secrets'));
    await waitFor(async () => grants(await roles.get('', 'admin'), 'list', 'pods') && grants(await roles.get('', 'admin'), 'create', 'rolebindings'), 'admin aggregated');

    await roles.create('', cr('widget-viewer', { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' }, [{ verbs: ['get'], apiGroups: ['example.com'], resources: ['widgets'] }]));
    // Through view and edit, the new rule reaches admin.
    await waitFor(async () => grants(await roles.get('', 'view'), 'get', 'widgets') && grants(await roles.get('', 'admin'), 'get', 'widgets'), 'widgets aggregated');

    await roles.delete('', 'widget-viewer');
    await waitFor(async () => !grants(await roles.get('', 'admin'), 'get', 'widgets'), 'widgets removed');
  } finally {
    ctl.stop();
    c.stop();
  }
});
