// ServiceAccount admission (plugin/pkg/admission/serviceaccount): a pod runs as a service account that
// exists (`default` unless named), and gets its API credentials as the projected `kube-api-access-*`
// volume mounted in every container, unless automounting is turned off.

import { randomBytes } from 'node:crypto';
import type { Container, Pod, PodSpec, ServiceAccount, Volume } from 'kubernetes-types/core/v1.js';
import { forbidden } from '../../machinery/errors.js';
import type { AdmissionPlugin } from '../../registry/admission.js';

export const SERVICE_ACCOUNT_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/** utilrand.String: the alphabet generated names use (no vowels, no look-alikes). */
function randomSuffix(n: number): string {
  return [...randomBytes(n)].map((b) => ALPHANUMS[b % ALPHANUMS.length]).join('');
}

function tokenVolume(name: string): Volume {
  return {
    name,
    projected: {
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    },
  };
}

const isPodCreate = (a: { operation: string; resource: { group: string; plural: string }; subresource: string }) =>
  a.operation === 'CREATE' && a.resource.group === '' && a.resource.plural === 'pods' && !a.subresource;

export const serviceAccountAdmission: AdmissionPlugin = {
  name: 'ServiceAccount',
  admit(a) {
    if (!isPodCreate(a)) return;
    const pod = a.object as Pod;
    // Mirror pods of static manifests have no service account.
    if (pod.metadata?.annotations?.['kubernetes.io/config.mirror'] !== undefined) return;
    const spec = (pod.spec ??= {} as PodSpec);
    spec.serviceAccountName ||= spec.serviceAccount || 'default';
    spec.serviceAccount = spec.serviceAccountName;
    const sa = a.store.get('serviceaccounts', a.namespace, spec.serviceAccountName)?.object as ServiceAccount | undefined;
    if (!sa) {
      throw forbidden(a.resource, a.name, `service account ${a.namespace}/${spec.serviceAccountName} was not found, retry after the service account is created`);
    }
    const automount = spec.automountServiceAccountToken ?? sa.automountServiceAccountToken ?? true;
    if (!automount) return;
    const containers: Container[] = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
    const needing = containers.filter((c) => !(c.volumeMounts ?? []).some((m) => m.mountPath === SERVICE_ACCOUNT_MOUNT_PATH));
    if (!needing.length) return;
    const volumes: Volume[] = (spec.volumes ??= []);
    let volume = volumes.find((v) => v.name?.startsWith('kube-api-access-') && v.projected);
    if (!volume) {
      volume = tokenVolume(`kube-api-access-${randomSuffix(5)}`);
      volumes.push(volume);
    }
    for (const c of needing) (c.volumeMounts ??= []).push({ name: volume.name, readOnly: true, mountPath: SERVICE_ACCOUNT_MOUNT_PATH });
  },
};
