import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { badRequest } from '../machinery/errors.js';
import type { ExecSession } from '../runtime/runtime.js';
import { exitStatus, failureStatus, frame, parseResize, streamOptions, streamSession, upgradeError, V5_PROTOCOL, type RemoteCommand } from './remotecommand.js';

/** A session whose process the test plays: write to stdout/stderr, read stdin, then call `exit`. */
function fakeSession(withStdin = true) {
  let exit!: (code: number) => void;
  let fail!: (e: Error) => void;
  const calls = { resize: [] as Array<[number, number]>, killed: 0 };
  const session: ExecSession = {
    stdin: withStdin ? new PassThrough() : undefined,
    stdout: new PassThrough(),
    stderr: new PassThrough(),
    exit: new Promise<number>((resolve, reject) => ((exit = resolve), (fail = reject))),
    resize: (w, h) => void calls.resize.push([w, h]),
    kill: () => void calls.killed++,
  };
  /** Ends both output streams and reports the exit code, as a process that exits does. */
  const finish = (code: number) => {
    (session.stdout as PassThrough).end();
    (session.stderr as PassThrough).end();
    exit(code);
  };
  return { session, calls, finish, fail };
}

/** What a v5 client saw: the messages per channel in order, and how the connection closed. */
interface Transcript {
  messages: Array<{ channel: number; data: string }>;
  closeCode: number;
}

function collect(ws: WebSocket): Promise<Transcript> {
  const messages: Transcript['messages'] = [];
  return new Promise((resolve) => {
    ws.on('message', (data: Buffer, isBinary) => {
      assert.ok(isBinary, 'the server sends binary frames only');
      messages.push({ channel: data[0], data: data.subarray(1).toString() });
    });
    ws.on('error', () => {});
    ws.on('close', (closeCode) => resolve({ messages, closeCode }));
  });
}

const channel = (t: Transcript, ch: number) =>
  t.messages
    .filter((m) => m.channel === ch)
    .map((m) => m.data)
    .join('');

const EXEC: Omit<RemoteCommand, 'open'> = { kind: 'exec', command: ['sh', '-c', 'exit 3'], options: { stdin: true, stdout: true, stderr: true, tty: false } };

