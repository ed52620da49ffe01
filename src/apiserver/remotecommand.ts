// `kubectl exec`, `kubectl attach` and `kubectl run -i` streams over WebSocket with subprotocol v5.channel.k8s.io
// (client-go tools/remotecommand websocket.go; the kubelet's cri/streaming/remotecommand on the server side).
// Every message is binary: byte 0 names the channel, the rest is payload. The server sends stdout and stderr,
// then one Status on the error channel, then Close(1000); any other ending is an error to kubectl.
// A POST with `Upgrade: SPDY/3.1` (kubectl's fallback) is served by remotecommandspdy.ts.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex, Readable } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { badRequest, internalError, isStatusError, StatusError } from '../machinery/errors.js';
import type { ExecSession } from '../runtime/runtime.js';
import { boolParam } from './queryparams.js';
import { serveRemoteCommandSpdy } from './remotecommandspdy.js';

export const V5_PROTOCOL = 'v5.channel.k8s.io';

export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;
export const ERROR = 3;
export const RESIZE = 4;
/** `[255, channel]` from the client closes that stream (only stdin means anything to the server). */
export const CLOSE = 255;

/** Frames larger than this end the connection with 1009; kubectl sends stdin in 32 KiB pieces. */
const MAX_FRAME_BYTES = 4 * 1024 * 1024;

export interface StreamOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/** One exec or attach the pod's node agreed to: what to open once the connection is upgraded. */
export interface RemoteCommand {
  kind: 'exec' | 'attach';
  /** The argv of an exec, for the non-zero exit message; empty for attach. */
  command: string[];
  options: StreamOptions;
  open(): Promise<ExecSession>;
}

/** The stream flags of PodExecOptions / PodAttachOptions; with a tty there is no stderr (remotecommand.NewOptions). */
export function streamOptions(q: URLSearchParams): StreamOptions {
  const tty = boolParam(q, 'tty');
  const o = { stdin: boolParam(q, 'stdin'), stdout: boolParam(q, 'stdout'), stderr: boolParam(q, 'stderr') && !tty, tty };
  if (!o.stdin && !o.stdout && !o.stderr) throw badRequest('you must specify at least 1 of stdin, stdout, stderr');
  return o;
}

const SUCCESS = { metadata: {}, status: 'Success' };

/** The error-channel document for an exec that ended with `code` (errorDecoderV4 reads it back). */
export function exitStatus(kind: RemoteCommand['kind'], command: string[], code: number): object {
  // The kubelet reports no exit code for attach: kubectl run reads it from the pod's container status.
  if (code === 0 || kind === 'attach') return SUCCESS;
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

/** A session that could not be opened or failed, as the kubelet writes it: json.Marshal of the Status, no TypeMeta. */
export function failureStatus(kind: RemoteCommand['kind'], e: unknown): object {
  const what = kind === 'exec' ? 'error executing command in container' : 'error attaching to container';
  const err = isStatusError(e) ? e : internalError(`${what}: ${(e as Error)?.message ?? String(e)}`);
  const { kind: _kind, apiVersion: _apiVersion, ...status } = err.toStatus();
  return status;
}

export function frame(channel: number, payload: Buffer | string = Buffer.alloc(0)): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload) : payload;
  return Buffer.concat([Buffer.from([channel]), data]);
}

/** The terminal sizes in a resize message: `{"Width":100,"Height":40}`, one JSON document per line. */
export function parseResize(payload: Buffer): Array<{ width: number; height: number }> {
  const sizes: Array<{ width: number; height: number }> = [];
  for (const line of payload.toString('utf8').split('\n')) {
    if (!line.trim()) continue;
    let doc: unknown;
    try {
      doc = JSON.parse(line);
    } catch {
      continue;
    }
    const size = terminalSize(doc);
    if (size) sizes.push(size);
  }
  return sizes;
}

/** A decoded TerminalSize document, or undefined when it is not one (negative, fractional, missing, > 65535). */
export function terminalSize(doc: unknown): { width: number; height: number } | undefined {
  if (typeof doc !== 'object' || doc === null) return undefined;
  // encoding/json matches field names case-insensitively.
  const field = (name: string) => Object.entries(doc).find(([k]) => k.toLowerCase() === name)?.[1];
  const width = field('width');
  const height = field('height');
  return isDimension(width) && isDimension(height) ? { width, height } : undefined;
}

function isDimension(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffff;
}

/** Why the request cannot become a v5 WebSocket, answered as a Status before any upgrade. */
export function upgradeError(req: IncomingMessage): StatusError | undefined {
  const upgrade = (req.headers.upgrade ?? '').toLowerCase();
  if (upgrade !== 'websocket' || !/\bupgrade\b/i.test(req.headers.connection ?? '')) return badRequest('unable to upgrade: missing upgrade headers in request');
  if (req.method !== 'GET') return badRequest(`unable to upgrade: a WebSocket upgrade must be a GET, not ${req.method}`);
  const offered = offeredProtocols(req);
  if (!offered.includes(V5_PROTOCOL)) return badRequest(`requested protocol(s) are not supported: [${offered.join(' ')}]; supports [${V5_PROTOCOL}]`);
  const key = req.headers['sec-websocket-key'];
  if (typeof key !== 'string' || !/^[+/0-9A-Za-z]{22}==$/.test(key)) return badRequest('unable to upgrade: missing or invalid Sec-WebSocket-Key');
  if (req.headers['sec-websocket-version'] !== '13') return badRequest('unable to upgrade: unsupported Sec-WebSocket-Version, want 13');
  return undefined;
}

