// `kubectl port-forward` end to end: the real kubectl (WebSocket tunnel and SPDY fallback) against the HTTPS
// API server, with a fake node whose pod ports are local TCP echo servers; then hostile clients.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { startStreamServer } from '../testing/streamserver.js';
import { after, before, test } from 'node:test';
import tls from 'node:tls';
import { dialTCP } from '../kubelet/kubelet.js';
import { badRequest } from '../machinery/errors.js';
import { waitFor } from '../testing/fixture.js';
import type { PodStreams } from './handlers.js';
import { TUNNEL_PROTOCOL, type PortForwarder } from './portforward.js';
import { encodeData, encodeSynStream, FrameParser, type Frame } from './spdy/frames.js';
import { encodeHeaderBlock, HeaderCompressor } from './spdy/headers.js';

/** Pod port 80 echoes, 81 is closed (both dialled as the kubelet dials), 82 refuses as the simulated runtime does. */
let echoPort = 0;
let echoConnections: () => Promise<number> = async () => 0;
let closedPort = 0;
const dials: number[] = [];

const forwarder = (uid: string): PortForwarder => ({
  pod: uid,
  uid: '',
  async dial(port) {
    dials.push(port);
    if (port === 82) throw badRequest('port-forward is not available: pod web-0 runs on the simulated runtime (sim)');
    return dialTCP('127.0.0.1', port === 80 ? echoPort : closedPort);
  },
});

let base = '';
let caPem = '';
let kubeconfig = '';
let home = '';
let podUID = '';
const cleanups: Array<() => void> = [];

before(async () => {
  const echo = net.createServer({ allowHalfOpen: true }, (s) => s.pipe(s));
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  echoPort = (echo.address() as AddressInfo).port;
  echoConnections = () => new Promise((r) => echo.getConnections((_e, n) => r(n)));
  const closed = net.createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  closedPort = (closed.address() as AddressInfo).port;
  await new Promise<void>((r) => closed.close(() => r()));
  cleanups.push(() => echo.close());

  const streams: PodStreams = {
    log: () => Promise.reject(badRequest('no logs')),
    connect: () => Promise.reject(badRequest('no exec')),
    portForward: async (_ns, name) => {
      if (name !== 'web-0') throw badRequest(`pod ${name} is not on a node this server runs`);
      return forwarder(podUID);
    },
  };
  const srv = await startStreamServer({ roles: { getter: { resources: ['pods', 'pods/portforward'], verbs: ['get'] } }, running: true, podStreams: () => streams });
  ({ base, caPem, home, kubeconfig, podUID } = srv);
  cleanups.push(() => srv.close());
});

after(() => {
  for (const c of cleanups) c();
});

interface Kubectl {
  proc: ChildProcess;
  out: () => string;
  err: () => string;
  /** The local port forwarding to `remote`. */
  local: (remote: number) => Promise<number>;
  stop: () => Promise<void>;
}

function portForward(ports: string[], env: Record<string, string> = {}): Kubectl {
  const proc = spawn('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', path.join(home, 'cache'), 'port-forward', 'pod/web-0', ...ports], {
    env: { PATH: process.env.PATH ?? '', HOME: home, ...env },
  });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  cleanups.push(() => proc.kill('SIGKILL'));
  return {
    proc,
    out: () => out,
    err: () => err,
    async local(remote) {
      const re = new RegExp(`Forwarding from 127\\.0\\.0\\.1:(\\d+) -> ${remote}\\n`);
      await waitFor(() => re.test(out) || proc.exitCode !== null, `kubectl forwarding ${remote}`);
      const m = re.exec(out);
      if (!m) throw new Error(`kubectl exited: ${out}\n${err}`);
      return Number(m[1]);
    },
    async stop() {
      proc.kill('SIGINT');
      await exited;
    },
  };
}

/** Sends `payload` through the forwarded port, half-closes, and returns all the echo. */
function roundTrip(port: number, payload: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    const got: Buffer[] = [];
    s.on('data', (d) => got.push(d));
    s.on('error', reject);
    s.on('end', () => {
      s.end();
      resolve(Buffer.concat(got));
    });
    s.on('connect', () => s.end(payload));
  });
}

