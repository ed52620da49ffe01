// `kubectl port-forward`: a SPDY/3.1 session, either tunneled in a WebSocket (GET, subprotocol
// SPDY/3.1+portforward.k8s.io, kubectl 1.31+) or over the hijacked connection of a POST with
// `Upgrade: SPDY/3.1`. Per forwarded connection the client opens an error stream and a data stream sharing
// a requestID; the server pipes the data stream to the pod's port and writes failures on the error stream
// (the kubelet's cri/streaming/portforward/httpstream.go).

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { badRequest, StatusError } from '../machinery/errors.js';
import { RstStatus } from './spdy/frames.js';
import { headerValue } from './spdy/headers.js';
import { SpdySession } from './spdy/session.js';
import type { SpdyStream } from './spdy/stream.js';
import { webSocketTunnel } from './spdy/tunnel.js';

export const PORT_FORWARD_PROTOCOL = 'portforward.k8s.io';
export const TUNNEL_PROTOCOL = `SPDY/3.1+${PORT_FORWARD_PROTOCOL}`;
/** The kubelet's default stream creation timeout: both streams of a request must arrive within it. */
export const STREAM_CREATION_TIMEOUT_MS = 30_000;

/** The pod's side of a port-forward, resolved before the upgrade. */
export interface PortForwarder {
  /** How the kubelet names the pod in errors (the sandbox) and its uid (empty from the CRI streaming server). */
  pod: string;
  uid: string;
  /** Connects to the pod's port; rejects with the reason the kubelet reports. */
  dial(port: number): Promise<Duplex>;
}

export interface PortForwardOptions {
  streamCreationTimeoutMs?: number;
}

function connectionUpgrades(req: IncomingMessage): boolean {
  return /\bupgrade\b/i.test(req.headers.connection ?? '');
}