/** A WebSocket server that streams `session` to its one client. */
async function serveOne(session: ExecSession, rc = EXEC): Promise<{ client: WebSocket; done: Promise<void>; close(): void }> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', handleProtocols: () => V5_PROTOCOL });
  await new Promise((r) => wss.once('listening', r));
  let done!: Promise<void>;
  const served = new Promise<void>((resolve) => wss.once('connection', (ws) => ((done = streamSession(ws, session, rc)), resolve())));
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`, [V5_PROTOCOL]);
  await new Promise((r) => client.once('open', r));
  await served;
  return { client, done, close: () => wss.close() };
}

test('success on the error channel is the bare Status the kubelet writes', () => {
  assert.equal(JSON.stringify(exitStatus('exec', ['ls'], 0)), '{"metadata":{},"status":"Success"}');
});

test('a non-zero exit is the NonZeroExitCode Status with the exit code as an ExitCode cause', () => {
  assert.equal(
    JSON.stringify(exitStatus('exec', ['sh', '-c', 'exit 3'], 3)),
    '{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}}',
  );
});

test('attach reports success whatever the exit code: kubectl run reads it from the pod status', () => {
  assert.equal(JSON.stringify(exitStatus('attach', [], 7)), '{"metadata":{},"status":"Success"}');
});

test('a StatusError keeps its reason and code; other errors become InternalError as the kubelet wraps them', () => {
  assert.deepEqual(failureStatus('exec', badRequest('exec is not available')), { metadata: {}, status: 'Failure', message: 'exec is not available', reason: 'BadRequest', code: 400 });
  assert.deepEqual(failureStatus('exec', new Error('no such file')), {
    metadata: {},
    status: 'Failure',
    message: 'Internal error occurred: error executing command in container: no such file',
    reason: 'InternalError',
    details: { causes: [{ message: 'error executing command in container: no such file' }] },
    code: 500,
  });
  assert.equal((failureStatus('attach', new Error('gone')) as { message: string }).message, 'Internal error occurred: error attaching to container: gone');
});

test('resize messages carry Width and Height as kubectl encodes them; unreadable ones are skipped', () => {
  assert.deepEqual(parseResize(Buffer.from('{"Width":100,"Height":40}\n')), [{ width: 100, height: 40 }]);
  assert.deepEqual(parseResize(Buffer.from('{"width":80,"height":24}\n{"Width":81,"Height":25}')), [
    { width: 80, height: 24 },
    { width: 81, height: 25 },
  ]);
  assert.deepEqual(parseResize(Buffer.from('{"Width":-1,"Height":2}\nnot json\n{"Width":"3"}')), []);
});

test('stream options: tty means no stderr, and at least one stream is required', () => {
  assert.deepEqual(streamOptions(new URLSearchParams('stdin=true&stdout=true&stderr=true&tty=true')), { stdin: true, stdout: true, stderr: false, tty: true });
  assert.throws(() => streamOptions(new URLSearchParams('tty=true&stderr=true')), { code: 400, message: 'you must specify at least 1 of stdin, stdout, stderr' });
});

function upgradeRequest(headers: Record<string, string>, method = 'GET'): IncomingMessage {
  return { method, headers } as unknown as IncomingMessage;
}

const WS_HEADERS = { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', 'sec-websocket-version': '13', 'sec-websocket-protocol': V5_PROTOCOL };

test('a WebSocket upgrade must offer v5.channel.k8s.io (SPDY upgrades are checked by remotecommandspdy)', () => {
  assert.equal(upgradeError(upgradeRequest(WS_HEADERS)), undefined);
  assert.equal(upgradeError(upgradeRequest({ ...WS_HEADERS, 'sec-websocket-protocol': 'v4.channel.k8s.io, v5.channel.k8s.io' })), undefined);
  assert.equal(upgradeError(upgradeRequest({ ...WS_HEADERS, 'sec-websocket-protocol': 'v4.channel.k8s.io' }))?.message, 'requested protocol(s) are not supported: [v4.channel.k8s.io]; supports [v5.channel.k8s.io]');
  assert.equal(upgradeError(upgradeRequest({}))?.message, 'unable to upgrade: missing upgrade headers in request');
  assert.equal(upgradeError(upgradeRequest({ ...WS_HEADERS, 'sec-websocket-version': '8' }))?.code, 400);
});

test('stdout and stderr go on channels 1 and 2, then one Status on channel 3, then Close(1000)', async () => {
  const { session, finish } = fakeSession();
  const srv = await serveOne(session);
  const transcript = collect(srv.client);
  session.stdout.push('out-1 ');
  session.stderr.push('err-1');
  session.stdout.push('out-2');
  setTimeout(() => finish(0), 20);
  const t = await transcript;
  await srv.done;
  srv.close();
  assert.equal(channel(t, 1), 'out-1 out-2');
  assert.equal(channel(t, 2), 'err-1');
  assert.deepEqual(t.messages.at(-1), { channel: 3, data: '{"metadata":{},"status":"Success"}' });
  assert.equal(t.messages.filter((m) => m.channel === 3).length, 1);
  assert.equal(t.closeCode, 1000);
});

test('stdin on channel 0 reaches the process, and [255,0] closes it (kubectl on stdin EOF)', async () => {
  const { session, finish } = fakeSession();
  // `cat`: echo stdin, exit when it closes.
  session.stdin!.on('data', (d) => session.stdout.push(d));
  session.stdin!.on('end', () => finish(0));
  const srv = await serveOne(session);
  const transcript = collect(srv.client);
  srv.client.send(frame(0, 'vm\n'));
  srv.client.send(Buffer.from([255, 0]));
  const t = await transcript;
  srv.close();
  assert.equal(channel(t, 1), 'vm\n');
  assert.equal(t.closeCode, 1000);
});

test('a non-zero exit ends with the NonZeroExitCode Status kubectl turns into its own exit code', async () => {
  const { session, finish } = fakeSession(false);
  const srv = await serveOne(session);
  const transcript = collect(srv.client);
  finish(3);
  const t = await transcript;
  srv.close();
  assert.equal(JSON.parse(channel(t, 3)).reason, 'NonZeroExitCode');
  assert.equal(JSON.parse(channel(t, 3)).details.causes[0].message, '3');
  assert.equal(t.closeCode, 1000);
});

test('with a tty, stderr is not sent and resize messages reach the session', async () => {
  const { session, calls, finish } = fakeSession();
  const srv = await serveOne(session, { kind: 'exec', command: ['sh'], options: { stdin: true, stdout: true, stderr: false, tty: true } });
  const transcript = collect(srv.client);
  srv.client.send(frame(4, '{"Width":100,"Height":40}\n'));
  srv.client.send(frame(4, '{"Width":120,"Height":50}\n'));
  setTimeout(() => {
    session.stderr.push('hidden');
    session.stdout.push('$ ');
    finish(0);
  }, 30);
  const t = await transcript;
  srv.close();
  assert.deepEqual(calls.resize, [
    [100, 40],
    [120, 50],
  ]);
  assert.equal(channel(t, 1), '$ ');
  assert.equal(channel(t, 2), '');
});

test('an exec whose client goes away is killed and its stdin dropped; an attach is only detached', async () => {
  for (const kind of ['exec', 'attach'] as const) {
    const { session, calls } = fakeSession();
    const srv = await serveOne(session, { ...EXEC, kind });
    srv.client.terminate();
    await srv.done;
    srv.close();
    assert.equal(calls.killed, kind === 'exec' ? 1 : 0, kind);
    assert.ok(session.stdin!.destroyed, kind);
    assert.ok(session.stdout.destroyed, kind);
  }
});

test('a session that fails reports an InternalError Status instead of an exit code', async () => {
  const { session, fail } = fakeSession();
  const srv = await serveOne(session);
  const transcript = collect(srv.client);
  (session.stdout as PassThrough).end();
  (session.stderr as PassThrough).end();
  fail(new Error('container died'));
  const t = await transcript;
  srv.close();
  assert.equal(JSON.parse(channel(t, 3)).message, 'Internal error occurred: error executing command in container: container died');
  assert.equal(t.closeCode, 1000);
});
