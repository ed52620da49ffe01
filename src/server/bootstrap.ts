// Objects every cluster starts with: the system namespaces, the `kubernetes` service and the local
// APIService of every served group-version.

import type { APIService } from '../api/types/apiregistration/v1.js';
import { groupPriority } from '../api/grouppriority.js';
import { groupVersion, groupVersions, lookupResource } from '../api/resources.js';
import { rfc3339 } from '../machinery/clock.js';
import { isStatusError } from '../machinery/errors.js';
import { clone } from '../machinery/objects.js';
import type { Registry } from '../registry/rest.js';
import { KUBERNETES_SERVICE_IP } from '../registry/service.js';

const NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

function ensure(reg: Registry, plural: string, group: string, ns: string, obj: any): void {
  const r = lookupResource(group, 'v1', plural)!;
  try {
    reg.create(r, ns, obj, { fieldValidation: 'Ignore' });
  } catch (e) {
    if (!isStatusError(e, 'AlreadyExists')) throw e;
  }
}

export function bootstrap(reg: Registry, apiPort: number, nowMs: number): void {
  for (const name of NAMESPACES) {
    ensure(reg, 'namespaces', '', '', { metadata: { name, labels: { 'kubernetes.io/metadata.name': name } } });
  }
  ensure(reg, 'services', '', 'default', {
    metadata: { name: 'kubernetes', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: { clusterIP: KUBERNETES_SERVICE_IP, ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: apiPort }], sessionAffinity: 'None', type: 'ClusterIP' },
  });
  bootstrapLocalAPIServices(reg, nowMs);
}

/**
 * What kube-aggregator's autoregister controller keeps on start: one APIService per group-version this
 * server serves itself, marked Available because local services always are.
 */
function bootstrapLocalAPIServices(reg: Registry, nowMs: number): void {
  const r = lookupResource('apiregistration.k8s.io', 'v1', 'apiservices')!;
  for (const gv of groupVersions()) {
    const name = `${gv.version}.${gv.group}`;
    const svc: APIService = {
      metadata: { name, labels: { 'kube-aggregator.kubernetes.io/automanaged': 'onstart' } },
      spec: { group: gv.group, version: gv.version, ...groupPriority(groupVersion(gv)) },
    };
    ensure(reg, 'apiservices', 'apiregistration.k8s.io', '', svc);
    const stored: APIService = clone(reg.get(r, '', name));
    if (stored.status?.conditions?.some((c) => c.type === 'Available' && c.status === 'True')) continue;
    stored.status = {
      conditions: [{ type: 'Available', status: 'True', lastTransitionTime: rfc3339(nowMs), reason: 'Local', message: 'Local APIServices are always available' }],
    };
    reg.update(r, '', name, stored, { fieldValidation: 'Ignore' }, 'status');
  }
}
