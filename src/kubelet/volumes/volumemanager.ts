// The kubelet's volume manager for nodes that run real processes: it makes every volume of a pod a
// directory on the host before the containers start (emptyDir under the pod's directory, a bound
// PersistentVolume's hostPath, a hostPath, or the atomic-writer payload of configMap, secret,
// downwardAPI and projected volumes), applies fsGroup ownership, and removes the pod's directory when
// the pod is gone. Failures are FailedMount messages; the pod worker retries.

import { chmod, chown, lstat, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ConfigMap, PersistentVolume, Pod, Secret, Volume } from 'kubernetes-types/core/v1.js';
import type { TokenRequest } from 'kubernetes-types/authentication/v1.js';
import { REFS, type Client } from '../../client/client.js';
import { isStatusError } from '../../machinery/errors.js';
import { command } from '../../network/command.js';
import { fetchNamed } from '../objectfetch.js';
import { AtomicWriter } from './atomicwriter.js';
import { failedMountMessage, volumePayload } from './projection.js';

export class VolumeError extends Error {}

const PLUGIN_DIRS: Record<string, string> = {
  emptyDir: 'kubernetes.io~empty-dir',
  configMap: 'kubernetes.io~configmap',
  secret: 'kubernetes.io~secret',
  downwardAPI: 'kubernetes.io~downward-api',
  projected: 'kubernetes.io~projected',
};

/** The bound service-account token lives an hour, like the kubelet's default TokenRequest. */
const TOKEN_EXPIRATION_SECONDS = 3607;

export class VolumeManager {
  constructor(
    private client: Client,
    /** `<data dir>/kubelet/<node>/pods` */
    private podsDir: string,
  ) {}

  podDir(uid: string): string {
    return path.join(this.podsDir, uid);
  }

