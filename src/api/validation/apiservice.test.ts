import assert from 'node:assert/strict';
import { test } from 'node:test';
import { messages } from '../../testing/validation.js';

const G = 'apiregistration.k8s.io';

/** The APIService fields these cases set (kubernetes-types has no apiregistration.k8s.io). */
type APIService = {
  metadata: { name: string };
  spec: {
    group: string;
    version: string;
    groupPriorityMinimum: number;
    versionPriority: number;
    service?: { namespace?: string; name?: string; port?: number };
    caBundle?: string;
    insecureSkipTLSVerify?: boolean;
  };
};

const metrics = (): APIService => ({
  metadata: { name: 'v1beta1.metrics.k8s.io' },
  spec: { group: 'metrics.k8s.io', version: 'v1beta1', groupPriorityMinimum: 100, versionPriority: 100, service: { namespace: 'kube-system', name: 'metrics-server' } },
});

test('a remote APIService is valid and its port defaults to 443', () => {
  const svc = metrics();
  assert.deepEqual(messages(G, 'APIService', svc), []);
  assert.equal(svc.spec.service?.port, 443);
});

test('the name must be version.group, and only v1 may have an empty group', () => {
  const svc = metrics();
  svc.metadata.name = 'metrics';
  assert.deepEqual(messages(G, 'APIService', svc), ['metadata.name: Invalid value: "metrics": must be `spec.version+"."+spec.group`: "v1beta1.metrics.k8s.io"']);
  const core = { metadata: { name: 'v2.' }, spec: { version: 'v2', groupPriorityMinimum: 18000, versionPriority: 1 } };
  assert.deepEqual(messages(G, 'APIService', core), ['spec.group: Required value: only v1 may have an empty group and it better be legacy kube']);
  assert.deepEqual(messages(G, 'APIService', { metadata: { name: 'v1.' }, spec: { version: 'v1', groupPriorityMinimum: 18000, versionPriority: 1 } }), []);
});

test('priorities are bounded; a local APIService has no TLS settings; a remote one names its service', () => {
  const local = { metadata: { name: 'v1.x.io' }, spec: { group: 'x.io', version: 'v1', groupPriorityMinimum: 20001, versionPriority: 0, caBundle: 'Zm9v', insecureSkipTLSVerify: true } };
  assert.deepEqual(messages(G, 'APIService', local), [
    'spec.groupPriorityMinimum: Invalid value: 20001: must be positive and less than 20000',
    'spec.versionPriority: Invalid value: 0: must be positive and less than 1000',
    'spec.caBundle: Invalid value: "3 bytes": local APIServices may not have a caBundle',
    'spec.insecureSkipTLSVerify: Invalid value: true: local APIServices may not have insecureSkipTLSVerify',
  ]);
  const remote = metrics();
  remote.spec.service = { port: 70000 };
  remote.spec.caBundle = 'Zm9v';
  remote.spec.insecureSkipTLSVerify = true;
  assert.deepEqual(messages(G, 'APIService', remote), [
    'spec.service.namespace: Required value',
    'spec.service.name: Required value',
    'spec.service.port: Invalid value: 70000: port is not valid: must be between 1 and 65535, inclusive',
    'spec.insecureSkipTLSVerify: Invalid value: true: may not be true if caBundle is present',
  ]);
});
