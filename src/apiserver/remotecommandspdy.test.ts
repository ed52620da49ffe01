// exec and attach over the SPDY fallback: the real kubectl with KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false against the
// HTTPS API server and a fake node whose "processes" the test plays; then raw SPDY clients, hostile ones included.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { IncomingMessage } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { FakeNode, startStreamServer } from '../testing/streamserver.js';
import { after, before, test } from 'node:test';
import tls from 'node:tls';
import type { Kubelet } from '../kubelet/kubelet.js';
import { podStreams } from '../server/podstreams.js';
import { waitFor } from '../testing/fixture.js';
import { expectedStreams, JsonObjectSplitter, negotiateProtocol, runRemoteCommand, spdyUpgradeError } from './remotecommandspdy.js';
import { encodeData, encodeSynStream, FLAG_FIN, FrameParser, type Frame } from './spdy/frames.js';
import { HeaderCompressor } from './spdy/headers.js';

const node = new FakeNode(true);
let base = '';
let caPem = '';
let home = '';
let kubeconfig = '';
const cleanups: Array<() => void> = [];

before(async () => {
  const srv = await startStreamServer({
    roles: { getter: { resources: ['pods', 'pods/exec'], verbs: ['get'] } },
    running: true,
    podStreams: (registry) => podStreams(registry, [node as unknown as Kubelet]),
  });
  ({ base, caPem, home, kubeconfig } = srv);
  cleanups.push(() => srv.close());
});

after(() => {
  for (const c of cleanups) c();
});

/** Runs kubectl over SPDY only, feeding `input` on stdin when given. */
function kubectl(args: string[], input?: string): Promise<{ code: number | null; out: string; err: string }> {
  const proc = spawn('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', path.join(home, 'cache'), ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: home, KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false' },
  });
  cleanups.push(() => proc.kill('SIGKILL'));
  let out = '';
  let err = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (err += d));
  if (input === undefined) proc.stdin.end();
  else proc.stdin.end(input);
  return new Promise((resolve) => proc.once('close', (code) => resolve({ code, out, err })));
}

test('kubectl exec over SPDY prints the output and exits 0', async () => {
  const r = await kubectl(['exec', 'web-0', '-v=6', '--', 'echo', 'hi']);
  assert.equal(r.out, 'hi\n');
  assert.equal(r.code, 0);
  assert.match(r.err, /POST https:\/\/\S+\/pods\/web-0\/exec\?command=echo&command=hi&container=nginx&stderr=true&stdout=true 101 Switching Protocols/);
  assert.doesNotMatch(r.err, /GET \S+\/exec/);
});

test('a non-zero exit: kubectl prints the exit code and exits with it', async () => {
  const r = await kubectl(['exec', 'web-0', '--', 'fail', '3']);
  assert.equal(r.code, 3);
  assert.equal(r.err, 'failing\ncommand terminated with exit code 3\n');
});

test('kubectl exec -i: piped stdin reaches the process and its EOF ends it', async () => {
  const r = await kubectl(['exec', '-i', 'web-0', '--', 'cat'], 'vm\nsecond line\n');
  assert.equal(r.out, 'vm\nsecond line\n');
  assert.equal(r.code, 0);
});

test('kubectl exec -i: more than a SPDY window each way arrives intact', async () => {
  const big = Array.from({ length: 20000 }, (_, i) => `line ${i}\n`).join('');
  assert.ok(big.length > 200 * 1024);
  const r = await kubectl(['exec', '-i', 'web-0', '--', 'cat'], big);
  assert.equal(r.code, 0);
  assert.ok(r.out === big, `got ${r.out.length} of ${big.length} bytes`);
});

test('kubectl attach over SPDY prints the output', async () => {
  const r = await kubectl(['attach', 'web-0']);
  assert.equal(r.out, 'attached\n');
  assert.equal(r.code, 0);
});

test('the POST needs create on pods/exec: a user with only get is refused with the Status', async () => {
  const r = await kubectl(['--context', 'getter', 'exec', 'web-0', '--', 'echo', 'hi']);
  assert.equal(r.code, 1);
  assert.equal(r.err, 'Error from server (Forbidden): pods "web-0" is forbidden: User "getter" cannot create resource "pods/exec" in API group "" in the namespace "default"\n');
});

/** A raw client on the SPDY connection of an exec POST. */
interface Raw {
  socket: net.Socket;
  received: () => Buffer;
  closed: Promise<void>;
  frames: () => Frame[];
  /** Everything the server sent on one stream, and whether it ended it. */
  stream: (id: number) => { data: string; fin: boolean };
  open: (id: number, type: string, fin?: boolean) => Promise<void>;
}

