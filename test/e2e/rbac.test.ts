// RBAC, service-account tokens and the auth verbs with the real kubectl, on the 3-tier document's
// service account (seed 004): a ClusterRole that may get and list pods, bound to a service account.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Stored } from '../../src/client/objects.js';
import { request, startCluster, table, type Cluster } from './harness.js';

const SA = 'system:serviceaccount:hwyu:jgroups-kubeping-service-account';

const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'test', 'e2e', 'fixtures', 'kubeping-rbac.yaml');

/** The document's ServiceAccount, ClusterRole and ClusterRoleBinding, with its namespace variable set. */
function seedManifest(): string {
  return readFileSync(FIXTURE, 'utf8').replaceAll('$TARGET_NAMESPACE', 'hwyu');
}

describe('RBAC with service-account tokens', () => {
  let c: Cluster;
  let token = '';
  const as = (args: string[]) => c.kubectl(['--token', token, ...args]);

  before(async () => {
    c = await startCluster();
    await c.ok(['create', 'namespace', 'hwyu']);
  });
  after(async () => {
    await c.destroy();
  });

  it('applies the document: the v1beta1 binding is refused as by a 1.32 server, the rest is created', async () => {
    const r = await c.kubectl(['apply', '-f', '-'], seedManifest());
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no matches for kind "ClusterRoleBinding" in version "rbac\.authorization\.k8s\.io\/v1beta1"/);
    assert.match(r.stdout, /serviceaccount\/jgroups-kubeping-service-account created/);
    assert.match(r.stdout, /clusterrole\.rbac\.authorization\.k8s\.io\/jgroups-kubeping-pod-reader created/);
    const raw = await request(c, 'POST', '/apis/rbac.authorization.k8s.io/v1beta1/clusterrolebindings', '{}', { 'Content-Type': 'application/json' });
    assert.equal(raw.status, 404);
  });

  it('issues a token whose user is refused before the binding exists', async () => {
    token = (await c.ok(['create', 'token', 'jgroups-kubeping-service-account', '-n', 'hwyu', '--duration', '1h'])).trim();
    assert.equal(token.split('.').length, 3, 'a JWT');
    const r = await as(['get', 'pods', '-n', 'hwyu']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim(), `Error from server (Forbidden): pods is forbidden: User "${SA}" cannot list resource "pods" in API group "" in the namespace "hwyu"`);
  });

  it('lists pods once bound, with kubectl and with curl, and is refused for the rest', async () => {
    await c.ok(['apply', '-f', '-'], seedManifest().replace('rbac.authorization.k8s.io/v1beta1', 'rbac.authorization.k8s.io/v1'));
    const listed = await as(['get', 'pods', '-n', 'hwyu']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stderr, /No resources found in hwyu namespace/);
    const curl = await request(c, 'GET', '/api/v1/namespaces/hwyu/pods', undefined, {}, token);
    assert.equal(curl.status, 200);
    assert.equal(JSON.parse(curl.body).kind, 'PodList');

    const secrets = await as(['get', 'secrets', '-n', 'hwyu']);
    assert.equal(secrets.stderr.trim(), `Error from server (Forbidden): secrets is forbidden: User "${SA}" cannot list resource "secrets" in API group "" in the namespace "hwyu"`);
    await c.ok(['run', 'victim', '-n', 'hwyu', '--image', 'nginx']);
    const del = await as(['delete', 'pod', 'victim', '-n', 'hwyu']);
    assert.equal(del.code, 1);
    assert.equal(del.stderr.trim(), `Error from server (Forbidden): pods "victim" is forbidden: User "${SA}" cannot delete resource "pods" in API group "" in the namespace "hwyu"`);
    const deploys = await as(['get', 'deployments', '-n', 'hwyu']);
    assert.match(deploys.stderr, new RegExp(`deployments\\.apps is forbidden: User "${SA}" cannot list resource "deployments" in API group "apps" in the namespace "hwyu"`));
    const nodes = await as(['get', 'nodes']);
    assert.match(nodes.stderr, new RegExp(`nodes is forbidden: User "${SA}" cannot list resource "nodes" in API group "" at the cluster scope`));
  });

  it('answers kubectl auth can-i, can-i --list and whoami', async () => {
    assert.equal((await c.kubectl(['auth', 'can-i', 'list', 'pods', '-n', 'hwyu', '--as', SA])).stdout.trim(), 'yes');
    const no = await c.kubectl(['auth', 'can-i', 'delete', 'pods', '-n', 'hwyu', '--as', SA]);
    assert.equal(no.code, 1);
    assert.equal(no.stdout.trim(), 'no');
    assert.equal((await as(['auth', 'can-i', 'get', 'pods'])).stdout.trim(), 'yes');
    assert.equal((await c.kubectl(['auth', 'can-i', '*', '*'])).stdout.trim(), 'yes', 'the admin is in system:masters');

    const rules = table((await as(['auth', 'can-i', '--list', '-n', 'hwyu'])).stdout);
    assert.deepEqual(rules[0], ['Resources', 'Non-Resource URLs', 'Resource Names', 'Verbs']);
    assert.ok(rules.some((r) => r[0] === 'pods' && r[3] === '[get list]'), JSON.stringify(rules));
    assert.ok(rules.some((r) => r[0] === 'selfsubjectaccessreviews.authorization.k8s.io' && r[3] === '[create]'), 'system:basic-user');

    const me = table((await as(['auth', 'whoami'])).stdout);
    assert.deepEqual(me[1], ['Username', SA]);
    assert.match(me.find((r) => r[0] === 'Groups')![1], /system:serviceaccounts system:serviceaccounts:hwyu system:authenticated/);
    const admin = table(await c.ok(['auth', 'whoami']));
    assert.deepEqual(admin[1], ['Username', 'kubernetes-admin']);
    assert.equal(admin.find((r) => r[0] === 'Groups')![1], '[system:masters system:authenticated]');
  });

  it('lets only those allowed impersonate, and acts as the impersonated user', async () => {
    const asSA = await c.kubectl(['get', 'secrets', '-n', 'hwyu', '--as', SA]);
    assert.match(asSA.stderr, new RegExp(`secrets is forbidden: User "${SA}" cannot list resource "secrets"`));
    const refused = await as(['get', 'pods', '-n', 'hwyu', '--as', 'someone']);
    assert.equal(refused.stderr.trim(), `Error from server (Forbidden): users "someone" is forbidden: User "${SA}" cannot impersonate resource "users" in API group "" at the cluster scope`);
  });

  it('gives anonymous requests the public health and version endpoints only', async () => {
    const none = { Authorization: '' };
    assert.equal((await request(c, 'GET', '/healthz', undefined, none)).status, 200);
    assert.equal((await request(c, 'GET', '/version', undefined, none)).status, 200);
    const api = await request(c, 'GET', '/api', undefined, none);
    assert.equal(api.status, 403);
    assert.equal(JSON.parse(api.body).message, 'forbidden: User "system:anonymous" cannot get path "/api"');
    const bad = await request(c, 'GET', '/api', undefined, {}, 'not-a-token');
    assert.equal(bad.status, 401);
  });

  it('aggregates admin, edit and view from the aggregate-to roles, through the controller\'s own identity', async () => {
    const view = await c.json<{ rules: Array<{ resources?: string[]; verbs: string[] }> }>(['get', 'clusterrole', 'view']);
    assert.ok(view.rules.some((r) => r.resources?.includes('pods') && r.verbs.includes('list')), 'view can list pods');
    assert.ok(!view.rules.some((r) => r.resources?.includes('secrets')), 'view cannot read secrets');
    await c.ok(['create', 'clusterrole', 'widget-viewer', '--verb=get', '--resource=configmaps']);
    await c.ok(['label', 'clusterrole', 'widget-viewer', 'rbac.authorization.k8s.io/aggregate-to-view=true']);
    let aggregated = false;
    for (let i = 0; i < 50 && !aggregated; i++) {
      const v = await c.json<{ rules: Array<{ resources?: string[]; verbs: string[] }> }>(['get', 'clusterrole', 'view']);
      aggregated = v.rules.some((r) => r.resources?.length === 1 && r.resources[0] === 'configmaps' && r.verbs.length === 1 && r.verbs[0] === 'get');
      if (!aggregated) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(aggregated, 'a newly labelled role joins view');
  });

  it('runs each controller as its own service account: a namespace with content is deleted to the end', async () => {
    await c.ok(['create', 'namespace', 'scratch']);
    await c.ok(['create', 'configmap', 'x', '-n', 'scratch']);
    await c.ok(['run', 'p', '-n', 'scratch', '--image', 'nginx']);
    const r = await c.kubectl(['delete', 'namespace', 'scratch', '--timeout=20s']);
    assert.equal(r.code, 0, r.stderr);
    const gone = await c.kubectl(['get', 'namespace', 'scratch']);
    assert.match(gone.stderr, /namespaces "scratch" not found/);
  });

  it('lets a service account grant only what it holds', async () => {
    await c.ok(['create', 'role', 'rbac-writer', '-n', 'hwyu', '--verb=create', '--resource=roles.rbac.authorization.k8s.io,rolebindings.rbac.authorization.k8s.io']);
    await c.ok(['create', 'rolebinding', 'rbac-writer', '-n', 'hwyu', '--role=rbac-writer', `--serviceaccount=hwyu:jgroups-kubeping-service-account`]);
    const held = await as(['create', 'role', 'pod-getter', '-n', 'hwyu', '--verb=get', '--resource=pods']);
    assert.equal(held.code, 0, held.stderr);
    const more = await as(['create', 'role', 'sneaky', '-n', 'hwyu', '--verb=get', '--resource=secrets']);
    assert.equal(more.code, 1);
    assert.equal(
      more.stderr.trim(),
      `Error from server (Forbidden): roles.rbac.authorization.k8s.io "sneaky" is forbidden: user "${SA}" (groups=["system:serviceaccounts" "system:serviceaccounts:hwyu" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["secrets"], Verbs:["get"]}`,
    );
    const bind = await as(['create', 'rolebinding', 'root', '-n', 'hwyu', '--clusterrole=cluster-admin', `--serviceaccount=hwyu:jgroups-kubeping-service-account`]);
    assert.equal(bind.code, 1);
    assert.match(bind.stderr, /rolebindings\.rbac\.authorization\.k8s\.io "root" is forbidden: user .* is attempting to grant RBAC permissions not currently held/);
    const ok = await as(['create', 'rolebinding', 'getters', '-n', 'hwyu', '--role=pod-getter', '--user=jane']);
    assert.equal(ok.code, 0, ok.stderr);
  });

  it('reviews tokens and access, serves the issuer documents, and fills legacy token secrets', async () => {
    const review = JSON.parse(
      await c.ok(['create', '-o', 'json', '-f', '-'], JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } })),
    );
    assert.equal(review.status.authenticated, true);
    assert.equal(review.status.user.username, SA);
    assert.deepEqual(review.status.audiences, ['https://kubernetes.default.svc.cluster.local']);
    const sar = JSON.parse(
      await c.ok(['create', '-o', 'json', '-f', '-'], JSON.stringify({
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: { user: SA, groups: ['system:serviceaccounts'], resourceAttributes: { namespace: 'hwyu', verb: 'list', resource: 'pods' } },
      })),
    );
    assert.equal(sar.status.allowed, true);
    assert.match(sar.status.reason, /RBAC: allowed by ClusterRoleBinding "jgroups-kubeping-api-access" of ClusterRole "jgroups-kubeping-pod-reader" to ServiceAccount "jgroups-kubeping-service-account\/hwyu"/);

    const discovery = await request(c, 'GET', '/.well-known/openid-configuration', undefined, {}, token);
    assert.equal(discovery.status, 200);
    assert.equal(JSON.parse(discovery.body).issuer, 'https://kubernetes.default.svc.cluster.local');
    const keys = JSON.parse((await request(c, 'GET', '/openid/v1/jwks', undefined, {}, token)).body).keys;
    assert.equal(keys[0].kid, JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()).kid);

    await c.ok(['apply', '-f', '-'], 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: legacy\n  namespace: hwyu\n  annotations: {kubernetes.io/service-account.name: jgroups-kubeping-service-account}\ntype: kubernetes.io/service-account-token\n');
    let legacy = '';
    for (let i = 0; i < 50 && !legacy; i++) {
      legacy = (await c.ok(['get', 'secret', 'legacy', '-n', 'hwyu', '-o', 'jsonpath={.data.token}'])).trim();
      if (!legacy) await new Promise((r) => setTimeout(r, 100));
    }
    const legacyToken = Buffer.from(legacy, 'base64').toString();
    assert.equal(JSON.parse(Buffer.from(legacyToken.split('.')[1], 'base64url').toString()).iss, 'kubernetes/serviceaccount');
    assert.equal((await request(c, 'GET', '/api/v1/namespaces/hwyu/pods', undefined, {}, legacyToken)).status, 200);
  });

  it('stops accepting a pod-bound token once its pod is deleted', async () => {
    const other = await c.kubectl(['create', 'token', 'jgroups-kubeping-service-account', '-n', 'hwyu', '--bound-object-kind', 'Pod', '--bound-object-name', 'victim']);
    assert.match(other.stderr, /cannot bind token for serviceaccount "jgroups-kubeping-service-account" to pod running with different serviceaccount name/);
    await c.ok(['run', 'member', '-n', 'hwyu', '--image', 'nginx', '--overrides', '{"spec":{"serviceAccountName":"jgroups-kubeping-service-account"}}']);
    const pod = await c.json<Stored<Pod>>(['get', 'pod', 'member', '-n', 'hwyu']);
    const volume = pod.spec!.volumes!.find((v) => v.name.startsWith('kube-api-access-'));
    assert.ok(volume?.projected, 'the token volume was added');
    assert.deepEqual(pod.spec!.containers[0].volumeMounts!.find((m) => m.name === volume!.name), { name: volume!.name, readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' });
    const uid = pod.metadata.uid;
    const bound = (await c.ok(['create', 'token', 'jgroups-kubeping-service-account', '-n', 'hwyu', '--bound-object-kind', 'Pod', '--bound-object-name', 'member', '--bound-object-uid', uid])).trim();
    const claims = JSON.parse(Buffer.from(bound.split('.')[1], 'base64url').toString());
    assert.deepEqual(claims['kubernetes.io'].pod, { name: 'member', uid });
    assert.equal((await request(c, 'GET', '/api/v1/namespaces/hwyu/pods', undefined, {}, bound)).status, 200);
    await c.ok(['delete', 'pod', 'member', '-n', 'hwyu', '--grace-period=0', '--force']);
    assert.equal((await request(c, 'GET', '/api/v1/namespaces/hwyu/pods', undefined, {}, bound)).status, 401);
  });

  it('stops accepting a token once its service account is deleted', async () => {
    await c.ok(['delete', 'serviceaccount', 'jgroups-kubeping-service-account', '-n', 'hwyu']);
    const r = await as(['get', 'pods', '-n', 'hwyu']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error: You must be logged in to the server \(Unauthorized\)/);
  });
});
