// SetDefaults_ResourceList: every quantity rounded up to milli-units and written in canonical form,
// which is what a client reads back ("0.5" -> "500m", "1024Mi" -> "1Gi").
import type { ResourceRequirements } from 'kubernetes-types/core/v1.js';
import type { Loose } from '../loose.js';
import { formatQuantity, roundUpQuantity, toQuantity } from '../../machinery/quantity.js';

export function defaultResourceList(list: Record<string, unknown> | undefined): void {
  if (!list || typeof list !== 'object') return;
  for (const [name, raw] of Object.entries(list)) {
    if (typeof raw !== 'string' && typeof raw !== 'number') continue;
    try {
      list[name] = formatQuantity(roundUpQuantity(toQuantity(raw), -3));
    } catch {
      // Left as sent: decoding rejects it with the upstream quantity error.
    }
  }
}

export function defaultResourceRequirements(resources: Loose<ResourceRequirements> | undefined): void {
  if (!resources) return;
  defaultResourceList(resources.limits);
  defaultResourceList(resources.requests);
}