function rawClient(socket: net.Socket, skipHead: boolean): Raw {
  let got = Buffer.alloc(0);
  socket.on('data', (d) => (got = Buffer.concat([got, d])));
  socket.on('error', () => {});
  const closed = new Promise<void>((r) => socket.once('close', () => r()));
  const z = new HeaderCompressor();
  cleanups.push(() => z.close());
  const frames = () => new FrameParser(1 << 24).push(skipHead ? got.subarray(got.indexOf('\r\n\r\n') + 4) : got);
  return {
    socket,
    received: () => got,
    closed,
    frames,
    stream(id) {
      const data = frames().filter((f): f is Extract<Frame, { type: 'data' }> => f.type === 'data' && f.streamId === id);
      return { data: data.map((f) => f.data.toString()).join(''), fin: data.some((f) => (f.flags & FLAG_FIN) !== 0) };
    },
    async open(id, type, fin = false) {
      socket.write(encodeSynStream(id, await z.compress({ streamtype: [type] }), fin ? FLAG_FIN : 0));
    },
  };
}

const EXEC_PATH = '/api/v1/namespaces/default/pods/web-0/exec';

async function post(query: string, versions = 'v5.channel.k8s.io, v4.channel.k8s.io, v3.channel.k8s.io, v2.channel.k8s.io, channel.k8s.io'): Promise<Raw> {
  const [host, port] = base.split(':');
  const socket = tls.connect({ host, port: Number(port), ca: caPem, servername: 'localhost' });
  await new Promise((r) => socket.once('secureConnect', r));
  const c = rawClient(socket, true);
  socket.write(
    `POST ${EXEC_PATH}?${query} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer admin\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n` +
      `X-Stream-Protocol-Version: ${versions}\r\nContent-Length: 0\r\n\r\n`,
  );
  await waitFor(() => c.received().includes('\r\n\r\n'), 'the response head');
  return c;
}

test('the 101 names the negotiated protocol; the Status goes on the error stream after stdout ends', async () => {
  const c = await post('command=echo&command=raw&stdout=true');
  assert.match(c.received().toString('latin1'), /^HTTP\/1\.1 101 Switching Protocols\r\n[^]*Upgrade: SPDY\/3\.1\r\n[^]*X-Stream-Protocol-Version: v5\.channel\.k8s\.io\r\n/);
  await c.open(1, 'error');
  await c.open(3, 'stdout');
  await waitFor(() => c.frames().some((f) => f.type === 'goaway'), 'the GOAWAY after the Status');
  assert.deepEqual(c.stream(3), { data: 'raw\n', fin: true });
  assert.deepEqual(c.stream(1), { data: '{"metadata":{},"status":"Success"}', fin: true });
  assert.deepEqual(
    c.frames().filter((f) => f.type === 'syn_reply').map((f) => (f as { streamId: number }).streamId),
    [1, 3],
  );
  c.socket.destroy();
});

test('refusals before the upgrade: no version header, or only protocols older than v4', async () => {
  const old = await post('command=echo&stdout=true', 'v3.channel.k8s.io, v2.channel.k8s.io, channel.k8s.io');
  await old.closed;
  assert.match(old.received().toString(), /^HTTP\/1\.1 403 [^]*"unable to upgrade: unable to negotiate protocol: client supports \[v3\.channel\.k8s\.io v2\.channel\.k8s\.io channel\.k8s\.io\], server accepts \[v5\.channel\.k8s\.io v4\.channel\.k8s\.io\]"/);
  const req = (headers: Record<string, string | string[]>) => ({ headers, headersDistinct: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v].flat()])) }) as unknown as IncomingMessage;
  assert.equal(spdyUpgradeError(req({ connection: 'Upgrade', upgrade: 'SPDY/3.1' }))?.message, 'unable to upgrade: X-Stream-Protocol-Version is required');
  assert.equal(spdyUpgradeError(req({ connection: 'Upgrade', upgrade: 'SPDY/3.1', 'x-stream-protocol-version': ['v5.channel.k8s.io', 'v4.channel.k8s.io'] })), undefined);
  assert.equal(spdyUpgradeError(req({ connection: 'keep-alive', upgrade: 'SPDY/3.1', 'x-stream-protocol-version': 'v4.channel.k8s.io' }))?.code, 400);
  // httpstream.Handshake takes the client's order.
  assert.equal(negotiateProtocol(['v4.channel.k8s.io', 'v5.channel.k8s.io']), 'v4.channel.k8s.io');
  assert.equal(negotiateProtocol(['v3.channel.k8s.io']), undefined);
});

test('a runtime that refuses is reported on the error stream, as the kubelet does', async () => {
  const c = await post('command=refuse&stdout=true', 'v4.channel.k8s.io');
  assert.match(c.received().toString('latin1'), /X-Stream-Protocol-Version: v4\.channel\.k8s\.io\r\n/);
  await c.open(1, 'error');
  await c.open(3, 'stdout');
  await waitFor(() => c.stream(1).fin, 'the error stream ends');
  assert.deepEqual(JSON.parse(c.stream(1).data), { metadata: {}, status: 'Failure', message: 'exec is not available: pod web-0 runs on the simulated runtime (sim)', reason: 'BadRequest', code: 400 });
  assert.deepEqual(c.stream(3), { data: '', fin: true });
  c.socket.destroy();
});

