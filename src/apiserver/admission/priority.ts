// Priority (plugin/pkg/admission/priority): a new pod's spec.priority and spec.preemptionPolicy come
// from its PriorityClass, or from the globalDefault class when it names none; only one class may be
// globalDefault.

import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js';
import { DEFAULT_PRIORITY_WHEN_NO_DEFAULT_CLASS_EXISTS } from '../../api/scheduling/priorityclasses.js';
import { forbidden } from '../../machinery/errors.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../../registry/admission.js';
import type { Store } from '../../storage/store.js';

const PRIORITY_CLASSES = 'scheduling.k8s.io/priorityclasses';

const is = (a: AdmissionAttributes, group: string, plural: string) => a.resource.group === group && a.resource.plural === plural && !a.subresource;

/** getDefaultPriorityClass: should a race leave several globalDefault classes, the lowest value wins. */
function defaultPriorityClass(store: Store): PriorityClass | undefined {
  let found: PriorityClass | undefined;
  for (const e of store.list(PRIORITY_CLASSES).entries) {
    const pc = e.object as unknown as PriorityClass;
    if (pc.globalDefault && (!found || found.value > pc.value)) found = pc;
  }
  return found;
}

function admitPod(a: AdmissionAttributes): void {
  const spec = ((a.object as unknown as Pod).spec ??= { containers: [] });
  if (a.operation === 'UPDATE') {
    // Set on create; validation refuses changing them, so an update leaving them out keeps them.
    const old = (a.old as unknown as Pod | undefined)?.spec;
    if (spec.priority == null && old?.priority != null) spec.priority = old.priority;
    if (spec.preemptionPolicy == null && old?.preemptionPolicy != null) spec.preemptionPolicy = old.preemptionPolicy;
    return;
  }
  let priority: number;
  let policy: string | undefined;
  if (!spec.priorityClassName) {
    const dpc = defaultPriorityClass(a.store);
    spec.priorityClassName = dpc?.metadata?.name ?? '';
    if (!spec.priorityClassName) delete spec.priorityClassName;
    priority = dpc?.value ?? DEFAULT_PRIORITY_WHEN_NO_DEFAULT_CLASS_EXISTS;
    policy = dpc ? dpc.preemptionPolicy : 'PreemptLowerPriority';
  } else {
    const pc = a.store.get(PRIORITY_CLASSES, '', spec.priorityClassName)?.object as unknown as PriorityClass | undefined;
    if (!pc) throw forbidden(a.resource, a.name, `no PriorityClass with name ${spec.priorityClassName} was found`);
    priority = pc.value;
    policy = pc.preemptionPolicy;
  }
  if (spec.priority != null && spec.priority !== priority) {
    throw forbidden(a.resource, a.name, `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${priority} from the given PriorityClass name`);
  }
  spec.priority = priority;
  if (policy) {
    if (spec.preemptionPolicy != null && spec.preemptionPolicy !== policy) {
      throw forbidden(a.resource, a.name, `the string value of PreemptionPolicy (${spec.preemptionPolicy}) must not be provided in pod spec; priority admission controller computed ${policy} from the given PriorityClass name`);
    }
    spec.preemptionPolicy = policy;
  }
}

function validatePriorityClass(a: AdmissionAttributes): void {
  const pc = a.object as unknown as PriorityClass;
  if (!pc.globalDefault) return;
  const dpc = defaultPriorityClass(a.store);
  if (dpc && (a.operation === 'CREATE' || dpc.metadata?.name !== pc.metadata?.name)) {
    throw forbidden(a.resource, a.name, `PriorityClass ${dpc.metadata?.name} is already marked as default. Only one default can exist`);
  }
}

export const priorityAdmission: AdmissionPlugin = {
  name: 'Priority',
  admit(a) {
    if (is(a, '', 'pods') && (a.operation === 'CREATE' || a.operation === 'UPDATE')) admitPod(a);
  },
  validate(a) {
    if (is(a, 'scheduling.k8s.io', 'priorityclasses') && (a.operation === 'CREATE' || a.operation === 'UPDATE')) validatePriorityClass(a);
  },
};
