// `kubectl logs`, `exec`, `attach` and `port-forward` reach the kubelet of the node the pod is bound to.

import type { ServerResponse } from 'node:http';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { lookupResource } from '../api/resources.js';
import type { PodStreams } from '../apiserver/handlers.js';
import type { PortForwarder } from '../apiserver/portforward.js';
import { boolParam } from '../apiserver/queryparams.js';
import { streamOptions, type RemoteCommand } from '../apiserver/remotecommand.js';
import type { Stored } from '../client/objects.js';
import type { Kubelet } from '../kubelet/kubelet.js';
import { validateContainer } from '../kubelet/logs.js';
import { badRequest } from '../machinery/errors.js';
import type { Registry } from '../registry/rest.js';

const PODS = lookupResource('', 'v1', 'pods')!;

function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw badRequest(`${name}: Invalid value: "${v}": must be a non-negative integer`);
  return n;
}

/** `kubelets` is live: the node agents run on whichever server leads the controller manager. */
export function podStreams(registry: Registry, kubelets: readonly Kubelet[]): PodStreams {
  const kubeletFor = (ns: string, name: string): Kubelet => {
    const pod = registry.get(PODS, ns, name) as Pod;
    const k = kubelets.find((kubelet) => kubelet.nodeName === pod.spec?.nodeName);
    if (!k) throw badRequest(`pod ${name} is not on a node this server runs: the nodes run on the server holding the kube-system/kube-controller-manager lease`);
    return k;
  };
  return {
    async log(ns, name, q, res: ServerResponse) {
      const abort = new AbortController();
      const lines = await kubeletFor(ns, name).logs(ns, name, q.get('container') ?? undefined, {
        follow: boolParam(q, 'follow'),
        tailLines: intParam(q, 'tailLines'),
        timestamps: boolParam(q, 'timestamps'),
        previous: boolParam(q, 'previous'),
        sinceSeconds: intParam(q, 'sinceSeconds'),
        sinceTime: q.get('sinceTime') ?? undefined,
        limitBytes: intParam(q, 'limitBytes'),
        signal: abort.signal,
      });
      res.on('close', () => abort.abort());
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
      for await (const line of lines) {
        if (res.destroyed) break;
        res.write(line);
      }
      res.end();
    },
    async connect(kind, ns, name, q): Promise<RemoteCommand> {
      const pod = registry.get(PODS, ns, name) as Stored<Pod>;
      const container = validateContainer(pod, q.get('container') ?? undefined);
      const options = streamOptions(q);
      const command = q.getAll('command');
      if (kind === 'exec' && !command.length) throw badRequest('you must specify at least 1 command');
      if (!pod.spec?.nodeName) throw badRequest(`pod ${name} does not have a host assigned`);
      const kubelet = kubeletFor(ns, name);
      const open =
        kind === 'exec'
          ? () => kubelet.exec(ns, name, container, { command, stdin: options.stdin, tty: options.tty })
          : () => kubelet.attach(ns, name, container, { stdin: options.stdin, tty: options.tty });
      return { kind, command, options, open };
    },
    async portForward(ns, name): Promise<PortForwarder> {
      const pod = registry.get(PODS, ns, name) as Stored<Pod>;
      if (!pod.spec?.nodeName) throw badRequest(`pod ${name} does not have a host assigned`);
      const kubelet = kubeletFor(ns, name);
      // The CRI streaming server names the pod by its sandbox and leaves the uid empty.
      return { pod: pod.metadata.uid, uid: '', dial: (port) => kubelet.portForward(ns, name, port) };
    },
  };
}