test('with a tty the resize stream carries TerminalSize documents, concatenated or split anywhere', async () => {
  node.resizes = [];
  const c = await post('command=cat&stdin=true&stdout=true&stderr=true&tty=true');
  await c.open(1, 'error');
  await c.open(3, 'stdin');
  await c.open(5, 'stdout');
  // No stderr stream with a tty: the session starts once resize is there too.
  await c.open(7, 'resize');
  c.socket.write(encodeData(7, Buffer.from('{"Width":100,"Height":40}\n{"Width":')));
  c.socket.write(encodeData(7, Buffer.from('81,"Height":25}{"width":1,"height":2}')));
  c.socket.write(encodeData(3, Buffer.from('typed'), true));
  await waitFor(() => c.stream(1).fin, 'the Status');
  assert.deepEqual(node.resizes, [
    [100, 40],
    [81, 25],
    [1, 2],
  ]);
  assert.equal(c.stream(5).data, 'typed');
  assert.equal(c.stream(1).data, '{"metadata":{},"status":"Success"}');
  // The server ended its half of stdin as well.
  assert.equal(c.stream(3).fin, true);
  c.socket.destroy();
});

test('a client that goes away mid-exec has the process killed', async () => {
  const killed = node.killed;
  const c = await post('command=sleep&stdout=true&stderr=true');
  for (const [id, type] of [
    [1, 'error'],
    [3, 'stdout'],
    [5, 'stderr'],
  ] as const)
    await c.open(id, type);
  await waitFor(() => node.started.some((cmd) => cmd[0] === 'sleep'), 'the process started');
  c.socket.destroy();
  await waitFor(() => node.killed === killed + 1, 'the kill');
});

test('hostile input after the upgrade ends only that session: garbage, bad compression, unknown streams', async () => {
  const garbage = await post('command=echo&stdout=true');
  garbage.socket.write(Buffer.from('this is not SPDY at all, just text....'));
  await garbage.closed;
  assert.deepEqual(garbage.frames().at(-1), { type: 'goaway', lastGoodStreamId: 0, status: 1 });

  const badZlib = await post('command=echo&stdout=true');
  badZlib.socket.write(encodeSynStream(1, Buffer.from('definitely not deflate data')));
  await badZlib.closed;
  assert.deepEqual(badZlib.frames().at(-1), { type: 'goaway', lastGoodStreamId: 0, status: 1 });

  // Streams the query did not ask for, of no known type, or twice, are reset; the session still runs.
  const odd = await post('command=echo&command=still&command=fine&stdout=true');
  await odd.open(1, 'stdin');
  await odd.open(3, 'bogus');
  await odd.open(5, 'error');
  await odd.open(7, 'error');
  await odd.open(9, 'stdout');
  await waitFor(() => odd.stream(5).fin, 'the Status');
  assert.deepEqual(
    odd.frames().filter((f) => f.type === 'rst_stream').map((f) => (f as { streamId: number }).streamId),
    [1, 3, 7],
  );
  assert.equal(odd.stream(9).data, 'still fine\n');
  odd.socket.destroy();
});

/** A server end and a raw client end of one local TCP connection. */
async function socketPair(): Promise<{ server: net.Socket; client: net.Socket }> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const accepted = new Promise<net.Socket>((r) => srv.once('connection', r));
  const client = net.connect((srv.address() as AddressInfo).port, '127.0.0.1');
  const server = await accepted;
  srv.close();
  return { server, client };
}

test('a client that does not open every stream in time loses the connection; the process never starts', async () => {
  const { server, client } = await socketPair();
  let opened = 0;
  const rc = { kind: 'exec' as const, command: ['ls'], options: { stdin: true, stdout: true, stderr: true, tty: false }, open: async () => (opened++, Promise.reject(new Error('unreachable'))) };
  const served = runRemoteCommand(server, rc, { streamCreationTimeoutMs: 100 });
  const c = rawClient(client, false);
  await c.open(1, 'error');
  await c.open(3, 'stdout');
  await c.closed;
  await served;
  assert.equal(opened, 0);
});

test('the streams to wait for follow the query flags', () => {
  assert.deepEqual(expectedStreams({ stdin: false, stdout: true, stderr: true, tty: false }), ['error', 'stdout', 'stderr']);
  assert.deepEqual(expectedStreams({ stdin: true, stdout: true, stderr: false, tty: true }), ['error', 'stdin', 'stdout', 'resize']);
});

test('JSON documents are cut out of a stream as json.Decoder reads them; junk stops it', () => {
  const s = new JsonObjectSplitter(64);
  assert.deepEqual(s.push('{"Width":1,"Height":2}\n {"a":"}{\\"'), ['{"Width":1,"Height":2}']);
  assert.deepEqual(s.push('","b":[{}]}{}'), ['{"a":"}{\\"","b":[{}]}', '{}']);
  assert.deepEqual(s.push('x{"Width":3}'), []);
  assert.equal(s.failed, true);
  const long = new JsonObjectSplitter(8);
  long.push('{"Width":100');
  assert.equal(long.failed, true);
});