function pattern(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

test('kubectl port-forward over the WebSocket tunnel echoes, also two connections at once and more than a window', async () => {
  const k = portForward([':80', '-v=6']);
  const local = await k.local(80);
  assert.deepEqual(await roundTrip(local, Buffer.from('hello pod\n')), Buffer.from('hello pod\n'));
  // A connection left open is closed on the pod side once kubectl goes away.
  const lingering = net.connect({ host: '127.0.0.1', port: local });
  lingering.on('error', () => {});
  await waitFor(async () => (await echoConnections()) === 1, 'the lingering connection reached the pod');
  const big = [pattern(1024 * 1024, 1), pattern(300 * 1024, 2)];
  const echoed = await Promise.all(big.map((b) => roundTrip(local, b)));
  assert.ok(echoed[0].equals(big[0]), 'the 1 MiB echo is intact');
  assert.ok(echoed[1].equals(big[1]), 'the 300 KiB echo is intact');
  assert.match(k.out(), /Handling connection for \d+/);
  assert.match(k.err(), /GET https:\/\/\S+\/portforward 101 Switching Protocols/);
  assert.match(k.err(), /negotiated protocol: portforward\.k8s\.io/);
  assert.doesNotMatch(k.err(), /POST \S+portforward/);
  await k.stop();
  await waitFor(async () => (await echoConnections()) === 0, 'the pod side closed');
});

test('a closed pod port: kubectl prints the kubelet error, then gives up the session (kubectl 1.32)', async () => {
  const k = portForward([':81']);
  const bad = await k.local(81);
  const got = await roundTrip(bad, Buffer.from('anyone?'));
  assert.equal(got.length, 0);
  const code = await new Promise<number | null>((r) => (k.proc.exitCode !== null ? r(k.proc.exitCode) : k.proc.once('exit', (c) => r(c))));
  assert.equal(code, 1);
  assert.match(
    k.err(),
    new RegExp(`"an error occurred forwarding \\d+ -> 81: error forwarding port 81 to pod ${podUID}, uid : failed to connect to 127\\.0\\.0\\.1:${closedPort}: dial tcp4 127\\.0\\.0\\.1:${closedPort}: connect: connection refused"`),
  );
  assert.match(k.err(), /error: lost connection to pod\n$/);
});

test('the SPDY fallback (KUBECTL_PORT_FORWARD_WEBSOCKETS=false) forwards as well', async () => {
  const k = portForward([':80', '-v=6'], { KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' });
  const local = await k.local(80);
  const data = pattern(200 * 1024, 7);
  const [a, b] = await Promise.all([roundTrip(local, data), roundTrip(local, Buffer.from('second'))]);
  assert.ok(a.equals(data));
  assert.deepEqual(b, Buffer.from('second'));
  assert.match(k.err(), /POST https:\/\/\S+\/portforward 101 Switching Protocols/);
  assert.doesNotMatch(k.err(), /GET \S+portforward/);
  await k.stop();
});

/** A raw TLS connection to the API server. */
async function raw(): Promise<{ socket: tls.TLSSocket; received: () => Buffer; closed: Promise<void> }> {
  const [host, port] = base.split(':');
  const socket = tls.connect({ host, port: Number(port), ca: caPem, servername: 'localhost' });
  await new Promise((r) => socket.once('secureConnect', r));
  let got = Buffer.alloc(0);
  socket.on('data', (d) => (got = Buffer.concat([got, d])));
  socket.on('error', () => {});
  const closed = new Promise<void>((r) => socket.once('close', () => r()));
  return { socket, received: () => got, closed };
}

const PF_PATH = '/api/v1/namespaces/default/pods/web-0/portforward';
const SPDY_POST = `POST ${PF_PATH} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer admin\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: portforward.k8s.io\r\nContent-Length: 0\r\n\r\n`;

async function spdyConnection(): Promise<Awaited<ReturnType<typeof raw>>> {
  const c = await raw();
  c.socket.write(SPDY_POST);
  await waitFor(() => c.received().includes('\r\n\r\n'), '101');
  assert.match(c.received().toString('latin1'), /^HTTP\/1\.1 101 Switching Protocols\r\n[^]*Upgrade: SPDY\/3\.1\r\n[^]*X-Stream-Protocol-Version: portforward\.k8s\.io\r\n/);
  return c;
}

function framesAfterHead(c: { received: () => Buffer }): Frame[] {
  const all = c.received();
  return new FrameParser(1 << 24).push(all.subarray(all.indexOf('\r\n\r\n') + 4));
}

test('hostile SPDY input ends only that session: garbage, oversized frames, bad compression', async () => {
  // A control frame of an unknown version.
  const garbage = await spdyConnection();
  garbage.socket.write(Buffer.from('this is not SPDY at all, just text....'));
  await garbage.closed;
  assert.deepEqual(framesAfterHead(garbage).at(-1), { type: 'goaway', lastGoodStreamId: 0, status: 1 });

  const huge = await spdyConnection();
  huge.socket.write(encodeData(1, Buffer.alloc(0)).fill(0xff, 5, 8));
  await huge.closed;
  assert.equal(framesAfterHead(huge).at(-1)?.type, 'goaway');

  const badZlib = await spdyConnection();
  badZlib.socket.write(encodeSynStream(1, Buffer.from('definitely not deflate data')));
  await badZlib.closed;
  assert.deepEqual(framesAfterHead(badZlib).at(-1), { type: 'goaway', lastGoodStreamId: 0, status: 1 });

  // An uncompressed block where a compressed one belongs is bad compression too.
  const plain = await spdyConnection();
  plain.socket.write(encodeSynStream(1, encodeHeaderBlock({ port: ['80'], streamtype: ['data'] })));
  await plain.closed;

  // Text on the WebSocket tunnel closes it with 1003 (ws refuses to offer this subprotocol, so by hand).
  const ws = await raw();
  ws.socket.write(
    `GET ${PF_PATH} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer admin\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
      `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: ${TUNNEL_PROTOCOL}\r\n\r\n`,
  );
  await waitFor(() => ws.received().includes('\r\n\r\n'), 'the 101');
  assert.match(ws.received().toString('latin1'), new RegExp(`^HTTP/1\\.1 101 [^]*Sec-WebSocket-Protocol: ${TUNNEL_PROTOCOL.replace(/[/.+]/g, '\\$&')}\r\n`));
  // FIN+text, masked, "hi" under a zero mask.
  ws.socket.write(Buffer.from([0x81, 0x82, 0, 0, 0, 0, 0x68, 0x69]));
  // The server's close frame: FIN+close, then the status code 1003.
  await waitFor(() => ws.received().includes(Buffer.from([0x88, 0x16, 0x03, 0xeb])), 'Close(1003)');
  assert.ok(ws.received().includes('binary messages only'));
  ws.socket.destroy();

  // The server still serves a well-formed session.
  const ok = await spdyConnection();
  const z = new HeaderCompressor();
  const block = (type: string) => z.compress({ port: ['80'], streamtype: [type], requestid: ['0'] });
  ok.socket.write(encodeSynStream(1, await block('error'), 0x01));
  ok.socket.write(encodeSynStream(3, await block('data')));
  ok.socket.write(encodeData(3, Buffer.from('ping'), true));
  await waitFor(() => framesAfterHead(ok).some((f) => f.type === 'data' && f.streamId === 3 && f.data.toString() === 'ping'), 'the echo on the data stream');
  const frames = framesAfterHead(ok);
  assert.deepEqual(
    frames.filter((f) => f.type === 'syn_reply').map((f) => (f as { streamId: number }).streamId),
    [1, 3],
  );
  ok.socket.destroy();
  z.close();
});

test('refusals before the upgrade are Status answers; the simulated runtime is reported per connection', async () => {
  const c = await raw();
  c.socket.write(SPDY_POST.replace('portforward.k8s.io', 'v4.channel.k8s.io'));
  await c.closed;
  assert.match(c.received().toString(), /^HTTP\/1\.1 403[^]*unable to negotiate protocol: client supports \[v4\.channel\.k8s\.io\], server accepts \[portforward\.k8s\.io\]/);
  const sim = await spdyConnection();
  const z = new HeaderCompressor();
  sim.socket.write(encodeSynStream(1, await z.compress({ port: ['82'], streamtype: ['error'], requestid: ['0'] }), 0x01));
  sim.socket.write(encodeSynStream(3, await z.compress({ port: ['82'], streamtype: ['data'], requestid: ['0'] })));
  const errorText = () =>
    framesAfterHead(sim)
      .filter((f): f is Extract<Frame, { type: 'data' }> => f.type === 'data' && f.streamId === 1)
      .map((f) => f.data.toString())
      .join('');
  await waitFor(() => errorText().length > 0 && framesAfterHead(sim).some((f) => f.type === 'data' && f.streamId === 3 && (f.flags & 1) === 1), 'the error and the data FIN');
  assert.equal(errorText(), `error forwarding port 82 to pod ${podUID}, uid : port-forward is not available: pod web-0 runs on the simulated runtime (sim)`);
  sim.socket.destroy();
  z.close();
});

test('the WebSocket GET needs create on pods/portforward: kubectl with only get is refused', async () => {
  const k = portForward([':80', '--context', 'getter']);
  const code = await new Promise<number | null>((r) => k.proc.once('exit', (c) => r(c)));
  assert.equal(code, 1);
  assert.match(k.err(), /pods "web-0" is forbidden: User "getter" cannot create resource "pods\/portforward" in API group "" in the namespace "default"/);
});
