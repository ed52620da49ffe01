// What a runtime that runs real processes gets from the kubelet for a pod: volumes set up on the host,
// the /etc/hosts and resolv.conf of the sandbox, and per container its environment, expanded
// command, mounts (with subPath) and user. Config errors are CreateContainerConfigError messages.

import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ConfigMap, Container, Pod, Secret, Service } from 'kubernetes-types/core/v1.js';
import { REFS, type Client } from '../client/client.js';
import type { Informer } from '../client/informer.js';
import type { ContainerMount, LinuxContainerConfig, LinuxSandboxConfig } from '../runtime/linuxconfig.js';
import { containerEnv, expandCommand } from './envvars.js';
import { podHostsFile } from './etchosts.js';
import { expand, mappingFor } from './expansion.js';
import { fetchNamed } from './objectfetch.js';
import { formatResolvConf, podDNS } from './resolvconf.js';
import { VolumeManager } from './volumes/volumemanager.js';

export class ContainerConfigError extends Error {}

export interface PodResourcesOptions {
  client: Client;
  services: Informer<Service>;
  /** `<data dir>/kubelet/<node>` */
  rootDir: string;
  clusterDNS: string[];
  clusterDomain: string;
  nodeIP: string;
}

export class PodResources {
  readonly volumes: VolumeManager;
  private hostResolvConf?: Promise<string | undefined>;

  constructor(private opts: PodResourcesOptions) {
    this.volumes = new VolumeManager(opts.client, path.join(opts.rootDir, 'pods'));
  }

  async sandbox(pod: Pod, ip: string): Promise<LinuxSandboxConfig> {
    this.hostResolvConf ??= readFile('/etc/resolv.conf', 'utf8').catch(() => undefined);
    const nodeHosts = pod.spec?.hostNetwork ? await readFile('/etc/hosts', 'utf8').catch(() => '') : undefined;
    const { config } = podDNS(pod, { clusterDNS: this.opts.clusterDNS, clusterDomain: this.opts.clusterDomain, hostResolvConf: await this.hostResolvConf, nodeIPs: [this.opts.nodeIP] });
    return {
      hostsFile: podHostsFile(pod, { podIPs: [ip], clusterDomain: this.opts.clusterDomain, nodeHosts }),
      resolvConf: formatResolvConf(config),
      hostNetwork: !!pod.spec?.hostNetwork,
      shareProcessNamespace: !!pod.spec?.shareProcessNamespace,
    };
  }

  async container(pod: Pod, spec: Container, volumes: Map<string, string>, ip: string): Promise<LinuxContainerConfig> {
    const ns = pod.metadata!.namespace!;
    const refs = await this.envSources(ns, spec);
    const { env, errors } = containerEnv({
      pod,
      container: spec,
      services: this.opts.services.list(),
      getConfigMap: (_ns, name) => refs.configMaps.get(name),
      getSecret: (_ns, name) => refs.secrets.get(name),
      podIPs: [ip],
      hostIPs: [this.opts.nodeIP],
    });
    if (errors.length) throw new ContainerConfigError(errors[0]);
    const mapping = mappingFor(new Map(env.map((e) => [e.name, e.value])));
    const mounts: ContainerMount[] = [];
    for (const m of spec.volumeMounts ?? []) {
      const base = volumes.get(m.name);
      if (!base) throw new ContainerConfigError(`cannot find volume "${m.name}" to mount into container "${spec.name}"`);
      const sub = m.subPathExpr ? expand(m.subPathExpr, mapping) : m.subPath;
      let hostPath = base;
      if (sub) {
        if (path.isAbsolute(sub) || sub.split('/').includes('..')) throw new ContainerConfigError(`failed to prepare subPath for volumeMount "${m.name}" of container "${spec.name}"`);
        hostPath = path.join(base, sub);
        await mkdir(hostPath, { recursive: true }).catch(() => undefined);
      }
      mounts.push({ hostPath, containerPath: m.mountPath, readOnly: !!m.readOnly });
    }
    return {
      spec,
      env,
      command: spec.command && expandCommand(spec.command, env),
      args: spec.args && expandCommand(spec.args, env),
      mounts,
      user: containerUser(pod, spec),
    };
  }

  private async envSources(ns: string, spec: Container): Promise<{ configMaps: Map<string, ConfigMap>; secrets: Map<string, Secret> }> {
    const cms = new Set<string>();
    const secrets = new Set<string>();
    for (const f of spec.envFrom ?? []) {
      if (f.configMapRef?.name) cms.add(f.configMapRef.name);
      if (f.secretRef?.name) secrets.add(f.secretRef.name);
    }
    for (const e of spec.env ?? []) {
      if (e.valueFrom?.configMapKeyRef?.name) cms.add(e.valueFrom.configMapKeyRef.name);
      if (e.valueFrom?.secretKeyRef?.name) secrets.add(e.valueFrom.secretKeyRef.name);
    }
    return { configMaps: await fetchNamed(this.opts.client, REFS.configmaps, ns, cms), secrets: await fetchNamed(this.opts.client, REFS.secrets, ns, secrets) };
  }

}

/** runAsUser/runAsGroup (container over pod), with fsGroup and supplementalGroups as extra groups. */
function containerUser(pod: Pod, spec: Container): LinuxContainerConfig['user'] {
  const psc = pod.spec?.securityContext;
  const csc = spec.securityContext;
  const uid = csc?.runAsUser ?? psc?.runAsUser;
  const gid = csc?.runAsGroup ?? psc?.runAsGroup;
  const groups = [...(psc?.fsGroup !== undefined ? [psc.fsGroup] : []), ...(psc?.supplementalGroups ?? [])];
  if (uid === undefined && gid === undefined && !groups.length) return undefined;
  return { uid: uid ?? 0, gid: gid ?? 0, groups };
}
