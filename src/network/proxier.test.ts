import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { REFS } from '../client/client.js';
import type { InformerFactory } from '../client/informerfactory.js';
import { realClock, VirtualClock } from '../machinery/clock.js';
import { testCluster, waitFor } from '../testing/fixture.js';
import { command, hasProgram, ipBatch } from './command.js';
import { Proxier } from './proxier.js';

describe('Proxier syncs (fake nft)', () => {
  it('waits for the informers, coalesces changes, backs off after a failure and deletes its table on stop', async () => {
    const clock = new VirtualClock();
    const c = await testCluster(clock);
    const scripts: string[] = [];
    let fail = false;
    const run = async (s: string): Promise<void> => {
      if (fail) throw new Error('nft: Could not process rule');
      scripts.push(s);
    };
    const p = new Proxier({ informers: c.informers, clock, table: 't', run, localAddresses: () => new Set() });
    p.start();
    await clock.advance(1000);
    assert.equal(scripts.length, 0, 'no sync before the informers have listed');
    await c.start();
    await waitFor(() => scripts.length === 1, 'first sync', 5000, () => clock.advance(0));
    assert.match(scripts[0], /delete table ip t\n/);
    assert.match(scripts[0], /10\.96\.0\.1 \. tcp \. 443 : goto reject-chain/, 'the kubernetes Service (endpoint off the pod network here) is rejected');

    for (const [i, name] of ['a', 'b', 'c'].entries()) {
      await c.client.resource(REFS.services).create('default', { metadata: { name }, spec: { clusterIP: `10.96.7.${i + 1}`, ports: [{ port: 80 }] } });
    }
    await waitFor(() => ['a', 'b', 'c'].every((n) => c.informers.get(REFS.services).getByName('default', n)), 'services in the cache');
    await clock.advance(99);
    assert.equal(scripts.length, 1, 'at most one sync per 100 ms');
    await clock.advance(1);
    assert.equal(scripts.length, 2);
    assert.ok(['10.96.7.1', '10.96.7.2', '10.96.7.3'].every((ip) => scripts[1].includes(`${ip} . tcp . 80 : goto reject-chain`)), 'the three changes in one sync');
    assert.ok(!scripts[1].includes('delete table'), 'later syncs update in place');

    fail = true;
    await assert.rejects(p.syncNow(), /Could not process rule/);
    fail = false;
    await clock.advance(499);
    assert.equal(scripts.length, 2, 'the retry waits 500 ms');
    await clock.advance(1);
    assert.equal(scripts.length, 3);
    assert.match(scripts[2], /delete table ip t\n/, 'after a failure the table is rebuilt');

    await p.stop();
    assert.equal(scripts.at(-1), 'add table ip t\ndelete table ip t\n');
    await c.client.resource(REFS.services).create('default', { metadata: { name: 'd' }, spec: { clusterIP: '10.96.7.4', ports: [{ port: 80 }] } });
    await clock.advance(1000);
    assert.equal(scripts.length, 4, 'nothing is synced after stop');
    c.stop();
  });
});

/** Informers that hand out fixed objects, so the test can use node ports and addresses a registry would refuse. */
function fixedInformers(services: Service[], slices: EndpointSlice[]): Pick<InformerFactory, 'get'> {
  const stub = (items: object[]) => ({ addHandler: () => undefined, list: () => items, waitForSync: () => Promise.resolve() });
  return { get: ((ref: { plural: string }) => stub(ref.plural === 'services' ? services : slices)) as unknown as InformerFactory['get'] };
}

const SERVER = `
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('0.0.0.0', 8080)); s.listen(64)
print('up', flush=True)
while True:
    c, peer = s.accept(); c.sendall(f'{sys.argv[1]} {peer[0]}\\n'.encode()); c.close()
`;
const CLIENT = `
import socket, sys
for _ in range(int(sys.argv[2])):
    s = socket.create_connection((sys.argv[1], 80), timeout=3); print(s.recv(100).decode().strip(), flush=True); s.close()
`;

function fetchFromHost(ip: string, port = 80): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const s = connect({ host: ip, port, timeout: 3000 });
    s.on('data', (d) => (out += d.toString()));
    s.on('end', () => resolve(out.trim()));
    s.on('timeout', () => s.destroy(new Error(`timeout connecting to ${ip}:${port}`)));
    s.on('error', reject);
  });
}

