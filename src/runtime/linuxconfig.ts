// What a runtime that runs real processes needs beyond the simulated one, resolved by the kubelet as
// CRI's LinuxPodSandboxConfig / ContainerConfig carry it: the pod's /etc files, the container's
// environment, mounts (host paths the kubelet prepared), user and the container spec for probes,
// lifecycle hooks, stdin/tty and resources.

import type { Container } from 'kubernetes-types/core/v1.js';

export interface LinuxSandboxConfig {
  /** The kubelet-managed /etc/hosts and the pod's /etc/resolv.conf. */
  hostsFile: string;
  resolvConf: string;
  hostNetwork: boolean;
  /** The containers share one PID namespace, whose PID 1 is the sandbox's pause process. */
  shareProcessNamespace: boolean;
}

export interface LinuxContainerConfig {
  /** The container spec as in the pod. */
  spec: Container;
  /** The environment after envFrom, env, `$(VAR)` expansion and service links. */
  env: Array<{ name: string; value: string }>;
  /** command and args with `$(VAR)` expanded. */
  command?: string[];
  args?: string[];
  mounts: ContainerMount[];
  user?: { uid: number; gid: number; groups: number[] };
}

export interface ContainerMount {
  /** A directory or file on the host. */
  hostPath: string;
  /** Absolute path in the container. */
  containerPath: string;
  readOnly?: boolean;
  /** The host path is a directory (else a file, bound onto a file). */
  isDir?: boolean;
}