function offeredProtocols(req: IncomingMessage): string[] {
  return (req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
}

const upgrades = new WeakMap<IncomingMessage, { socket: Duplex; head: Buffer }>();

/** The server's 'upgrade' listener hands over the raw connection of an upgrade request. */
export function rememberUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
  upgrades.set(req, { socket, head });
}

const wss = new WebSocketServer({ noServer: true, clientTracking: false, perMessageDeflate: false, maxPayload: MAX_FRAME_BYTES, handleProtocols: () => V5_PROTOCOL });

/** Takes the raw connection of an upgrade request away from `res`, with the bytes Node read past the head. */
export function hijack(req: IncomingMessage, res: ServerResponse): { socket: Duplex; head: Buffer } {
  const up = upgrades.get(req);
  if (!up) throw badRequest('unable to upgrade: missing upgrade headers in request');
  upgrades.delete(req);
  res.detachSocket(up.socket as Socket);
  return up;
}

/** Answers 101 and takes the connection away from `res`; `upgradeError` must have passed. */
function acceptWebSocket(req: IncomingMessage, res: ServerResponse): Promise<WebSocket | undefined> {
  const up = hijack(req, res);
  return new Promise((resolve) => {
    if (up.socket.destroyed) return resolve(undefined);
    up.socket.once('close', () => resolve(undefined));
    wss.handleUpgrade(req, up.socket, up.head, (ws) => resolve(ws));
  });
}

/**
 * Serves one exec or attach: checks the upgrade (a StatusError before it is answered over HTTP), upgrades,
 * opens the session and streams it. Failures to open the session go on the error channel, as the kubelet's.
 */
export async function serveRemoteCommand(req: IncomingMessage, res: ServerResponse, rc: RemoteCommand): Promise<void> {
  if ((req.headers.upgrade ?? '').toLowerCase().startsWith('spdy/')) return serveRemoteCommandSpdy(req, res, rc);
  const refused = upgradeError(req);
  if (refused) throw refused;
  const ws = await acceptWebSocket(req, res);
  if (!ws) return;
  // Nothing the client sends before the session exists may be lost.
  ws.pause();
  ws.on('error', () => {});
  let session: ExecSession;
  try {
    session = await rc.open();
  } catch (e) {
    ws.resume();
    return finish(ws, failureStatus(rc.kind, e));
  }
  await streamSession(ws, session, rc);
}

function finish(ws: WebSocket, status: object): void {
  if (ws.readyState !== WebSocket.OPEN) return;
  ws.send(frame(ERROR, JSON.stringify(status)));
  ws.close(1000);
}

/** Streams an open session over an upgraded v5 connection; resolves once it ended either way. */
export async function streamSession(ws: WebSocket, session: ExecSession, rc: Omit<RemoteCommand, 'open'>): Promise<void> {
  const { options } = rc;
  const stdin = options.stdin ? session.stdin : undefined;
  stdin?.on('error', () => {});
  let ended = false;
  let left!: () => void;
  const clientLeft = new Promise<undefined>((resolve) => (left = () => resolve(undefined)));
  session.exit.catch(() => {});
  const abandon = () => {
    if (ended) return;
    ended = true;
    left();
    stdin?.destroy();
    if (rc.kind === 'exec') session.kill?.();
    session.stdout.destroy();
    session.stderr.destroy();
  };
  ws.on('error', () => {});
  ws.on('close', abandon);
  if (ws.readyState !== WebSocket.OPEN) abandon();

  let waitingForStdin = false;
  const resumeReading = () => {
    if (!waitingForStdin) return;
    waitingForStdin = false;
    ws.resume();
  };
  stdin?.on('drain', resumeReading);
  stdin?.on('close', resumeReading);
  ws.on('message', (data: Buffer) => {
    if (data.length === 0) return;
    const payload = data.subarray(1);
    switch (data[0]) {
      case STDIN:
        if (!stdin || stdin.writableEnded || stdin.destroyed || payload.length === 0) return;
        if (!stdin.write(payload)) {
          waitingForStdin = true;
          ws.pause();
        }
        return;
      case RESIZE:
        if (options.tty) for (const s of parseResize(payload)) session.resize?.(s.width, s.height);
        return;
      case CLOSE:
        if (payload[0] === STDIN && stdin && !stdin.writableEnded) stdin.end();
        return;
    }
  });
  ws.resume();

  const outputs = [pipeOut(ws, session.stdout, options.stdout ? STDOUT : undefined), pipeOut(ws, session.stderr, options.stderr ? STDERR : undefined)];
  let status: object | undefined;
  try {
    const done = Promise.all([session.exit, ...outputs]).then(([code]) => exitStatus(rc.kind, rc.command, code));
    status = await Promise.race([done, clientLeft]);
  } catch (e) {
    status = failureStatus(rc.kind, e);
  }
  if (ended || !status) return;
  ended = true;
  finish(ws, status);
}

/** Copies a stream onto a channel, one message per chunk, reading on only once the socket took the last one. */
function pipeOut(ws: WebSocket, stream: Readable, channel: number | undefined): Promise<void> {
  return new Promise((resolve) => {
    stream.on('data', (chunk: Buffer | string) => {
      if (channel === undefined || ws.readyState !== WebSocket.OPEN) return;
      stream.pause();
      ws.send(frame(channel, chunk), () => stream.resume());
    });
    stream.once('end', resolve);
    stream.once('close', resolve);
    stream.on('error', () => resolve());
  });
}
