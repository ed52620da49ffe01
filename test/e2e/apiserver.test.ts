// The API server as kubectl sees it: apply, get, patch, scale, watch, explain, delete, errors, restart.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { request, startCluster, table, type Cluster } from './harness.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/e2e/fixtures');
const WEB = readFileSync(path.join(FIXTURES, 'web.yaml'), 'utf8');

describe('k8ts server with the real kubectl', () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster();
  });
  after(async () => {
    await c.destroy();
  });

  it('serves the system namespaces', async () => {
    const rows = table(await c.ok(['get', 'namespaces']));
    assert.deepEqual(rows[0], ['NAME', 'STATUS', 'AGE']);
    assert.deepEqual(rows.slice(1).map((r) => [r[0], r[1]]), [
      ['default', 'Active'],
      ['kube-node-lease', 'Active'],
      ['kube-public', 'Active'],
      ['kube-system', 'Active'],
    ]);
  });

  it('applies the web StatefulSet and its headless Service, then reports them unchanged', async () => {
    const file = c.writeFile('web.yaml', WEB);
    assert.equal(await c.ok(['apply', '-f', file]), 'service/nginx created\nstatefulset.apps/web created\n');
    assert.equal(await c.ok(['apply', '-f', file]), 'service/nginx unchanged\nstatefulset.apps/web unchanged\n');
  });

  it('prints the real columns', async () => {
    const svc = table(await c.ok(['get', 'service', 'nginx']));
    assert.deepEqual(svc[0], ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
    assert.deepEqual(svc[1].slice(0, 5), ['nginx', 'ClusterIP', 'None', '<none>', '80/TCP']);
    const sts = table(await c.ok(['get', 'sts', 'web', '-o', 'wide']));
    assert.deepEqual(sts[0], ['NAME', 'READY', 'AGE', 'CONTAINERS', 'IMAGES']);
    assert.equal(sts[1][0], 'web');
    assert.match(sts[1][1], /^\d\/2$/);
    assert.deepEqual(sts[1].slice(3), ['nginx', 'k8s.gcr.io/nginx-slim:0.8']);
    const kube = table(await c.ok(['get', 'svc', 'kubernetes']));
    assert.deepEqual(kube[1].slice(0, 5), ['kubernetes', 'ClusterIP', '10.96.0.1', '<none>', '443/TCP']);
  });

  it('patches with strategic, merge and JSON patches', async () => {
    assert.equal(await c.ok(['patch', 'sts', 'web', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.25"}]}}}}']), 'statefulset.apps/web patched\n');
    let sts = await c.json(['get', 'sts', 'web']);
    assert.equal(sts.spec.template.spec.containers.length, 1, 'strategic merge keeps the list merged by name');
    assert.equal(sts.spec.template.spec.containers[0].image, 'nginx:1.25');
    assert.equal(sts.spec.template.spec.containers[0].ports[0].containerPort, 80);
    assert.equal(sts.metadata.generation, 2);
    await c.ok(['patch', 'sts', 'web', '--type=merge', '-p', '{"metadata":{"labels":{"tier":"web"}}}']);
    await c.ok(['patch', 'sts', 'web', '--type=json', '-p', '[{"op":"replace","path":"/spec/updateStrategy/rollingUpdate/partition","value":1}]']);
    sts = await c.json(['get', 'sts', 'web']);
    assert.equal(sts.metadata.labels.tier, 'web');
    assert.equal(sts.spec.updateStrategy.rollingUpdate.partition, 1);
    assert.equal(sts.metadata.generation, 3, 'a label change does not bump the generation');
  });

  it('scales through the scale subresource', async () => {
    assert.equal(await c.ok(['scale', 'sts', 'web', '--replicas=5']), 'statefulset.apps/web scaled\n');
    const sts = await c.json(['get', 'sts', 'web']);
    assert.equal(sts.spec.replicas, 5);
    const r = await c.kubectl(['scale', 'sts', 'web', '--replicas=3', '--current-replicas=4']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Expected replicas to be 4, was 5/);
  });

  it('serves ReplicationControllers: defaults from the template, validation, columns and scale', async () => {
    const rc = `apiVersion: v1
kind: ReplicationController
metadata: {name: legacy}
spec:
  replicas: 2
  template:
    metadata: {labels: {app: legacy}}
    spec: {containers: [{name: nginx, image: nginx}]}
`;
    assert.equal(await c.ok(['apply', '-f', '-'], rc), 'replicationcontroller/legacy created\n');
    const stored = await c.json(['get', 'rc', 'legacy']);
    assert.deepEqual(stored.spec.selector, { app: 'legacy' });
    assert.deepEqual(stored.metadata.labels, { app: 'legacy' });
    const rows = table(await c.ok(['get', 'rc', '-o', 'wide']));
    assert.deepEqual(rows[0], ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR']);
    assert.deepEqual([rows[1][0], rows[1][1], rows[1][5], rows[1][6], rows[1][7]], ['legacy', '2', 'nginx', 'nginx', 'app=legacy']);
    assert.equal(await c.ok(['scale', 'rc', 'legacy', '--replicas=4']), 'replicationcontroller/legacy scaled\n');
    const scale = JSON.parse(await c.ok(['get', '--raw', '/api/v1/namespaces/default/replicationcontrollers/legacy/scale']));
    assert.deepEqual([scale.spec.replicas, scale.status.selector], [4, 'app=legacy']);
    assert.equal((await c.json(['get', 'rc', 'legacy'])).metadata.generation, 2);
    const bad = await c.kubectl(['apply', '-f', '-'], rc.replace('name: legacy}', 'name: bad}').replace('replicas: 2', 'replicas: 1\n  selector: {app: other}'));
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /spec\.template\.metadata\.labels: Invalid value: map\[string\]string\{"app":"legacy"\}: `selector` does not match template `labels`/);
    await c.ok(['delete', 'rc', 'legacy']);
  });

  it('lists the local APIServices of every served group-version as Available', async () => {
    const rows = table(await c.ok(['get', 'apiservices']));
    assert.deepEqual(rows[0], ['NAME', 'SERVICE', 'AVAILABLE', 'AGE']);
    const byName = new Map(rows.slice(1).map((r) => [r[0], r]));
    for (const name of ['v1.', 'v1.apps', 'v1.apiregistration.k8s.io', 'v1.policy']) {
      assert.deepEqual(byName.get(name)?.slice(1, 3), ['Local', 'True'], name);
    }
    const versions = (await c.ok(['api-versions'])).trim().split('\n');
    assert.equal(rows.length - 1, versions.length, 'one APIService per served group-version');
    const apps = await c.json(['get', 'apiservice', 'v1.apps']);
    assert.deepEqual(apps.spec, { group: 'apps', version: 'v1', groupPriorityMinimum: 17800, versionPriority: 15 });
    assert.equal(apps.status.conditions[0].reason, 'Local');
  });

  it('streams changes to kubectl get -w', async () => {
    const w = c.stream(['get', 'configmaps', '-w']);
    try {
      await w.waitFor(/^NAME\s+DATA\s+AGE/);
      await c.ok(['create', 'configmap', 'watched', '--from-literal=a=1']);
      await w.waitFor(/^watched\s+1\s+/);
      await c.ok(['patch', 'configmap', 'watched', '--type=merge', '-p', '{"data":{"b":"2"}}']);
      await w.waitFor(/^watched\s+2\s+/);
    } finally {
      w.stop();
    }
  });

  it('explains fields from the served OpenAPI', async () => {
    const out = await c.ok(['explain', 'statefulset.spec.updateStrategy']);
    assert.match(out, /KIND:\s+StatefulSet/);
    assert.match(out, /FIELD: updateStrategy <StatefulSetUpdateStrategy>/);
    assert.match(out, /rollingUpdate\s+<RollingUpdateStatefulSetStrategy>/);
  });

  it('validates a kind: List client-side against the served /openapi/v2', async () => {
    const list = (data: string) =>
      `apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: listed}\n  ${data}\n`;
    assert.match(await c.ok(['apply', '-f', '-'], list('data: {k: v}')), /configmap\/listed created/);
    const r = await c.kubectl(['apply', '-f', '-'], list('datax: {k: v}'));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /ValidationError\(ConfigMap\): unknown field "datax" in io\.k8s\.api\.core\.v1\.ConfigMap/);
    assert.deepEqual((await c.json(['get', 'configmap', 'listed'])).data, { k: 'v' });
  });

  it('answers each error class as kubectl prints it', async () => {
    let r = await c.kubectl(['get', 'sts', 'nope']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'Error from server (NotFound): statefulsets.apps "nope" not found\n');

    r = await c.kubectl(['create', 'configmap', 'watched']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'error: failed to create configmap: configmaps "watched" already exists\n');

    const bad = WEB.split('---')[1].replace('name: web', 'name: bad').replace('replicas: 2', 'replicas: -1');
    r = await c.kubectl(['apply', '-f', '-'], bad);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /The StatefulSet "bad" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0/);

    const unknown = WEB.split('---')[1].replace('name: web', 'name: typo').replace('serviceName: "nginx"', 'serviceName: "nginx"\n  replicaz: 2');
    r = await c.kubectl(['apply', '-f', '-'], unknown);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /strict decoding error: unknown field "spec.replicaz"/);

    r = await c.kubectl(['create', 'configmap', 'x', '-n', 'nope']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /namespaces "nope" not found/);

    const cm = await c.json(['get', 'configmap', 'watched']);
    cm.metadata.resourceVersion = '1';
    r = await c.kubectl(['replace', '-f', '-'], JSON.stringify(cm));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Error from server \(Conflict\): error when replacing "STDIN": Operation cannot be fulfilled on configmaps "watched": the object has been modified; please apply your changes to the latest version and try again/);

    r = await c.kubectl(['apply', '--server-side', '-f', '-'], WEB.split('---')[0]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /server-side apply .* is not supported by k8ts yet/);
  });

  it('refuses bad input with a clean Status and stays up', async () => {
    const status = (res: { body: string }) => JSON.parse(res.body);
    let res = await request(c, 'POST', '/api/v1/namespaces/default/configmaps', '{"metadata":', { 'Content-Type': 'application/json' });
    assert.equal(res.status, 400);
    assert.equal(status(res).reason, 'BadRequest');
    res = await request(c, 'POST', '/api/v1/namespaces/default/configmaps', 'x'.repeat(3 * 1024 * 1024 + 10), { 'Content-Type': 'application/json' });
    assert.equal(res.status, 413);
    res = await request(c, 'PATCH', '/api/v1/namespaces/default/configmaps/watched', '{}', { 'Content-Type': 'text/plain' });
    assert.equal(res.status, 415);
    assert.equal(status(res).reason, 'UnsupportedMediaType');
    res = await request(c, 'PATCH', '/api/v1/namespaces/default/configmaps', '{}', { 'Content-Type': 'application/merge-patch+json' });
    assert.equal(res.status, 405);
    assert.equal(status(res).reason, 'MethodNotAllowed');
    res = await request(c, 'POST', '/api/v1/namespaces/default/configmaps', '{"metadata":{"name":"Bad_Name"}}', { 'Content-Type': 'application/json' });
    assert.equal(res.status, 422);
    assert.equal(status(res).details.causes[0].field, 'metadata.name');
    res = await request(c, 'GET', '/api/v1/namespaces/default/pods', undefined, {}, 'wrong-token');
    assert.equal(res.status, 401);
    // A credential nobody accepts is a 401 on every path; without one, /version is open to anonymous.
    res = await request(c, 'GET', '/version', undefined, {}, 'wrong-token');
    assert.equal(res.status, 401);
    res = await request(c, 'GET', '/version', undefined, { Authorization: '' });
    assert.equal(res.status, 200);
    assert.equal(JSON.parse(res.body).minor, '32');
    const r = await c.kubectl(['get', 'configmap', 'watched']);
    assert.equal(r.code, 0, 'the server is still up');
  });

  it('deletes', async () => {
    assert.equal(await c.ok(['delete', 'configmap', 'watched']), 'configmap "watched" deleted\n');
    const r = await c.kubectl(['get', 'configmap', 'watched']);
    assert.equal(r.code, 1);
  });

  it('keeps everything across a restart', async () => {
    const before = await c.json(['get', 'sts', 'web']);
    await c.stop();
    await c.start();
    const after = await c.json(['get', 'sts', 'web']);
    assert.equal(after.metadata.uid, before.metadata.uid);
    assert.equal(after.spec.replicas, 5);
    await c.ok(['create', 'configmap', 'after-restart']);
    const cm = await c.json(['get', 'configmap', 'after-restart']);
    assert.ok(Number(cm.metadata.resourceVersion) > Number(after.metadata.resourceVersion), 'revisions keep increasing');
    const res = await request(c, 'GET', '/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=1');
    assert.equal(res.status, 200);
    assert.match(res.body.split('\n')[0], /"type":"ERROR".*"code":410/, 'history from before the restart is gone');
  });
});
