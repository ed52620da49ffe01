// An HTTPS API server with a stand-in node for the streaming subresources (exec, attach, port-forward):
// admin plus users with only the pod verbs a test grants, the pod web-0 on node-1, and a kubeconfig
// with a context per user for the real kubectl.

import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { StaticTokenAuthenticator } from '../apiserver/authentication/token.js';
import { ensureCertificates } from '../apiserver/certs.js';
import type { PodStreams } from '../apiserver/handlers.js';
import { createApiServer } from '../apiserver/server.js';
import { realClock } from '../machinery/clock.js';
import { badRequest } from '../machinery/errors.js';
import type { Registry } from '../registry/rest.js';
import { buildApiChain } from '../server/apichain.js';
import { bootstrap } from '../server/bootstrap.js';
import { ADMIN } from '../server/identities.js';
import { MemoryBackend } from '../storage/local.js';
import type { AttachRequest, ExecRequest, ExecSession } from '../runtime/runtime.js';
import { Store } from '../storage/store.js';
import { tempDir } from './tmpdir.js';

export interface StreamServerOptions {
  /** User name → the rule of its Role in `default` (its token is its name). */
  roles: Record<string, { resources: string[]; verbs: string[] }>;
  /** Give web-0 status Running with pod IP 10.244.0.5. */
  running?: boolean;
  podStreams: (registry: Registry) => PodStreams;
}

export interface StreamServer {
  /** `127.0.0.1:<port>` */
  base: string;
  caPem: string;
  home: string;
  /** Contexts `k8ts` (admin, current) and one named after each user. */
  kubeconfig: string;
  podUID: string;
  close(): void;
}

export async function startStreamServer(opts: StreamServerOptions): Promise<StreamServer> {
  const certs = await ensureCertificates(tempDir('k8ts-streams-'));
  const store = await Store.open(new MemoryBackend());
  const users = Object.keys(opts.roles).map((name) => ({ token: name, user: { name, groups: [] } }));
  const chain = buildApiChain(store, realClock, { authenticators: [new StaticTokenAuthenticator([{ token: 'admin', user: ADMIN }, ...users])] });
  await bootstrap(chain.registry, { ip: '192.168.49.1', port: 6443 }, realClock.now());
  const admin = chain.clientFor(ADMIN);
  const rbac = (plural: string) => admin.resource({ group: 'rbac.authorization.k8s.io', version: 'v1', plural });
  for (const [user, rule] of Object.entries(opts.roles)) {
    await rbac('roles').create('default', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: user }, rules: [{ apiGroups: [''], ...rule }] });
    await rbac('rolebindings').create('default', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: user },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: user },
      subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: user }],
    });
  }
  const pod = await admin.pods.create('default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-0' }, spec: { nodeName: 'node-1', containers: [{ name: 'nginx', image: 'nginx' }] } });
  if (opts.running) await admin.pods.updateStatus('default', { ...pod, status: { phase: 'Running', podIP: '10.244.0.5' } });
  const handlers = { registry: chain.registry, storage: chain.storage, podStreams: opts.podStreams(chain.registry) };
  const server = createApiServer({ tls: { cert: certs.certPem, key: certs.keyPem }, authenticators: chain.authenticators, authorizer: chain.authorizer, handlers, paths: chain.paths });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const home = tempDir('k8ts-streams-home-');
  const kubeconfig = path.join(home, 'kubeconfig');
  const names = ['admin', ...Object.keys(opts.roles)];
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'k8ts', cluster: { server: `https://${base}`, 'certificate-authority-data': Buffer.from(certs.caPem).toString('base64') } }],
      users: names.map((name) => ({ name, user: { token: name } })),
      contexts: names.map((name) => ({ name: name === 'admin' ? 'k8ts' : name, context: { cluster: 'k8ts', user: name } })),
      'current-context': 'k8ts',
    }),
  );
  return {
    base,
    caPem: certs.caPem,
    home,
    kubeconfig,
    podUID: pod.metadata.uid,
    close() {
      server.closeAllConnections();
      server.close();
    },
  };
}

/**
 * The node's side, whose "processes" the tests play: `echo ARGS` (stdout, with a newline when
 * `echoNewline`), `fail CODE` (stderr `failing`), `cat` (echo stdin until EOF), `sleep` (until killed),
 * `refuse` (the runtime says no); attach prints "attached".
 */
export class FakeNode {
  readonly nodeName = 'node-1';
  killed = 0;
  sessions: ExecSession[] = [];
  started: string[][] = [];
  resizes: Array<[number, number]> = [];

  constructor(private echoNewline = false) {}

  async exec(_ns: string, _name: string, _container: string | undefined, req: ExecRequest): Promise<ExecSession> {
    const [cmd, ...args] = req.command;
    if (cmd === 'refuse') throw badRequest('exec is not available: pod web-0 runs on the simulated runtime (sim)');
    this.started.push(req.command);
    let exit!: (code: number) => void;
    const s: ExecSession = {
      stdin: req.stdin ? new PassThrough() : undefined,
      stdout: new PassThrough(),
      stderr: new PassThrough(),
      exit: new Promise((resolve) => (exit = resolve)),
      resize: (w, h) => void this.resizes.push([w, h]),
      kill: () => {
        this.killed++;
        finish(137);
      },
    };
    const finish = (code: number) => {
      (s.stdout as PassThrough).end();
      (s.stderr as PassThrough).end();
      exit(code);
    };
    this.sessions.push(s);
    if (cmd === 'echo') {
      s.stdout.push(args.join(' ') + (this.echoNewline ? '\n' : ''));
      finish(0);
    } else if (cmd === 'fail') {
      s.stderr.push('failing\n');
      finish(Number(args[0]));
    } else if (cmd === 'cat') {
      s.stdin!.on('data', (d) => s.stdout.push(d));
      s.stdin!.on('end', () => finish(0));
    }
    return s;
  }

  async attach(ns: string, name: string, container: string | undefined, req: AttachRequest): Promise<ExecSession> {
    return this.exec(ns, name, container, { command: ['echo', 'attached'], ...req });
  }
}
