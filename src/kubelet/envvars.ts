// A container's environment as the kubelet builds it (Kubelet.makeEnvironmentVariables,
// getServiceEnvVarMap, pkg/kubelet/envvars): service links, then envFrom, then env with `$(VAR)`
// expansion and valueFrom sources. Objects are looked up through the functions in the input.

import type { ConfigMap, Container, Pod, Secret, Service } from 'kubernetes-types/core/v1.js';
import { expand, mappingFor } from './expansion.js';
import { containerResourceValue, podFieldRuntimeValue, type ResourceList } from './fieldpath.js';

export interface EnvVar {
  name: string;
  value: string;
}

export interface ContainerEnvInput {
  pod: Pod;
  container: Container;
  /** every Service the kubelet's informer holds (all namespaces); only ClusterIP ones produce links */
  services: readonly Service[];
  getConfigMap: (namespace: string, name: string) => ConfigMap | undefined;
  getSecret: (namespace: string, name: string) => Secret | undefined;
  /** defaults to status.podIP(s) */
  podIPs?: readonly string[];
  /** the node's addresses for status.hostIP(s); defaults to status.hostIP(s) */
  hostIPs?: readonly string[];
  /** node allocatable, used for resourceFieldRef limits when the container sets none */
  nodeAllocatable?: ResourceList;
}

export interface ContainerEnv {
  env: EnvVar[];
  /** failures that keep the container from starting (CreateContainerConfigError) */
  errors: string[];
  /** InvalidEnvironmentVariableNames event messages */
  warnings: string[];
}

const isServiceIPSet = (s: Service) => !!s.spec?.clusterIP && s.spec.clusterIP !== 'None';

/** makeEnvVariableName: upper-case, `.`/`-` to `_`, `_` before a leading digit. */
export function serviceEnvName(name: string): string {
  const n = name.replace(/[.-]/g, '_').toUpperCase();
  return /^[0-9]/.test(n) ? '_' + n : n;
}

/** envvars.FromServices for the given (already filtered) services. */
export function serviceLinkVars(services: readonly Service[]): EnvVar[] {
  const out: EnvVar[] = [];
  for (const svc of services) {
    const ports = svc.spec?.ports ?? [];
    if (!isServiceIPSet(svc) || ports.length === 0) continue;
    const ip = svc.spec!.clusterIP!;
    const prefix = serviceEnvName(svc.metadata?.name ?? '');
    out.push({ name: `${prefix}_SERVICE_HOST`, value: ip }, { name: `${prefix}_SERVICE_PORT`, value: String(ports[0].port) });
    for (const p of ports) if (p.name) out.push({ name: `${prefix}_SERVICE_PORT_${serviceEnvName(p.name)}`, value: String(p.port) });
    ports.forEach((p, i) => {
      const proto = (p.protocol ?? 'TCP').toLowerCase();
      const url = `${proto}://${ip}:${p.port}`;
      if (i === 0) out.push({ name: `${prefix}_PORT`, value: url });
      const pp = `${prefix}_PORT_${p.port}_${proto.toUpperCase()}`;
      out.push({ name: pp, value: url }, { name: `${pp}_PROTO`, value: proto }, { name: `${pp}_PORT`, value: String(p.port) }, { name: `${pp}_ADDR`, value: ip });
    });
  }
  return out;
}

/** getServiceEnvVarMap: default/kubernetes always, same-namespace services when links are enabled. */
export function serviceEnv(services: readonly Service[], namespace: string, enableServiceLinks: boolean): Map<string, string> {
  const byName = new Map<string, Service>();
  for (const svc of services) {
    if (!isServiceIPSet(svc)) continue;
    const name = svc.metadata?.name ?? '';
    const ns = svc.metadata?.namespace ?? 'default';
    if (ns === 'default' && name === 'kubernetes') {
      if (!byName.has(name)) byName.set(name, svc);
    } else if (ns === namespace && enableServiceLinks) {
      byName.set(name, svc);
    }
  }
  const sorted = [...byName.values()].sort((a, b) => (a.metadata!.name! < b.metadata!.name! ? -1 : 1));
  return new Map(serviceLinkVars(sorted).map((e) => [e.name, e.value]));
}

