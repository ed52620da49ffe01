// Objects every cluster starts with: the system namespaces, the `kubernetes` service, the RBAC
// bootstrap policy, the service accounts of the controllers, the system PriorityClasses and the local
// APIService of every served group-version. Each is created if missing, on every start; what exists is
// left as it is.

import type { APIService } from '../api/types/apiregistration/v1.js';
import { bootstrapClusterRoleBindings, bootstrapClusterRoles, bootstrapRoleBindings, bootstrapRoles } from '../apiserver/authorization/bootstrappolicy.js';
import { groupPriority } from '../api/grouppriority.js';
import { groupVersion, groupVersions, lookupResource } from '../api/resources.js';
import { SYSTEM_PRIORITY_CLASSES } from '../api/scheduling/priorityclasses.js';
import { rfc3339 } from '../machinery/clock.js';
import { isStatusError } from '../machinery/errors.js';
import { clone } from '../machinery/objects.js';
import type { Registry } from '../registry/rest.js';
import { RUNTIME_LABEL } from './nodes.js';
import { KUBE_DNS_SERVICE_IP, KUBERNETES_SERVICE_IP } from '../registry/service.js';
import { CONTROLLER_SERVICE_ACCOUNTS } from './identities.js';

const NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

async function ensure(reg: Registry, plural: string, group: string, ns: string, obj: object): Promise<void> {
  const r = lookupResource(group, 'v1', plural)!;
  try {
    await reg.create(r, ns, obj, { fieldValidation: 'Ignore' });
  } catch (e) {
    if (!isStatusError(e, 'AlreadyExists')) throw e;
    // Another server sharing the store created it: wait until this cache has it too.
    await reg.store.fresh();
  }
}

/** Creates run concurrently, so they share commits; namespaces come first, since what is in them needs them. */
/** Where clients reach this API server: the `kubernetes` Service's endpoint. */
export interface ApiEndpoint {
  /** Undefined when the machine has no address an Endpoints object may hold. */
  ip: string | undefined;
  port: number;
}

export async function bootstrap(reg: Registry, api: ApiEndpoint, nowMs: number): Promise<void> {
  await Promise.all(NAMESPACES.map((name) => ensure(reg, 'namespaces', '', '', { metadata: { name, labels: { 'kubernetes.io/metadata.name': name } } })));
  const creates: Array<Promise<void>> = [];
  const create = (plural: string, group: string, ns: string, obj: object) => creates.push(ensure(reg, plural, group, ns, obj));
  create('services', '', 'default', {
    metadata: { name: 'kubernetes', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: { clusterIP: KUBERNETES_SERVICE_IP, ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: api.port }], sessionAffinity: 'None', type: 'ClusterIP' },
  });
  // kube-apiserver's own endpoint reconciler writes these; the Service has no selector, so no controller does.
  // With several servers on one store the first one's stays.
  if (api.ip) {
    create('endpoints', '', 'default', {
      metadata: { name: 'kubernetes', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
      subsets: [{ addresses: [{ ip: api.ip }], ports: [{ name: 'https', port: api.port, protocol: 'TCP' }] }],
    });
    create('endpointslices', 'discovery.k8s.io', 'default', {
      metadata: { name: 'kubernetes', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: [api.ip], conditions: { ready: true } }],
      ports: [{ name: 'https', port: api.port, protocol: 'TCP' }],
    });
  }
  const RBAC = 'rbac.authorization.k8s.io';
  for (const role of bootstrapClusterRoles()) create('clusterroles', RBAC, '', role);
  for (const binding of bootstrapClusterRoleBindings()) create('clusterrolebindings', RBAC, '', binding);
  for (const role of bootstrapRoles()) create('roles', RBAC, role.metadata!.namespace!, role);
  for (const binding of bootstrapRoleBindings()) create('rolebindings', RBAC, binding.metadata!.namespace!, binding);
  // The service-account controller makes `default` in every namespace; these exist before it runs, so
  // the first pods of the system namespaces never wait for it.
  for (const ns of NAMESPACES) create('serviceaccounts', '', ns, { metadata: { name: 'default' } });
  for (const name of CONTROLLER_SERVICE_ACCOUNTS) create('serviceaccounts', '', 'kube-system', { metadata: { name } });
  create('serviceaccounts', '', 'kube-system', { metadata: { name: 'coredns' } });
  // kubeadm's CoreDNS Service; k8ts answers on its address itself when nodes run real processes.
  create('services', '', 'kube-system', {
    metadata: { name: 'kube-dns', labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' } },
    spec: {
      clusterIP: KUBE_DNS_SERVICE_IP,
      selector: { 'k8s-app': 'kube-dns' },
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
        { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
        { name: 'metrics', port: 9153, protocol: 'TCP', targetPort: 9153 },
      ],
      sessionAffinity: 'None',
      type: 'ClusterIP',
    },
  });
  // The scheduling/bootstrap-system-priority-classes post-start hook.
  for (const pc of SYSTEM_PRIORITY_CLASSES) create('priorityclasses', 'scheduling.k8s.io', '', structuredClone(pc));
  // One RuntimeClass per k8ts runtime; nodes carry the label of theirs (src/server/nodes.ts).
  for (const handler of ['sim', 'process']) {
    create('runtimeclasses', 'node.k8s.io', '', { metadata: { name: handler }, handler, scheduling: { nodeSelector: { [RUNTIME_LABEL]: handler } } });
  }
  for (const gv of groupVersions()) creates.push(ensureLocalAPIService(reg, gv, nowMs));
  await Promise.all(creates);
}

/**
 * What kube-aggregator's autoregister controller keeps on start: one APIService per group-version this
 * server serves itself, marked Available because local services always are.
 */
async function ensureLocalAPIService(reg: Registry, gv: { group: string; version: string }, nowMs: number): Promise<void> {
  const r = lookupResource('apiregistration.k8s.io', 'v1', 'apiservices')!;
  const name = `${gv.version}.${gv.group}`;
  const svc: APIService = {
    metadata: { name, labels: { 'kube-aggregator.kubernetes.io/automanaged': 'onstart' } },
    spec: { group: gv.group, version: gv.version, ...groupPriority(groupVersion(gv)) },
  };
  await ensure(reg, 'apiservices', 'apiregistration.k8s.io', '', svc);
  const stored = clone(reg.get(r, '', name)) as APIService;
  if (stored.status?.conditions?.some((c) => c.type === 'Available' && c.status === 'True')) return;
  stored.status = {
    conditions: [{ type: 'Available', status: 'True', lastTransitionTime: rfc3339(nowMs), reason: 'Local', message: 'Local APIServices are always available' }],
  };
  try {
    await reg.update(r, '', name, stored, { fieldValidation: 'Ignore' }, 'status');
  } catch (e) {
    // Another server sharing the store marked it at the same time.
    if (!isStatusError(e, 'Conflict')) throw e;
  }
}
