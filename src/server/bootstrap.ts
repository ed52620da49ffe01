// Objects every cluster starts with: the system namespaces and the `kubernetes` service.

import { lookupResource } from '../api/resources.js';
import { isStatusError } from '../machinery/errors.js';
import type { Registry } from '../registry/rest.js';
import { KUBERNETES_SERVICE_IP } from '../registry/service.js';

const NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

function ensure(reg: Registry, plural: string, group: string, ns: string, obj: any): void {
  const r = lookupResource(group, group ? 'v1' : 'v1', plural)!;
  try {
    reg.create(r, ns, obj, { fieldValidation: 'Ignore' });
  } catch (e) {
    if (!isStatusError(e, 'AlreadyExists')) throw e;
  }
}

export function bootstrap(reg: Registry, apiPort: number): void {
  for (const name of NAMESPACES) {
    ensure(reg, 'namespaces', '', '', { metadata: { name, labels: { 'kubernetes.io/metadata.name': name } } });
  }
  ensure(reg, 'services', '', 'default', {
    metadata: { name: 'kubernetes', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: { clusterIP: KUBERNETES_SERVICE_IP, ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: apiPort }], sessionAffinity: 'None', type: 'ClusterIP' },
  });
}
