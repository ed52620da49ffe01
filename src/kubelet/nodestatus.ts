// The Node object a kubelet registers and keeps up to date: labels, capacity, conditions with the
// kubelet's reasons and messages, addresses and system info (pkg/kubelet/nodestatus setters).

import { createHash } from 'node:crypto';
import { readFileSync, statfsSync } from 'node:fs';
import os from 'node:os';
import type { Node, NodeCondition, NodeStatus } from 'kubernetes-types/core/v1.js';
import { rfc3339 } from '../machinery/clock.js';

export const KUBELET_VERSION = 'v1.32.4';
export const MAX_PODS = 110;
export const KUBELET_PORT = 10250;

export interface SystemInfo {
  machineID: string;
  systemUUID: string;
  bootID: string;
  kernelVersion: string;
  osImage: string;
  operatingSystem: string;
  architecture: string;
  cpus: number;
  memoryBytes: number;
  ephemeralStorageBytes: number;
}

export interface NodeSpecInput {
  name: string;
  podCIDR: string;
  nodeIP: string;
  /** `sim://0.1.0` */
  containerRuntimeVersion: string;
  labels?: Record<string, string>;
  sys: SystemInfo;
  /** What the node cannot do as asked (limits not enforced ...), appended to the Ready message as the kubelet does. */
  warnings?: readonly string[];
}

/** Go's GOARCH for Node's process.arch. */
const GOARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

/** The machine's facts; IDs are derived per node name, so several nodes in one process differ. `now` stands in for a missing boot id. */
export function readSystemInfo(nodeName: string, now: number): SystemInfo {
  const machine = readText('/etc/machine-id') ?? os.hostname();
  const boot = readText('/proc/sys/kernel/random/boot_id') ?? String(now);
  let ephemeralStorageBytes = 0;
  try {
    const fs = statfsSync('/');
    ephemeralStorageBytes = fs.blocks * fs.bsize;
  } catch {
    // No statfs on this platform: report no ephemeral storage.
  }
  return {
    machineID: hash(`machine/${machine}/${nodeName}`).slice(0, 32),
    systemUUID: uuid(hash(`system/${machine}/${nodeName}`)),
    bootID: uuid(hash(`boot/${boot}/${nodeName}`)),
    kernelVersion: os.release(),
    osImage: osImage(),
    operatingSystem: process.platform === 'win32' ? 'windows' : process.platform,
    architecture: GOARCH[process.arch] ?? process.arch,
    cpus: os.cpus().length,
    memoryBytes: os.totalmem(),
    ephemeralStorageBytes,
  };
}

export function nodeLabels(input: NodeSpecInput): Record<string, string> {
  const { sys } = input;
  return {
    'beta.kubernetes.io/arch': sys.architecture,
    'beta.kubernetes.io/os': sys.operatingSystem,
    'kubernetes.io/arch': sys.architecture,
    'kubernetes.io/hostname': input.name,
    'kubernetes.io/os': sys.operatingSystem,
    ...input.labels,
  };
}

export function nodeObject(input: NodeSpecInput): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: input.name,
      labels: nodeLabels(input),
      annotations: { 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
    },
    spec: { podCIDR: input.podCIDR, podCIDRs: [input.podCIDR] },
  };
}

/** The conditions a healthy kubelet reports, keeping transition times of unchanged ones. */
export function nodeConditions(previous: NodeCondition[], now: number, warnings: readonly string[] = []): NodeCondition[] {
  const ts = rfc3339(now);
  const make = (type: string, status: string, reason: string, message: string) => {
    const prev = previous.find((c) => c.type === type);
    const lastTransitionTime = prev && prev.status === status && prev.lastTransitionTime ? prev.lastTransitionTime : ts;
    return { lastHeartbeatTime: ts, lastTransitionTime, message, reason, status, type };
  };
  return [
    make('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
    make('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    make('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    make('Ready', 'True', 'KubeletReady', ['kubelet is posting ready status', ...warnings.map((w) => `WARNING: ${w}`)].join('. ')),
  ];
}

export function nodeStatus(input: NodeSpecInput, previous: NodeStatus | undefined, now: number): NodeStatus {
  const { sys } = input;
  const resources = {
    cpu: String(sys.cpus),
    'ephemeral-storage': `${Math.floor(sys.ephemeralStorageBytes / 1024)}Ki`,
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    memory: `${Math.floor(sys.memoryBytes / 1024)}Ki`,
    pods: String(MAX_PODS),
  };
  return {
    ...previous,
    addresses: [
      { address: input.nodeIP, type: 'InternalIP' },
      { address: input.name, type: 'Hostname' },
    ],
    // Like minikube, no resources are reserved for the system: allocatable equals capacity.
    allocatable: { ...resources },
    capacity: resources,
    conditions: nodeConditions(previous?.conditions ?? [], now, input.warnings),
    daemonEndpoints: { kubeletEndpoint: { Port: KUBELET_PORT } },
    nodeInfo: {
      architecture: sys.architecture,
      bootID: sys.bootID,
      containerRuntimeVersion: input.containerRuntimeVersion,
      kernelVersion: sys.kernelVersion,
      kubeProxyVersion: '',
      kubeletVersion: KUBELET_VERSION,
      machineID: sys.machineID,
      operatingSystem: sys.operatingSystem,
      osImage: sys.osImage,
      systemUUID: sys.systemUUID,
    },
  };
}

function osImage(): string {
  const release = readText('/etc/os-release');
  const pretty = release && /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(release);
  return pretty ? pretty[1] : `${os.type()} ${os.release()}`;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

function hash(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

function uuid(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
