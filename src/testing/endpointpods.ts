// Test helpers for the endpoints controllers: a StatefulSet-like pod and the status a kubelet reports.

import type { Pod, Service, ServiceSpec } from 'kubernetes-types/core/v1.js';
import { REFS, type Client } from '../client/client.js';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import type { Stored } from '../client/objects.js';
import { UNSET_TIME } from '../kubelet/podstatus.js';

export function statefulPod(name: string, service = 'nginx', labels: Record<string, string> = { app: 'nginx' }): Pod & { metadata: ObjectMeta } {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels },
    spec: {
      hostname: name,
      subdomain: service,
      nodeName: 'k8ts',
      containers: [{ name: 'nginx', image: 'registry.k8s.io/nginx-slim:0.21', ports: [{ name: 'web', containerPort: 80 }] }],
    },
  };
}

/** Report the pod Running with an IP, Ready or not, as the kubelet would. */
export async function reportStatus(client: Client, name: string, ip: string, ready: boolean, readyAt = '2026-01-01T00:00:10Z'): Promise<Stored<Pod>> {
  const pods = client.resource(REFS.pods);
  const pod = await pods.get('default', name);
  const status = ready ? 'True' : 'False';
  return pods.updateStatus('default', {
    ...structuredClone(pod),
    status: {
      phase: 'Running',
      hostIP: '192.168.49.2',
      podIP: ip,
      podIPs: [{ ip }],
      startTime: '2026-01-01T00:00:00Z',
      conditions: [
        { type: 'Ready', status, lastProbeTime: UNSET_TIME, lastTransitionTime: readyAt },
        { type: 'ContainersReady', status, lastProbeTime: UNSET_TIME, lastTransitionTime: readyAt },
      ],
    },
  });
}

export function headlessService(name = 'nginx', extra: ServiceSpec = {}): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, labels: { app: 'nginx' } },
    spec: { clusterIP: 'None', selector: { app: 'nginx' }, ports: [{ name: 'web', port: 80 }], ...extra },
  };
}
