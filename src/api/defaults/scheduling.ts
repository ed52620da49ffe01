// SetDefaults_PriorityClass (pkg/apis/scheduling/v1/defaults.go).
import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js';
import type { Loose } from '../loose.js';

export function defaultPriorityClass(pc: Loose<PriorityClass>): void {
  pc.preemptionPolicy ??= 'PreemptLowerPriority';
}
