// Test helpers for the endpoints controllers: a StatefulSet-like pod and the status a kubelet reports.

import type { Client } from '../client/client.js';

export function statefulPod(name: string, service = 'nginx', labels: Record<string, string> = { app: 'nginx' }): any {
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
export async function reportStatus(client: Client, name: string, ip: string, ready: boolean, readyAt = '2026-01-01T00:00:10Z'): Promise<any> {
  const pod = await client.pods.get('default', name);
  const status = ready ? 'True' : 'False';
  return client.pods.updateStatus('default', {
    ...structuredClone(pod),
    status: {
      phase: 'Running',
      hostIP: '192.168.49.2',
      podIP: ip,
      podIPs: [{ ip }],
      startTime: '2026-01-01T00:00:00Z',
      conditions: [
        { type: 'Ready', status, lastProbeTime: null, lastTransitionTime: readyAt },
        { type: 'ContainersReady', status, lastProbeTime: null, lastTransitionTime: readyAt },
      ],
    },
  });
}

export function headlessService(name = 'nginx', extra: any = {}): any {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, labels: { app: 'nginx' } },
    spec: { clusterIP: 'None', selector: { app: 'nginx' }, ports: [{ name: 'web', port: 80 }], ...extra },
  };
}
