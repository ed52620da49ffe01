// RuntimeClass (plugin/pkg/admission/runtimeclass): a new pod naming a RuntimeClass must name one that
// exists; it gets the class's overhead and its scheduling constraints (node selector and tolerations
// merged into the pod's), so it lands on a node that runs that handler.

import type { Pod, Toleration } from 'kubernetes-types/core/v1.js';
import type { RuntimeClass } from 'kubernetes-types/node/v1.js';
import { forbidden } from '../../machinery/errors.js';
import { deepEqual } from '../../machinery/objects.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../../registry/admission.js';

const RUNTIME_CLASSES = 'node.k8s.io/runtimeclasses';

function admitPod(a: AdmissionAttributes): void {
  const spec = (a.object as unknown as Pod).spec;
  const name = spec?.runtimeClassName;
  if (!spec || !name) return;
  const rc = a.store.get(RUNTIME_CLASSES, '', name)?.object as unknown as RuntimeClass | undefined;
  if (!rc) throw forbidden(a.resource, a.name, `pod rejected: RuntimeClass "${name}" not found`);
  if (rc.overhead?.podFixed) {
    if (spec.overhead && !deepEqual(spec.overhead, rc.overhead.podFixed)) throw forbidden(a.resource, a.name, 'pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead');
    spec.overhead = { ...rc.overhead.podFixed };
  }
  const selector = rc.scheduling?.nodeSelector ?? {};
  for (const [k, v] of Object.entries(selector)) {
    const mine = spec.nodeSelector?.[k];
    if (mine !== undefined && mine !== v) throw forbidden(a.resource, a.name, `pod rejected: conflict: runtimeClass.scheduling.nodeSelector[${k}] = ${v}; pod.spec.nodeSelector[${k}] = ${mine}`);
  }
  if (Object.keys(selector).length) spec.nodeSelector = { ...spec.nodeSelector, ...selector };
  const tolerations: Toleration[] = [...(spec.tolerations ?? [])];
  for (const t of rc.scheduling?.tolerations ?? []) if (!tolerations.some((x) => deepEqual(x, t))) tolerations.push(t);
  if (tolerations.length) spec.tolerations = tolerations;
}

export const runtimeClassAdmission: AdmissionPlugin = {
  name: 'RuntimeClass',
  admit(a) {
    if (a.resource.group === '' && a.resource.plural === 'pods' && !a.subresource && a.operation === 'CREATE') admitPod(a);
  },
};
