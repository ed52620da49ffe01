// PriorityClasses for the scheduler's tests: the Priority admission plugin gives pods their priority
// and preemptionPolicy from a class, and refuses a pod that sets different values itself.

import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js';
import type { TypedRef } from '../client/client.js';
import type { TestCluster } from '../testing/fixture.js';

const PRIORITY_CLASSES: TypedRef<PriorityClass> = { group: 'scheduling.k8s.io', version: 'v1', plural: 'priorityclasses' };

export async function priorityClass(c: TestCluster, name: string, value: number, preemptionPolicy?: string): Promise<void> {
  await c.client.resource(PRIORITY_CLASSES).create('', { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value, preemptionPolicy });
}