/** validation.IsEnvVarName */
export const isEnvVarName = (name: string) => /^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(name);

const notFound = (kind: string, name: string) => `${kind} ${JSON.stringify(name)} not found`;

const decodeSecret = (v: string) => Buffer.from(v, 'base64').toString('utf8');

export function containerEnv(input: ContainerEnvInput): ContainerEnv {
  const { pod, container } = input;
  const ns = pod.metadata?.namespace ?? 'default';
  const errors: string[] = [];
  const warnings: string[] = [];
  const svcEnv = serviceEnv(input.services, ns, pod.spec?.enableServiceLinks !== false);
  const declared = new Map<string, string>();
  const configMaps = new Map<string, ConfigMap | undefined>();
  const secrets = new Map<string, Secret | undefined>();
  const configMap = (name: string) => {
    if (!configMaps.has(name)) configMaps.set(name, input.getConfigMap(ns, name));
    return configMaps.get(name);
  };
  const secret = (name: string) => {
    if (!secrets.has(name)) secrets.set(name, input.getSecret(ns, name));
    return secrets.get(name);
  };

  for (const from of container.envFrom ?? []) {
    const ref = from.configMapRef ?? from.secretRef;
    if (!ref) continue;
    const isCM = !!from.configMapRef;
    const name = ref.name ?? '';
    const obj = isCM ? configMap(name) : secret(name);
    if (!obj) {
      if (!ref.optional) errors.push(notFound(isCM ? 'configmap' : 'secret', name));
      continue;
    }
    const data: Record<string, string> = (isCM ? (obj as ConfigMap).data : (obj as Secret).data) ?? {};
    const invalid: string[] = [];
    for (const [key, raw] of Object.entries(data)) {
      const k = (from.prefix ?? '') + key;
      if (!isEnvVarName(k)) invalid.push(k);
      else declared.set(k, isCM ? raw : decodeSecret(raw));
    }
    if (invalid.length > 0) {
      warnings.push(`Keys [${invalid.sort().join(', ')}] from the EnvFrom ${isCM ? 'configMap' : 'secret'} ${ns}/${name} were skipped since they are considered invalid environment variable names.`);
    }
  }

  const mapping = mappingFor(declared, svcEnv);
  for (const e of container.env ?? []) {
    let value = e.value ?? '';
    const src = e.valueFrom;
    if (value !== '') {
      value = expand(value, mapping);
    } else if (src) {
      try {
        if (src.fieldRef) {
          value = podFieldRuntimeValue(src.fieldRef, pod, input);
        } else if (src.resourceFieldRef) {
          value = containerResourceValue(src.resourceFieldRef, pod, container, input.nodeAllocatable ?? {});
        } else if (src.configMapKeyRef || src.secretKeyRef) {
          const ref = (src.configMapKeyRef ?? src.secretKeyRef)!;
          const isCM = !!src.configMapKeyRef;
          const name = ref.name ?? '';
          const obj = isCM ? configMap(name) : secret(name);
          if (!obj) {
            if (ref.optional) continue;
            throw new Error(notFound(isCM ? 'configmap' : 'secret', name));
          }
          const raw = obj.data?.[ref.key];
          if (raw === undefined) {
            if (ref.optional) continue;
            throw new Error(`couldn't find key ${ref.key} in ${isCM ? 'ConfigMap' : 'Secret'} ${ns}/${name}`);
          }
          value = isCM ? raw : decodeSecret(raw);
        }
      } catch (err) {
        errors.push((err as Error).message);
        continue;
      }
    }
    declared.set(e.name, value);
  }

  const env: EnvVar[] = [];
  for (const [name, value] of svcEnv) if (!declared.has(name)) env.push({ name, value });
  for (const [name, value] of declared) env.push({ name, value });
  return { env, errors, warnings };
}

/** `$(VAR)` in command and args against the final environment (kubecontainer.ExpandContainerCommandAndArgs). */
export function expandCommand(words: readonly string[] | undefined, env: readonly EnvVar[]): string[] {
  const mapping = mappingFor(new Map(env.map((e) => [e.name, e.value])));
  return (words ?? []).map((w) => expand(w, mapping));
}
