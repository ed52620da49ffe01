// exec and attach through the whole HTTPS API server: authentication, RBAC, the pod and container checks,
// the WebSocket upgrade and the v5 framing, against a fake node whose "processes" the test plays.

import assert from 'node:assert/strict';
import { FakeNode, startStreamServer } from '../testing/streamserver.js';
import { after, before, test } from 'node:test';
import tls from 'node:tls';
import { WebSocket } from 'ws';
import { frame, V5_PROTOCOL } from '../apiserver/remotecommand.js';
import type { Kubelet } from '../kubelet/kubelet.js';
import { waitFor } from '../testing/fixture.js';
import { podStreams } from './podstreams.js';

const node = new FakeNode();
let base = '';
let caPem = '';
let close: () => void = () => {};

before(async () => {
  const srv = await startStreamServer({
    roles: { getter: { resources: ['pods/exec', 'pods/attach'], verbs: ['get'] }, creator: { resources: ['pods/exec', 'pods/attach'], verbs: ['create'] } },
    podStreams: (registry) => podStreams(registry, [node as unknown as Kubelet]),
  });
  ({ base, caPem, close } = srv);
});

after(() => close());

const execPath = (query: string, pod = 'web-0', sub = 'exec') => `/api/v1/namespaces/default/pods/${pod}/${sub}?${query}`;

interface Transcript {
  messages: Array<{ channel: number; data: string }>;
  closeCode: number;
}

function dial(path: string, token = 'admin'): WebSocket {
  return new WebSocket(`wss://${base}${path}`, [V5_PROTOCOL], { ca: caPem, headers: { Authorization: `Bearer ${token}` } });
}

/** Runs a v5 session to its end; `talk` sends what the client types once connected. */
function session(path: string, talk: (ws: WebSocket) => void = () => {}, token = 'admin'): Promise<Transcript> {
  const ws = dial(path, token);
  const messages: Transcript['messages'] = [];
  return new Promise((resolve, reject) => {
    ws.on('open', () => {
      assert.equal(ws.protocol, V5_PROTOCOL);
      talk(ws);
    });
    ws.on('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.on('error', () => {});
    ws.on('message', (data: Buffer) => messages.push({ channel: data[0], data: data.subarray(1).toString() }));
    ws.on('close', (closeCode) => resolve({ messages, closeCode }));
  });
}

const on = (t: Transcript, ch: number) =>
  t.messages
    .filter((m) => m.channel === ch)
    .map((m) => m.data)
    .join('');

/** The HTTP answer to an upgrade the server refuses: kubectl reads the Status from it. */
function refusal(path: string, token = 'admin', protocols = [V5_PROTOCOL]): Promise<{ code: number; status: { reason: string; message: string; code: number } }> {
  const ws = new WebSocket(`wss://${base}${path}`, protocols, { ca: caPem, headers: { Authorization: `Bearer ${token}` } });
  return new Promise((resolve, reject) => {
    ws.on('open', () => reject(new Error('upgraded')));
    ws.on('error', () => {});
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ code: res.statusCode!, status: JSON.parse(body) }));
    });
  });
}

test('exec streams stdout, then Success on the error channel, then Close(1000)', async () => {
  const t = await session(execPath('command=echo&command=hello&command=world&container=nginx&stdout=true&stderr=true'));
  assert.equal(on(t, 1), 'hello world');
  assert.deepEqual(t.messages.at(-1), { channel: 3, data: '{"metadata":{},"status":"Success"}' });
  assert.equal(t.closeCode, 1000);
});

test('a failing command: stderr on channel 2 and the NonZeroExitCode Status', async () => {
  const t = await session(execPath('command=fail&command=3&stdout=true&stderr=true'));
  assert.equal(on(t, 2), 'failing\n');
  assert.equal(
    on(t, 3),
    '{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: error executing command [fail 3], exit code 3","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}}',
  );
});

test('stdin reaches the command and [255,0] closes it', async () => {
  const t = await session(execPath('command=cat&stdin=true&stdout=true&stderr=true'), (ws) => {
    ws.send(frame(0, 'vm\n'));
    ws.send(Buffer.from([255, 0]));
  });
  assert.equal(on(t, 1), 'vm\n');
  assert.equal(t.closeCode, 1000);
});

test('attach uses the same protocol and reports Success', async () => {
  const t = await session(execPath('container=nginx&stdin=true&stdout=true&stderr=true', 'web-0', 'attach'));
  assert.equal(on(t, 1), 'attached');
  assert.equal(on(t, 3), '{"metadata":{},"status":"Success"}');
});

test('the WebSocket GET needs create on pods/exec, as SPDY POST always did', async () => {
  const denied = await refusal(execPath('command=echo&stdout=true'), 'getter');
  assert.equal(denied.code, 403);
  assert.equal(denied.status.reason, 'Forbidden');
  assert.equal(denied.status.message, 'pods "web-0" is forbidden: User "getter" cannot create resource "pods/exec" in API group "" in the namespace "default"');
  const t = await session(execPath('command=echo&command=ok&stdout=true'), () => {}, 'creator');
  assert.equal(on(t, 1), 'ok');
  const anonymous = await refusal(execPath('command=echo&stdout=true'), 'wrong-token');
  assert.equal(anonymous.code, 401);
});

