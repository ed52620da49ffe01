// The composition root: data directory, store, API server, controllers and nodes, wired from options.

import type { AddressInfo } from 'node:net';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { ensureAdminToken, ensureCertificates } from '../apiserver/certs.js';
import { InProcessTransport } from '../apiserver/inprocess.js';
import type { HandlerContext } from '../apiserver/handlers.js';
import { createApiServer } from '../apiserver/server.js';
import { Client } from '../client/client.js';
import { realClock } from '../machinery/clock.js';
import { Registry } from '../registry/rest.js';
import { SqliteBackend } from '../storage/sqlite.js';
import { Store } from '../storage/store.js';
import { bootstrap } from './bootstrap.js';
import { startControlPlane } from './controllers.js';
import { startNodes } from './nodes.js';
import { podStreams } from './podstreams.js';
import type { Kubelet } from '../kubelet/kubelet.js';
import { lockDataDir } from './datadir.js';
import { writeKubeconfig } from './kubeconfig.js';

export interface ServerOptions {
  dataDir: string;
  host: string;
  port: number;
  nodes: number;
  simStartDelayMs: number;
  simStopDelayMs: number;
}

export interface RunningServer {
  url: string;
  kubeconfigPath: string;
  stop(): Promise<void>;
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const lock = lockDataDir(opts.dataDir);
  let store: Store | undefined;
  try {
    const { certPem, keyPem, caPem } = await ensureCertificates(opts.dataDir);
    const token = ensureAdminToken(opts.dataDir);
    mkdirSync(opts.dataDir, { recursive: true });
    // A failed commit (e.g. disk full) is rolled back and refused with a 500; the store logs the outage.
    store = new Store(new SqliteBackend(path.join(opts.dataDir, 'state.db')));
    const registry = new Registry(store, realClock);
    const handlers: HandlerContext = { registry };
    const server = createApiServer({ tls: { cert: certPem, key: keyPem }, tokens: [token], handlers });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port, opts.host, () => resolve());
    });
    const port = (server.address() as AddressInfo).port;
    bootstrap(registry, port, realClock.now());
    const client = new Client(new InProcessTransport(registry));
    let kubelets: Kubelet[] = [];
    const controlPlane = await startControlPlane(client, realClock, {
      dataDir: opts.dataDir,
      caPem,
      extra: (ctx) => (kubelets = startNodes(ctx, { count: opts.nodes, startDelayMs: opts.simStartDelayMs, stopDelayMs: opts.simStopDelayMs })),
    });
    handlers.podStreams = podStreams(registry, kubelets);
    const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
    const url = `https://${host}:${port}`;
    const kubeconfigPath = path.join(opts.dataDir, 'kubeconfig');
    writeKubeconfig(kubeconfigPath, { server: url, caPem, token });
    const openStore = store;
    return {
      url,
      kubeconfigPath,
      async stop() {
        controlPlane.stop();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        openStore.close();
        lock.release();
      },
    };
  } catch (e) {
    store?.close();
    lock.release();
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') throw new Error(`port ${opts.port} on ${opts.host} is already in use`);
    if (err.code === 'EACCES') throw new Error(`not allowed to listen on ${opts.host}:${opts.port}`);
    throw e;
  }
}
