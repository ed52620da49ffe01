// `kubectl logs` and `kubectl exec` reach the kubelet of the node the pod is bound to.

import type { ServerResponse } from 'node:http';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { lookupResource } from '../api/resources.js';
import type { PodStreams } from '../apiserver/handlers.js';
import { boolParam } from '../apiserver/queryparams.js';
import type { Kubelet } from '../kubelet/kubelet.js';
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
    async exec(ns, name, q) {
      const command = q.getAll('command');
      if (!command.length) throw badRequest('you must specify at least 1 command');
      const session = await kubeletFor(ns, name).exec(ns, name, q.get('container') ?? undefined, { command, stdin: boolParam(q, 'stdin'), tty: boolParam(q, 'tty') });
      session.stdout.destroy();
      session.stderr.destroy();
      throw badRequest('exec streams are not served yet: only the simulated runtime exists so far');
    },
  };
}
