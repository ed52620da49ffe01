// The gRPC probe: grpc.health.v1.Health/Check over HTTP/2 (no TLS), as the kubelet's grpc prober calls
// it; SERVING (1) passes. The request and response are one-field protobuf messages, encoded by hand.

import http2 from 'node:http2';

const STATUS_NAMES = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];

/** HealthCheckRequest{service}, framed as a gRPC message (flag byte, big-endian length). */
function request(service: string): Buffer {
  const name = Buffer.from(service);
  const message = name.length ? Buffer.concat([Buffer.from([0x0a, name.length]), name]) : Buffer.alloc(0);
  const frame = Buffer.alloc(5);
  frame.writeUInt32BE(message.length, 1);
  return Buffer.concat([frame, message]);
}

/** The status field (1, varint) of a framed HealthCheckResponse. */
export function responseStatus(body: Buffer): number | undefined {
  if (body.length < 5) return undefined;
  const message = body.subarray(5, 5 + body.readUInt32BE(1));
  for (let i = 0; i < message.length; ) {
    const key = message[i++];
    let value = 0;
    for (let shift = 0; i < message.length; shift += 7) {
      const b = message[i++];
      value |= (b & 0x7f) << shift;
      if (!(b & 0x80)) break;
    }
    if (key === 0x08) return value;
    if ((key & 7) !== 0) return undefined;
  }
  return 0;
}

export function grpcProbe(host: string, port: number, service: string, timeoutMs: number): Promise<{ ok: boolean; message: string }> {
  const target = `${host}:${port}`;
  return new Promise((resolve) => {
    let done = false;
    const finish = (ok: boolean, message: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      session.destroy();
      resolve({ ok, message });
    };
    const timer = setTimeout(() => finish(false, `timeout: health rpc did not complete within ${timeoutMs / 1000}s`), timeoutMs);
    const session = http2.connect(`http://${target}`);
    let connected = false;
    session.on('connect', () => (connected = true));
    const connectFailed = (e: NodeJS.ErrnoException) =>
      finish(false, `timeout: failed to connect service "${target}" within ${timeoutMs / 1000}s: ${e.code === 'ECONNREFUSED' ? 'connection refused' : e.message}`);
    session.on('error', connectFailed);
    const stream = session.request({ ':method': 'POST', ':path': '/grpc.health.v1.Health/Check', 'content-type': 'application/grpc', te: 'trailers' });
    const chunks: Buffer[] = [];
    stream.on('data', (d: Buffer) => chunks.push(d));
    // Before the connection is up, a stream error is the connection's (its cause says why).
    stream.on('error', (e: Error & { cause?: NodeJS.ErrnoException }) => (connected ? finish(false, `error: health rpc failed: ${e.message}`) : connectFailed(e.cause ?? e)));
    stream.on('end', () => {
      const status = responseStatus(Buffer.concat(chunks));
      if (status === 1) finish(true, '');
      else finish(false, status === undefined ? 'error: health rpc returned no status' : `service unhealthy (responded with "${STATUS_NAMES[status] ?? status}")`);
    });
    stream.end(request(service));
  });
}
