// DefaultTolerationSeconds (plugin/pkg/admission/defaulttolerationseconds): a new pod tolerates the
// not-ready and unreachable NoExecute taints for a while (300 s by default), so the taint eviction
// controller moves it off a failed node after that long instead of at once.

import type { Pod, Toleration } from 'kubernetes-types/core/v1.js';
import type { AdmissionPlugin } from '../../registry/admission.js';

export const DEFAULT_TOLERATION_SECONDS = 300;
const NOT_READY = 'node.kubernetes.io/not-ready';
const UNREACHABLE = 'node.kubernetes.io/unreachable';

/** A toleration with an empty key or effect covers every key or effect. */
const covers = (t: Toleration, key: string) => (t.key === key || !t.key) && (t.effect === 'NoExecute' || !t.effect);

/** `--default-not-ready-toleration-seconds` and `--default-unreachable-toleration-seconds`. */
export function defaultTolerationSeconds(notReadySeconds = DEFAULT_TOLERATION_SECONDS, unreachableSeconds = DEFAULT_TOLERATION_SECONDS): AdmissionPlugin {
  return {
    name: 'DefaultTolerationSeconds',
    admit(a) {
      if (a.operation !== 'CREATE' || a.resource.group !== '' || a.resource.plural !== 'pods' || a.subresource) return;
      const spec = ((a.object as unknown as Pod).spec ??= { containers: [] });
      const tolerations = spec.tolerations ?? [];
      const add: Toleration[] = [];
      if (!tolerations.some((t) => covers(t, NOT_READY))) add.push({ key: NOT_READY, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: notReadySeconds });
      if (!tolerations.some((t) => covers(t, UNREACHABLE))) add.push({ key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: unreachableSeconds });
      if (add.length) spec.tolerations = [...tolerations, ...add];
    },
  };
}
