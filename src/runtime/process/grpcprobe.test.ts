import assert from 'node:assert/strict';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { grpcProbe, responseStatus } from './grpcprobe.js';

/** A gRPC health server: the service named in the request answers with the status set for it. */
let server: http2.Http2Server;
let port = 0;
const statuses: Record<string, number> = { '': 1, sick: 2 };

before(async () => {
  server = http2.createServer();
  server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (d: Buffer) => chunks.push(d));
    stream.on('end', () => {
      const body = Buffer.concat(chunks);
      assert.equal(headers[':path'], '/grpc.health.v1.Health/Check');
      assert.equal(headers['content-type'], 'application/grpc');
      const service = body.length > 5 ? body.subarray(7).toString() : '';
      const message = Buffer.from([0x08, statuses[service] ?? 3]);
      const frame = Buffer.alloc(5);
      frame.writeUInt32BE(message.length, 1);
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      stream.end(Buffer.concat([frame, message]));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
after(() => new Promise<void>((r) => server.close(() => r())));

test('SERVING passes; NOT_SERVING and unknown services fail with the kubelet wording', async () => {
  assert.deepEqual(await grpcProbe('127.0.0.1', port, '', 1000), { ok: true, message: '' });
  assert.deepEqual(await grpcProbe('127.0.0.1', port, 'sick', 1000), { ok: false, message: 'service unhealthy (responded with "NOT_SERVING")' });
  assert.deepEqual(await grpcProbe('127.0.0.1', port, 'other', 1000), { ok: false, message: 'service unhealthy (responded with "SERVICE_UNKNOWN")' });
});

test('a closed port fails without waiting for the timeout', async () => {
  const closed = http2.createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const free = (closed.address() as AddressInfo).port;
  await new Promise<void>((r) => closed.close(() => r()));
  const r = await grpcProbe('127.0.0.1', free, '', 5000);
  assert.equal(r.ok, false);
  assert.match(r.message, /failed to connect service "127\.0\.0\.1:\d+" within 5s: connection refused/);
});

test('responseStatus reads the status field and rejects short or malformed bodies', () => {
  assert.equal(responseStatus(Buffer.from([0, 0, 0, 0, 2, 0x08, 0x01])), 1);
  assert.equal(responseStatus(Buffer.from([0, 0, 0, 0, 0])), 0);
  assert.equal(responseStatus(Buffer.from([0, 0])), undefined);
  assert.equal(responseStatus(Buffer.from([0, 0, 0, 0, 2, 0x0a, 0x05])), undefined);
});