function offeredProtocols(req: IncomingMessage): string[] {
  return (req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
}

/** Why the request cannot become a port-forward session, answered as a Status before any upgrade. */
export function portForwardUpgradeError(req: IncomingMessage): StatusError | undefined {
  const upgrade = (req.headers.upgrade ?? '').toLowerCase();
  if (!connectionUpgrades(req) || (upgrade !== 'websocket' && upgrade !== 'spdy/3.1')) {
    return badRequest(`unable to upgrade: missing upgrade headers in request: Connection=${JSON.stringify(req.headers.connection ?? '')}, Upgrade=${JSON.stringify(req.headers.upgrade ?? '')}`);
  }
  if (upgrade === 'websocket') {
    if (req.method !== 'GET') return badRequest(`unable to upgrade: a WebSocket upgrade must be a GET, not ${req.method}`);
    const offered = offeredProtocols(req);
    if (!offered.includes(TUNNEL_PROTOCOL)) return badRequest(`requested protocol(s) are not supported: [${offered.join(' ')}]; supports [${TUNNEL_PROTOCOL}]`);
    const key = req.headers['sec-websocket-key'];
    if (typeof key !== 'string' || !/^[+/0-9A-Za-z]{22}==$/.test(key)) return badRequest('unable to upgrade: missing or invalid Sec-WebSocket-Key');
    if (req.headers['sec-websocket-version'] !== '13') return badRequest('unable to upgrade: unsupported Sec-WebSocket-Version, want 13');
    return undefined;
  }
  // httpstream.Handshake
  const versions = (req.headersDistinct['x-stream-protocol-version'] ?? []).flatMap((v) => v.split(',').map((p) => p.trim()));
  if (!versions.length) return badRequest('unable to upgrade: X-Stream-Protocol-Version is required');
  if (!versions.includes(PORT_FORWARD_PROTOCOL)) {
    return new StatusError(403, 'Forbidden', `unable to upgrade: unable to negotiate protocol: client supports [${versions.join(' ')}], server accepts [${PORT_FORWARD_PROTOCOL}]`);
  }
  return undefined;
}

const wss = new WebSocketServer({ noServer: true, clientTracking: false, perMessageDeflate: false, maxPayload: 4 * 1024 * 1024, handleProtocols: () => TUNNEL_PROTOCOL });

/**
 * Takes the connection away from `res` (the upgrade listener bound it to the raw socket) and answers 101.
 * The bytes Node read past the request head are not available here; clients wait for the 101 before sending.
 */
async function accept(req: IncomingMessage, res: ServerResponse): Promise<Duplex | undefined> {
  const socket = res.socket as Socket | null;
  if (!socket) throw badRequest('unable to upgrade: missing upgrade headers in request');
  res.detachSocket(socket);
  if (socket.destroyed) return undefined;
  if ((req.headers.upgrade ?? '').toLowerCase() === 'websocket') {
    // ws only accepts RFC 7230 tokens as subprotocols and "SPDY/3.1+portforward.k8s.io" is not one (gorilla,
    // client-go's library, does not check); portForwardUpgradeError already found it offered.
    req.headers['sec-websocket-protocol'] = 'spdy';
    const ws = await new Promise<WebSocket | undefined>((resolve) => {
      socket.once('close', () => resolve(undefined));
      wss.handleUpgrade(req, socket, Buffer.alloc(0), (ws) => resolve(ws));
    });
    return ws && webSocketTunnel(ws);
  }
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${PORT_FORWARD_PROTOCOL}\r\n\r\n`);
  return socket;
}

/** Serves one port-forward request: checks the upgrade (a StatusError before it is answered), then the session. */
export async function servePortForward(req: IncomingMessage, res: ServerResponse, pf: PortForwarder, opts: PortForwardOptions = {}): Promise<void> {
  const refused = portForwardUpgradeError(req);
  if (refused) throw refused;
  const transport = await accept(req, res);
  if (!transport) return;
  transport.on('error', () => {});
  await new Promise<void>((resolve) => {
    const session = forwardPorts(transport, pf, opts);
    session.once('close', () => {
      transport.destroy();
      resolve();
    });
  });
}

/** The port-forward protocol on top of a SPDY session over `transport`. */
export function forwardPorts(transport: Duplex, pf: PortForwarder, opts: PortForwardOptions = {}): SpdySession {
  const pairs = new Map<string, StreamPair>();
  const timeoutMs = opts.streamCreationTimeoutMs ?? STREAM_CREATION_TIMEOUT_MS;
  const session = new SpdySession(transport, {
    onStream(stream) {
      const invalid = checkStream(stream);
      if (invalid) return stream.reset(RstStatus.CANCEL);
      stream.reply();
      const id = requestID(stream);
      let pair = pairs.get(id);
      if (!pair) {
        pair = new StreamPair(id);
        pairs.set(id, pair);
        const p = pair;
        const timer = setTimeout(() => {
          if (pairs.get(id) === p) pairs.delete(id);
          if (!p.complete) p.fail(`(request=${id}) timed out waiting for streams`);
        }, timeoutMs);
        timer.unref();
        p.onComplete = () => {
          clearTimeout(timer);
          pairs.delete(id);
          void forward(pf, p.data!, p.error!);
        };
      }
      pair.add(stream);
    },
  });
  session.once('close', () => {
    for (const p of pairs.values()) p.destroy();
    pairs.clear();
  });
  return session;
}

/** httpStreamReceived: the stream must say which port and which kind it is. */
export function checkStream(stream: SpdyStream): string | undefined {
  const port = headerValue(stream.headers, 'port');
  if (!port) return '"port" header is required';
  if (!/^\d+$/.test(port) || Number(port) > 0xffff) return `unable to parse ${JSON.stringify(port)} as a port`;
  if (Number(port) < 1) return `port ${JSON.stringify(port)} must be > 0`;
  const type = headerValue(stream.headers, 'streamType');
  if (!type) return '"streamType" header is required';
  if (type !== 'error' && type !== 'data') return `invalid stream type ${JSON.stringify(type)}`;
  return undefined;
}

/** Clients before requestID existed used consecutive stream ids: error n, data n+2. */
function requestID(stream: SpdyStream): string {
  const id = headerValue(stream.headers, 'requestID');
  if (id) return id;
  return String(headerValue(stream.headers, 'streamType') === 'error' ? stream.id : stream.id - 2);
}

class StreamPair {
  data?: SpdyStream;
  error?: SpdyStream;
  complete = false;
  onComplete: () => void = () => {};

  constructor(readonly id: string) {}

  add(stream: SpdyStream): void {
    const type = headerValue(stream.headers, 'streamType') as 'data' | 'error';
    if (type === 'error') stream.resume();
    if (this[type]) {
      this.fail(`error processing stream for request ${this.id}: ${type} stream already assigned`);
      stream.reset(RstStatus.CANCEL);
      return;
    }
    this[type] = stream;
    if (this.data && this.error && !this.complete) {
      this.complete = true;
      this.onComplete();
    }
  }

  fail(message: string): void {
    if (this.error && !this.error.writableEnded) this.error.end(message);
    if (!this.complete) this.data?.end();
  }

  destroy(): void {
    this.data?.destroy();
    this.error?.destroy();
  }
}

/** portForward: dial the pod, pipe both ways with half-closes, report a failure on the error stream. */
async function forward(pf: PortForwarder, data: SpdyStream, error: SpdyStream): Promise<void> {
  const port = Number(headerValue(data.headers, 'port'));
  const report = (e: unknown) => {
    if (!error.destroyed && !error.writableEnded) error.write(`error forwarding port ${port} to pod ${pf.pod}, uid ${pf.uid}: ${(e as Error)?.message ?? String(e)}`);
  };
  const done = () => {
    if (!error.destroyed && !error.writableEnded) error.end();
    if (!data.destroyed && !data.writableEnded) data.end();
  };
  let conn: Duplex;
  try {
    conn = await pf.dial(port);
  } catch (e) {
    report(e);
    return done();
  }
  if (data.destroyed) return void conn.destroy();
  let failed = false;
  conn.on('error', (e) => {
    if (!failed) report(e);
    failed = true;
    data.destroy();
    done();
  });
  data.on('error', () => conn.destroy());
  data.on('close', () => {
    if (!data.readableEnded) conn.destroy();
  });
  data.pipe(conn);
  conn.pipe(data);
  conn.once('close', done);
}
