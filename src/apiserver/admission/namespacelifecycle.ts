// NamespaceLifecycle (plugin/pkg/admission/namespace/lifecycle): nothing is created in a namespace that
// does not exist or is being terminated.

import type { Namespace } from 'kubernetes-types/core/v1.js';
import { forbidden, notFound } from '../../machinery/errors.js';
import type { AdmissionPlugin } from '../../registry/admission.js';

export const namespaceLifecycle: AdmissionPlugin = {
  name: 'NamespaceLifecycle',
  validate(a) {
    if (a.operation !== 'CREATE' || !a.resource.namespaced || a.subresource) return;
    const ns = a.store.get('namespaces', '', a.namespace);
    if (!ns) throw notFound({ group: '', plural: 'namespaces' }, a.namespace);
    if ((ns.object as Namespace).status?.phase === 'Terminating')
      throw forbidden(a.resource, a.name, `unable to create new content in namespace ${a.namespace} because it is being terminated`);
  },
};
