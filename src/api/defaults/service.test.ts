import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Namespace, Secret, Service } from 'kubernetes-types/core/v1.js';
import type { Loose } from '../loose.js';
import { applyDefaults } from './index.js';

test('a ClusterIP Service reads back like a single-stack cluster returns it', () => {
  const svc = { metadata: { name: 'nginx' }, spec: { selector: { app: 'nginx' }, ports: [{ port: 80, name: 'web' }] } };
  applyDefaults('', 'Service', svc);
  assert.deepEqual(svc.spec, {
    selector: { app: 'nginx' },
    ports: [{ port: 80, name: 'web', protocol: 'TCP', targetPort: 80 }],
    sessionAffinity: 'None',
    type: 'ClusterIP',
    internalTrafficPolicy: 'Cluster',
    ipFamilyPolicy: 'SingleStack',
    ipFamilies: ['IPv4'],
  });
});

test('a headless Service keeps clusterIP None and lists it in clusterIPs', () => {
  const svc: Loose<Service> = { spec: { clusterIP: 'None', selector: { app: 'nginx' }, ports: [{ port: 80, targetPort: 'web' }] } };
  applyDefaults('', 'Service', svc);
  assert.deepEqual(svc.spec?.clusterIPs, ['None']);
  assert.equal(svc.spec?.ports?.[0]?.targetPort, 'web');
  assert.equal(svc.spec?.ipFamilyPolicy, 'SingleStack');
});

test('NodePort, LoadBalancer and ExternalName Services', () => {
  const np: Loose<Service> = { spec: { type: 'NodePort', ports: [{ port: 80 }] } };
  applyDefaults('', 'Service', np);
  assert.equal(np.spec?.externalTrafficPolicy, 'Cluster');
  const lb: Loose<Service> = { spec: { type: 'LoadBalancer', ports: [{ port: 80 }], sessionAffinity: 'ClientIP' } };
  applyDefaults('', 'Service', lb);
  assert.equal(lb.spec?.allocateLoadBalancerNodePorts, true);
  assert.deepEqual(lb.spec?.sessionAffinityConfig, { clientIP: { timeoutSeconds: 10800 } });
  const ext = { spec: { type: 'ExternalName', externalName: 'example.com' } };
  applyDefaults('', 'Service', ext);
  assert.deepEqual(ext.spec, { type: 'ExternalName', externalName: 'example.com', sessionAffinity: 'None' });
});

test('storage, secret, namespace, RBAC and EndpointSlice defaults', () => {
  const pv = { spec: { capacity: { storage: '1024Mi' }, hostPath: { path: '/tmp' } } };
  applyDefaults('', 'PersistentVolume', pv);
  assert.deepEqual(pv, { spec: { capacity: { storage: '1Gi' }, hostPath: { path: '/tmp', type: '' }, persistentVolumeReclaimPolicy: 'Retain', volumeMode: 'Filesystem' }, status: { phase: 'Pending' } });
  const sc = { provisioner: 'k8ts.io/local' };
  applyDefaults('storage.k8s.io', 'StorageClass', sc);
  assert.deepEqual(sc, { provisioner: 'k8ts.io/local', reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate' });
  const secret: Loose<Secret> = {};
  applyDefaults('', 'Secret', secret);
  assert.equal(secret.type, 'Opaque');
  const ns: Loose<Namespace> = { metadata: { name: 'arcus' } };
  applyDefaults('', 'Namespace', ns);
  assert.deepEqual(ns.metadata?.labels, { 'kubernetes.io/metadata.name': 'arcus' });
  const rb = { roleRef: { kind: 'Role', name: 'r' }, subjects: [{ kind: 'User', name: 'u' }, { kind: 'ServiceAccount', name: 'sa' }] };
  applyDefaults('rbac.authorization.k8s.io', 'RoleBinding', rb);
  assert.deepEqual(rb.roleRef, { kind: 'Role', name: 'r', apiGroup: 'rbac.authorization.k8s.io' });
  assert.deepEqual(rb.subjects, [{ kind: 'User', name: 'u', apiGroup: 'rbac.authorization.k8s.io' }, { kind: 'ServiceAccount', name: 'sa' }]);
  const slice = { ports: [{ port: 80 }] };
  applyDefaults('discovery.k8s.io', 'EndpointSlice', slice);
  assert.deepEqual(slice.ports, [{ port: 80, name: '', protocol: 'TCP' }]);
});