  /** Sets up every volume of the pod; resolves with volume name → host path. */
  async setUp(pod: Pod): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const ns = pod.metadata!.namespace!;
    const fsGroup = pod.spec!.securityContext?.fsGroup;
    for (const v of pod.spec!.volumes ?? []) {
      const fail = (msg: string) => new VolumeError(failedMountMessage(v.name, msg));
      const host = await this.setUpOne(pod, ns, v, fail);
      if (fsGroup !== undefined && (v.emptyDir || v.persistentVolumeClaim)) await setOwnership(host, fsGroup);
      out.set(v.name, host);
    }
    return out;
  }

  /** Removes the pod's directory, unmounting memory-backed emptyDirs first (never follows into PV data). */
  async tearDown(uid: string): Promise<void> {
    const dir = this.podDir(uid);
    const emptyDirs = path.join(dir, 'volumes', PLUGIN_DIRS.emptyDir);
    for (const name of await readdir(emptyDirs).catch(() => [] as string[])) await command(['umount', path.join(emptyDirs, name)]).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }

  private async setUpOne(pod: Pod, ns: string, v: Volume, fail: (msg: string) => VolumeError): Promise<string> {
    const uid = pod.metadata!.uid!;
    const pluginDir = (kind: string) => path.join(this.podDir(uid), 'volumes', PLUGIN_DIRS[kind], v.name);
    if (v.emptyDir) {
      const dir = pluginDir('emptyDir');
      await mkdir(dir, { recursive: true, mode: 0o777 });
      await chmod(dir, 0o777);
      if (v.emptyDir.medium === 'Memory') {
        const size = v.emptyDir.sizeLimit ? `,size=${String(v.emptyDir.sizeLimit).replace(/i$/, '')}` : '';
        const mounts = await command(['findmnt', '-n', '-o', 'TARGET', dir]).catch(() => '');
        if (!mounts.trim()) await command(['mount', '-t', 'tmpfs', '-o', `mode=0777${size}`, 'tmpfs', dir]).catch((e: Error) => Promise.reject(fail(e.message)));
      }
      return dir;
    }
    if (v.hostPath) return hostPathVolume(v.hostPath.path, v.hostPath.type ?? '', fail);
    if (v.persistentVolumeClaim) return this.claimPath(ns, v.persistentVolumeClaim.claimName, fail);
    const kind = v.configMap ? 'configMap' : v.secret ? 'secret' : v.downwardAPI ? 'downwardAPI' : v.projected ? 'projected' : undefined;
    if (!kind) throw fail(`volume type of ${JSON.stringify(v.name)} is not supported by the k8ts process runtime`);
    const refs = await this.fetchSources(ns, v);
    const token = v.projected?.sources?.some((s) => s.serviceAccountToken) ? await this.token(pod, v) : undefined;
    const result = volumePayload(v, {
      pod,
      getConfigMap: (_ns, name) => refs.configMaps.get(name),
      getSecret: (_ns, name) => refs.secrets.get(name),
      serviceAccountToken: token,
      fsGroup: pod.spec!.securityContext?.fsGroup ?? undefined,
    })!;
    if (result.error) throw fail(result.error);
    const dir = pluginDir(kind);
    await mkdir(dir, { recursive: true });
    await new AtomicWriter(dir).write(result.payload);
    return dir;
  }

  private async claimPath(ns: string, claimName: string, fail: (msg: string) => VolumeError): Promise<string> {
    const pvc = await this.client
      .resource(REFS.persistentvolumeclaims)
      .get(ns, claimName)
      .catch((e: unknown) => Promise.reject(isStatusError(e, 'NotFound') ? fail(`persistentvolumeclaim "${claimName}" not found`) : e));
    const pvName = pvc.spec?.volumeName;
    if (!pvName || pvc.status?.phase !== 'Bound') throw fail(`persistentvolumeclaim "${claimName}" is not bound yet`);
    const pv: PersistentVolume = await this.client.resource(REFS.persistentvolumes).get('', pvName);
    const p = pv.spec?.hostPath?.path ?? pv.spec?.local?.path;
    if (!p) throw fail(`persistentvolume "${pvName}" is neither hostPath nor local: the process runtime mounts only directories on this machine`);
    await mkdir(p, { recursive: true });
    return p;
  }

  private async fetchSources(ns: string, v: Volume): Promise<{ configMaps: Map<string, ConfigMap>; secrets: Map<string, Secret> }> {
    const cms = new Set<string>();
    const secrets = new Set<string>();
    if (v.configMap?.name) cms.add(v.configMap.name);
    if (v.secret?.secretName) secrets.add(v.secret.secretName);
    for (const s of v.projected?.sources ?? []) {
      if (s.configMap?.name) cms.add(s.configMap.name);
      if (s.secret?.name) secrets.add(s.secret.name);
    }
    return { configMaps: await fetchNamed(this.client, REFS.configmaps, ns, cms), secrets: await fetchNamed(this.client, REFS.secrets, ns, secrets) };
  }

  private async token(pod: Pod, v: Volume): Promise<string> {
    const source = v.projected!.sources!.find((s) => s.serviceAccountToken)!.serviceAccountToken!;
    const request: TokenRequest = {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: {
        audiences: source.audience ? [source.audience] : [],
        expirationSeconds: source.expirationSeconds ?? TOKEN_EXPIRATION_SECONDS,
        boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata!.name, uid: pod.metadata!.uid },
      },
    };
    const sa = pod.spec!.serviceAccountName ?? 'default';
    const res = (await this.client.resource(REFS.serviceaccounts).createSubresource(pod.metadata!.namespace!, sa, 'token', request)) as TokenRequest;
    return res.status!.token;
  }
}

async function hostPathVolume(p: string, type: string, fail: (msg: string) => VolumeError): Promise<string> {
  const st = await lstat(p).catch(() => undefined);
  if (type === 'DirectoryOrCreate' && !st) await mkdir(p, { recursive: true, mode: 0o755 });
  else if (type === 'FileOrCreate' && !st) {
    await mkdir(path.dirname(p), { recursive: true });
    await writeFile(p, '');
  } else if (type === 'Directory' && !st?.isDirectory()) throw fail(`hostPath type check failed: ${p} is not a directory`);
  else if (type === 'File' && !st?.isFile()) throw fail(`hostPath type check failed: ${p} is not a file`);
  else if (type === 'Socket' && !st?.isSocket()) throw fail(`hostPath type check failed: ${p} is not a socket file`);
  return p;
}

/** pkg/volume SetVolumeOwnership: group fsGroup, group read/write, setgid directories. */
async function setOwnership(root: string, gid: number): Promise<void> {
  const walk = async (p: string): Promise<void> => {
    const st = await lstat(p);
    if (st.isSymbolicLink()) return;
    await chown(p, st.uid, gid);
    const mask = st.isDirectory() ? 0o2770 : 0o660;
    await chmod(p, (st.mode & 0o7777) | mask);
    if (st.isDirectory()) for (const child of await readdir(p)) await walk(path.join(p, child));
  };
  await walk(root);
}