test('problems found before the upgrade are HTTP Status answers', async () => {
  assert.deepEqual(
    [await refusal(execPath('command=echo&stdout=true', 'nope')), await refusal(execPath('command=echo&stdout=true&container=nope')), await refusal(execPath('stdout=true'))].map((r) => [r.code, r.status.message]),
    [
      [404, 'pods "nope" not found'],
      [400, 'container nope is not valid for pod web-0'],
      [400, 'you must specify at least 1 command'],
    ],
  );
  const old = await refusal(execPath('command=echo&stdout=true'), 'admin', ['v4.channel.k8s.io']);
  assert.equal(old.status.message, 'requested protocol(s) are not supported: [v4.channel.k8s.io]; supports [v5.channel.k8s.io]');
});

test('a runtime that refuses answers after the upgrade, on the error channel, as the kubelet does', async () => {
  const t = await session(execPath('command=refuse&stdout=true'));
  assert.deepEqual(JSON.parse(on(t, 3)), { metadata: {}, status: 'Failure', message: 'exec is not available: pod web-0 runs on the simulated runtime (sim)', reason: 'BadRequest', code: 400 });
  assert.equal(t.closeCode, 1000);
});

/** A raw TLS connection, to send what no well-behaved client would. */
async function rawConnection(): Promise<{ socket: tls.TLSSocket; received: () => Buffer; waitFor: (text: string) => Promise<void> }> {
  const [host, port] = base.split(':');
  const socket = tls.connect({ host, port: Number(port), ca: caPem, servername: 'localhost' });
  await new Promise((r) => socket.once('secureConnect', r));
  let got = Buffer.alloc(0);
  socket.on('data', (d) => (got = Buffer.concat([got, d])));
  socket.on('error', () => {});
  return { socket, received: () => got, waitFor: async (text) => void (await waitFor(() => got.includes(text), JSON.stringify(text))) };
}

const UPGRADE = (path: string) =>
  `GET ${path} HTTP/1.1\r\nHost: ${base}\r\nAuthorization: Bearer admin\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
  `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: ${V5_PROTOCOL}\r\n\r\n`;

test('an upgrade on a kept-alive connection after an ordinary request is served', async () => {
  const c = await rawConnection();
  c.socket.write(`GET /healthz HTTP/1.1\r\nHost: ${base}\r\nAuthorization: Bearer admin\r\n\r\n`);
  await c.waitFor('\r\n\r\nok');
  c.socket.write(UPGRADE(execPath('command=echo&command=hi&stdout=true')));
  await c.waitFor('HTTP/1.1 101');
  // Unmasked server frames: FIN+binary, length 3, channel 1, "hi".
  await waitFor(() => c.received().includes(Buffer.from([0x82, 0x03, 0x01, 0x68, 0x69])), 'stdout frame');
  assert.match(c.received().toString('latin1'), /Sec-WebSocket-Protocol: v5\.channel\.k8s\.io/i);
  c.socket.destroy();
});

test('the server survives garbage, text and huge frames and abrupt disconnects, killing what was left', async () => {
  const killedBefore = node.killed;
  // Garbage after the handshake: an unmasked frame with a reserved opcode.
  const c = await rawConnection();
  c.socket.write(UPGRADE(execPath('command=sleep&stdin=true&stdout=true')));
  await c.waitFor('HTTP/1.1 101');
  c.socket.write(Buffer.from([0xf3, 0x7f, 0xff, 0xff, 0xff, 0xff, 0x00, 0x01, 0x02]));
  await new Promise((r) => c.socket.once('close', r));
  await waitFor(() => node.killed === killedBefore + 1, 'the garbage session killed');

  // Text frames are data like any other: "\u0000x" is stdin, anything else is an unknown channel.
  const text = await session(execPath('command=cat&stdin=true&stdout=true'), (ws) => {
    ws.send('hello');
    ws.send('\u0000typed');
    ws.send(Buffer.from([255, 0]));
  });
  assert.equal(on(text, 1), 'typed');
  assert.equal(text.closeCode, 1000);

  // A frame over the limit ends the connection with 1009 (message too big).
  const huge = await session(execPath('command=sleep&stdin=true&stdout=true'), (ws) => ws.send(frame(0, Buffer.alloc(5 * 1024 * 1024))));
  assert.equal(huge.closeCode, 1009);
  await waitFor(() => node.killed === killedBefore + 2, 'the oversized session killed');

  // The client vanishes without a close frame.
  const ws = dial(execPath('command=sleep&stdout=true'));
  ws.on('error', () => {});
  await new Promise((r) => ws.once('open', r));
  ws.terminate();
  await waitFor(() => node.killed === killedBefore + 3, 'the abandoned session killed');

  const t = await session(execPath('command=echo&command=alive&stdout=true'));
  assert.equal(on(t, 1), 'alive');
});
