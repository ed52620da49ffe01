import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { managedHostsFileContent, podHostnameAndDomain, podHostsFile } from './etchosts.js';

const FIXED = '# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n';

test('StatefulSet pod: FQDN first, then the short name', () => {
  const pod: Pod = { metadata: { name: 'web-0', namespace: 'default' }, spec: { hostname: 'web-0', subdomain: 'nginx', containers: [] } };
  assert.equal(podHostsFile(pod, { podIPs: ['10.244.0.5'], clusterDomain: 'cluster.local' }), FIXED + '10.244.0.5\tweb-0.nginx.default.svc.cluster.local\tweb-0\n');
});

test('Deployment pod without subdomain, with hostAliases (kubelet_pods_test)', () => {
  const content = managedHostsFileContent(['203.0.113.1'], 'podFoo', '', [
    { ip: '123.45.67.89', hostnames: ['foo', 'bar', 'baz'] },
    { ip: '456.78.90.123', hostnames: ['park', 'doo', 'boo'] },
  ]);
  assert.equal(content, FIXED + '203.0.113.1\tpodFoo\n\n# Entries added by HostAliases.\n123.45.67.89\tfoo\tbar\tbaz\n456.78.90.123\tpark\tdoo\tboo\n');
});

test('dual-stack pods get one line per IP', () => {
  assert.equal(managedHostsFileContent(['10.0.0.1', 'fd00::1'], 'h', 'sub.ns.svc.cluster.local'), FIXED + '10.0.0.1\th.sub.ns.svc.cluster.local\th\nfd00::1\th.sub.ns.svc.cluster.local\th\n');
});

test('hostNetwork pods get the node file under the host-network header', () => {
  const pod: Pod = { metadata: { name: 'p', namespace: 'default' }, spec: { hostNetwork: true, hostAliases: [{ ip: '1.2.3.4', hostnames: ['a'] }], containers: [] } };
  assert.equal(
    podHostsFile(pod, { podIPs: [], clusterDomain: 'cluster.local', nodeHosts: '127.0.0.1\tlocalhost\n' }),
    '# Kubernetes-managed hosts file (host network).\n127.0.0.1\tlocalhost\n\n# Entries added by HostAliases.\n1.2.3.4\ta\n',
  );
});

test('hostname is truncated to 63 characters without trailing dashes or dots', () => {
  const name = 'a'.repeat(62) + '-' + 'b'.repeat(5);
  const { hostname, domain } = podHostnameAndDomain({ metadata: { name, namespace: 'ns' }, spec: { containers: [] } }, 'cluster.local');
  assert.equal(hostname, 'a'.repeat(62));
  assert.equal(domain, '');
  assert.throws(() => podHostnameAndDomain({ metadata: { name: 'p' }, spec: { subdomain: 'Bad_Sub', containers: [] } }, 'cluster.local'), /pod Subdomain "Bad_Sub" is not a valid DNS label/);
});