describe('Proxier against the kernel', async () => {
  const root = process.getuid?.() === 0 && (await hasProgram('nft')) && (await hasProgram('python3'));
  const pid = process.pid;
  const bridge = `k8tp${pid}`;
  const table = `k8ts-proxy-test-${pid}`;
  const net = `10.250.${pid % 250}`;
  const gw = `${net}.1`;
  const pods = { a: `${net}.11`, b: `${net}.12` };
  const vip = (n: number): string => `10.96.200.${(pid % 50) + n * 50}`;
  const lbIP = `127.0.0.${240 + (pid % 10)}`;
  const nodePort = 39000 + (pid % 1000);
  let dir = '';
  const servers: ChildProcess[] = [];
  let proxier: Proxier | undefined;

  const podExec = (pod: 'a' | 'b', argv: string[]): Promise<string> => command(['nsenter', `--net=${dir}/${pod}`, ...argv]);
  const fromPod = async (pod: 'a' | 'b', ip: string, n: number): Promise<string[]> => (await podExec(pod, ['python3', '-c', CLIENT, ip, String(n)])).trim().split('\n');

  before(async () => {
    if (!root) return;
    dir = await mkdtemp('/tmp/k8tp-');
    await ipBatch([`link add ${bridge} type bridge`, `addr add ${gw}/24 dev ${bridge}`, `link set ${bridge} up`, `route add ${vip(0)}/32 dev ${bridge} src ${gw}`, `route add ${vip(1)}/32 dev ${bridge} src ${gw}`, `route add ${vip(2)}/32 dev ${bridge} src ${gw}`]);
    for (const [k, v] of [['forwarding', '1'], ['rp_filter', '0'], ['route_localnet', '1']]) await writeFile(`/proc/sys/net/ipv4/conf/${bridge}/${k}`, v);
    for (const [pod, ip] of Object.entries(pods) as Array<['a' | 'b', string]>) {
      await writeFile(`${dir}/${pod}`, '');
      await command(['unshare', `--net=${dir}/${pod}`, 'ip', 'link', 'set', 'lo', 'up']);
      const veth = `${bridge}${pod}`;
      await ipBatch([`link add ${veth} type veth peer name eth0 netns ${dir}/${pod}`, `link set ${veth} master ${bridge}`, `link set ${veth} type bridge_slave hairpin on`, `link set ${veth} up`]);
      await ipBatch([`addr add ${ip}/24 dev eth0`, 'link set eth0 up', `route add 10.96.0.0/12 via ${gw}`], `${dir}/${pod}`);
      const server = spawn('nsenter', [`--net=${dir}/${pod}`, 'python3', '-u', '-c', SERVER, `pod-${pod}`], { stdio: ['ignore', 'pipe', 'inherit'] });
      servers.push(server);
      await new Promise((resolve) => server.stdout!.once('data', resolve));
    }
    const meta = (name: string) => ({ namespace: 'default', name, labels: { 'kubernetes.io/service-name': name } });
    const port = [{ name: 'http', port: 80, protocol: 'TCP' }];
    const services: Service[] = [
      { metadata: meta('web'), spec: { type: 'LoadBalancer', clusterIP: vip(0), ports: [{ ...port[0], nodePort }] }, status: { loadBalancer: { ingress: [{ ip: lbIP }] } } },
      { metadata: meta('sticky'), spec: { clusterIP: vip(1), ports: port, sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } } },
      { metadata: meta('empty'), spec: { clusterIP: vip(2), ports: port } },
    ];
    const both = [pods.a, pods.b].map((ip) => ({ addresses: [ip], conditions: { ready: true } }));
    const slicePorts = [{ name: 'http', port: 8080, protocol: 'TCP' }];
    const slices: EndpointSlice[] = [
      { metadata: meta('web'), addressType: 'IPv4', ports: slicePorts, endpoints: both },
      { metadata: meta('sticky'), addressType: 'IPv4', ports: slicePorts, endpoints: both },
      { metadata: meta('empty'), addressType: 'IPv4', ports: slicePorts, endpoints: [{ addresses: [pods.a], conditions: { ready: false } }] },
    ];
    proxier = new Proxier({ informers: fixedInformers(services, slices), clock: realClock, table, podCIDRs: [`${net}.0/24`], podInterfaces: bridge });
    await proxier.syncNow();
  });

  after(async () => {
    if (!root) return;
    await proxier?.stop();
    for (const s of servers) s.kill('SIGKILL');
    const tables = await command(['nft', 'list', 'tables']).catch(() => '');
    if (tables.split('\n').includes(`table ip ${table}`)) await command(['nft', 'delete', 'table', 'ip', table]).catch(() => undefined);
    await ipBatch([`link del ${bridge}a`, `link del ${bridge}b`, `link del ${bridge}`], undefined, true).catch(() => undefined);
    for (const pod of ['a', 'b']) await command(['umount', `${dir}/${pod}`]).catch(() => undefined);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('reaches both endpoints from the host, masqueraded to the bridge address', { skip: !root && 'needs root, nft and python3' }, async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 30; i++) seen.add(await fetchFromHost(vip(0)));
    assert.deepEqual([...seen].sort(), [`pod-a ${gw}`, `pod-b ${gw}`]);
  });

  it('reaches both endpoints from a pod; the pod reaching itself is masqueraded (hairpin)', { skip: !root && 'needs root, nft and python3' }, async () => {
    const seen = new Set(await fromPod('a', vip(0), 30));
    assert.deepEqual([...seen].sort(), [`pod-a ${gw}`, `pod-b ${pods.a}`]);
  });

  it('keeps a ClientIP-affinity client on one endpoint', { skip: !root && 'needs root, nft and python3' }, async () => {
    assert.equal(new Set(await fromPod('b', vip(1), 15)).size, 1);
    const host = new Set<string>();
    for (let i = 0; i < 15; i++) host.add(await fetchFromHost(vip(1)));
    assert.equal(host.size, 1);
  });

  it('refuses connections to a Service without ready endpoints', { skip: !root && 'needs root, nft and python3' }, async () => {
    await assert.rejects(fetchFromHost(vip(2)), /ECONNREFUSED/);
    await assert.rejects(fromPod('a', vip(2), 1), /ConnectionRefusedError/);
  });

  it('serves the node port on local addresses and the load-balancer address', { skip: !root && 'needs root, nft and python3' }, async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) seen.add((await fetchFromHost('127.0.0.1', nodePort)).split(' ')[0]);
    for (let i = 0; i < 20; i++) seen.add((await fetchFromHost(lbIP)).split(' ')[0]);
    assert.deepEqual([...seen].sort(), ['pod-a', 'pod-b']);
  });

  it('removes its table on stop', { skip: !root && 'needs root, nft and python3' }, async () => {
    await proxier!.stop();
    assert.ok(!(await command(['nft', 'list', 'tables'])).split('\n').includes(`table ip ${table}`));
  });
});
