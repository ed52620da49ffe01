// Issue #11 figures (real pods; needs root): process pod start from binding to Running for a busybox
// sleep pod (p50/p99), the server's memory per running real pod, a 30-replica Parallel nginx
// StatefulSet to all Ready, and the cluster DNS answering a headless Service with 100 endpoints
// (queries/s and p99), and HTTP through a ClusterIP versus straight to a pod. Prints figures; asserts nothing.
import dgram from 'node:dgram';
import http from 'node:http';
import dnsPacket from 'dns-packet';
import { client, percentile, rssMB, startServer, watchLines } from './lib.mjs';

const out = (label, value) => console.log(`${label.padEnd(64)} ${value}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const httpGet = (host) =>
  new Promise((resolve, reject) => {
    http.get({ host, port: 80, path: '/', agent: false }, (res) => {
      res.resume();
      res.on('end', resolve);
    }).on('error', reject);
  });

if (process.getuid?.() !== 0) {
  console.log('processpods: skipped (the process runtime needs root)');
  process.exit(0);
}

const s = await startServer(['--nodes', '2', '--runtime', 'process']);
const req = client(s);
try {
  // Warm the image (busybox) so that the figures are starts, not installs.
  const pod = (name, extra = {}) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { bench: 'start' } },
    spec: { nodeName: 'k8ts', terminationGracePeriodSeconds: 0, automountServiceAccountToken: false, containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'] }], ...extra },
  });
  const running = new Map();
  await watchLines(s, '/api/v1/namespaces/default/pods?watch=true&labelSelector=bench%3Dstart', (line, at) => {
    const ev = JSON.parse(line);
    if (ev.object?.status?.phase === 'Running' && !running.has(ev.object.metadata.name)) running.set(ev.object.metadata.name, at);
  });
  const N = 50;
  const rss0 = rssMB(s.proc.pid);
  const lat = [];
  for (let i = 0; i < N; i++) {
    const name = `p${i}`;
    const t0 = performance.now();
    const r = await req('POST', '/api/v1/namespaces/default/pods', pod(name));
    if (r.status !== 201) throw new Error(`create ${name}: ${r.status} ${r.body}`);
    while (!running.has(name)) await sleep(2);
    lat.push(running.get(name) - t0);
  }
  await sleep(500);
  const rss1 = rssMB(s.proc.pid);
  out(`process pod start, create (bound) to Running, ${N} pods one by one: p50`, `${percentile(lat, 50).toFixed(0)} ms`);
  out('process pod start: p99', `${percentile(lat, 99).toFixed(0)} ms`);
  out(`server RSS per running real pod (${N} pods)`, `${((rss1 - rss0) / N).toFixed(2)} MB`);
  await req('DELETE', '/api/v1/namespaces/default/pods?labelSelector=bench%3Dstart');

  const sts = {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web' },
    spec: {
      serviceName: 'nginx',
      replicas: 30,
      podManagementPolicy: 'Parallel',
      selector: { matchLabels: { app: 'nginx' } },
      template: { metadata: { labels: { app: 'nginx' } }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'nginx', image: 'registry.k8s.io/nginx-slim:0.8', ports: [{ containerPort: 80, name: 'web' }], readinessProbe: { httpGet: { path: '/', port: 80 }, periodSeconds: 1 } }] } },
    },
  };
  await req('POST', '/api/v1/namespaces/default/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'nginx' }, spec: { clusterIP: 'None', selector: { app: 'nginx' }, ports: [{ port: 80, name: 'web' }] } });
  const t0 = performance.now();
  await req('POST', '/apis/apps/v1/namespaces/default/statefulsets', sts);
  for (;;) {
    const got = JSON.parse((await req('GET', '/apis/apps/v1/namespaces/default/statefulsets/web')).body);
    if (got.status?.readyReplicas === 30) break;
    await sleep(20);
  }
  out('30-replica Parallel nginx StatefulSet (real processes) to all Ready', `${((performance.now() - t0) / 1000).toFixed(2)} s`);

  // Service routing: new connections per request, through the ClusterIP to 3 pods versus to one pod IP.
  await req('PATCH', '/apis/apps/v1/namespaces/default/statefulsets/web/scale', { spec: { replicas: 3 } }, { 'Content-Type': 'application/merge-patch+json' });
  await req('POST', '/api/v1/namespaces/default/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web-svc' }, spec: { selector: { app: 'nginx' }, ports: [{ port: 80 }] } });
  for (;;) {
    const slices = JSON.parse((await req('GET', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dweb-svc')).body).items;
    if (slices.flatMap((sl) => sl.endpoints ?? []).filter((e) => e.conditions?.ready !== false).length === 3) break;
    await sleep(50);
  }
  await sleep(300);
  const clusterIP = JSON.parse((await req('GET', '/api/v1/namespaces/default/services/web-svc')).body).spec.clusterIP;
  const podIP = JSON.parse((await req('GET', '/api/v1/namespaces/default/pods/web-0')).body).status.podIP;
  const rate = async (host) => {
    const N = 4000;
    let next = 0;
    const t = performance.now();
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next++ < N) await httpGet(host);
      }),
    );
    return N / ((performance.now() - t) / 1000);
  };
  const direct = await rate(podIP);
  const viaService = await rate(clusterIP);
  out('HTTP requests/s, a new connection each, straight to one nginx pod IP', `${Math.round(direct)}`);
  out('HTTP requests/s, a new connection each, through the ClusterIP to 3 pods', `${Math.round(viaService)} (${(viaService / direct).toFixed(2)}x)`);

  // A headless Service with 100 endpoints, written directly as its EndpointSlice.
  await req('POST', '/api/v1/namespaces/default/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'many' }, spec: { clusterIP: 'None', ports: [{ port: 80, name: 'web' }] } });
  const endpoints = Array.from({ length: 100 }, (_, i) => ({ addresses: [`10.244.9.${i + 2}`], conditions: { ready: true } }));
  await req('POST', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'many-1', labels: { 'kubernetes.io/service-name': 'many' } }, addressType: 'IPv4', endpoints, ports: [{ name: 'web', port: 80, protocol: 'TCP' }] });
  await sleep(300);
  const sock = dgram.createSocket('udp4');
  const pending = new Map();
  sock.on('message', (msg) => {
    const id = msg.readUInt16BE(0);
    pending.get(id)?.();
  });
  const query = (id) =>
    new Promise((resolve) => {
      const t = performance.now();
      pending.set(id, () => {
        pending.delete(id);
        resolve(performance.now() - t);
      });
      sock.send(dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name: 'many.default.svc.cluster.local' }], additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 4096 }] }), 53, '10.96.0.10');
    });
  const times = [];
  const QUERIES = 20_000;
  const start = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < QUERIES) times.push(await query(next++ & 0xffff));
    }),
  );
  const secs = (performance.now() - start) / 1000;
  sock.close();
  out('DNS: headless Service with 100 endpoints, A queries/s (32 in flight)', `${Math.round(QUERIES / secs)}`);
  out('DNS: p99 latency', `${percentile(times, 99).toFixed(2)} ms`);
} finally {
  await s.stop();
}
