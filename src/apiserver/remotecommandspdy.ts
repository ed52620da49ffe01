// `kubectl exec`, `attach` and `run -i` over SPDY/3.1: kubectl's fallback when the WebSocket upgrade fails (or
// with KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false). The POST's connection becomes a SPDY session in which the client
// opens one stream per channel, named by its `streamType` header (client-go tools/remotecommand v4.go; the
// kubelet's cri/streaming/remotecommand/httpstream.go). v5 over SPDY behaves as v4: the server waits for every
// stream the query asked for, ends stdout and stderr, writes one Status on the error stream; the client
// half-closes stdin at its EOF.
//
// remotecommand.ts imports this module and this one imports it back: nothing here may use its bindings while
// the modules are being evaluated.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex, Readable } from 'node:stream';
import { badRequest, StatusError } from '../machinery/errors.js';
import type { ExecSession } from '../runtime/runtime.js';
import { STREAM_CREATION_TIMEOUT_MS } from './portforward.js';
import { exitStatus, failureStatus, hijack, terminalSize, type RemoteCommand, type StreamOptions } from './remotecommand.js';
import { RstStatus } from './spdy/frames.js';
import { headerValue } from './spdy/headers.js';
import { SpdySession } from './spdy/session.js';
import type { SpdyStream } from './spdy/stream.js';

/** The protocols served over SPDY, most preferred first (the kubelet also speaks v3, v2 and channel.k8s.io). */
export const SPDY_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
/** A client that keeps the connection after the Status gets this long to hang up. */
const LINGER_MS = 10_000;
/** A resize document longer than this ends the reading of the resize stream. */
const MAX_RESIZE_DOCUMENT = 4096;

export type StreamType = 'error' | 'stdin' | 'stdout' | 'stderr' | 'resize';

export interface SpdyRemoteCommandOptions {
  streamCreationTimeoutMs?: number;
}

function offeredVersions(req: IncomingMessage): string[] {
  return (req.headersDistinct['x-stream-protocol-version'] ?? []).flatMap((v) => v.split(',').map((p) => p.trim())).filter(Boolean);
}

/** httpstream.Handshake: the first protocol in the client's order that the server accepts. */
export function negotiateProtocol(offered: string[]): string | undefined {
  return offered.find((p) => SPDY_PROTOCOLS.includes(p));
}

/** Why the request cannot become a remote command SPDY session, answered as a Status before any upgrade. */
export function spdyUpgradeError(req: IncomingMessage): StatusError | undefined {
  const connection = req.headers.connection ?? '';
  const upgrade = req.headers.upgrade ?? '';
  if (!/\bupgrade\b/i.test(connection) || upgrade.toLowerCase() !== 'spdy/3.1') {
    return badRequest(`unable to upgrade: missing upgrade headers in request: Connection=${JSON.stringify(connection)}, Upgrade=${JSON.stringify(upgrade)}`);
  }
  const offered = offeredVersions(req);
  if (!offered.length) return badRequest('unable to upgrade: X-Stream-Protocol-Version is required');
  if (!negotiateProtocol(offered)) {
    return new StatusError(403, 'Forbidden', `unable to upgrade: unable to negotiate protocol: client supports [${offered.join(' ')}], server accepts [${SPDY_PROTOCOLS.join(' ')}]`);
  }
  return undefined;
}

/** Serves one exec or attach over SPDY: checks the upgrade (a StatusError before it is answered), then the session. */
export async function serveRemoteCommandSpdy(req: IncomingMessage, res: ServerResponse, rc: RemoteCommand, opts: SpdyRemoteCommandOptions = {}): Promise<void> {
  const refused = spdyUpgradeError(req);
  if (refused) throw refused;
  const protocol = negotiateProtocol(offeredVersions(req))!;
  const { socket, head } = hijack(req, res);
  if (socket.destroyed) return;
  socket.on('error', () => {});
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${protocol}\r\n\r\n`);
  if (head.length) socket.unshift(head);
  await runRemoteCommand(socket, rc, opts);
}

/** The streams a client must open for these options: error always, resize only with a tty. */
export function expectedStreams(o: StreamOptions): StreamType[] {
  const types: StreamType[] = ['error'];
  if (o.stdin) types.push('stdin');
  if (o.stdout) types.push('stdout');
  if (o.stderr) types.push('stderr');
  if (o.tty) types.push('resize');
  return types;
}

/**
 * The remote command protocol on a SPDY session over `transport` (already upgraded); resolves once the transport
 * is gone. A client that does not open its streams in time, or breaks the SPDY framing, loses only this session.
 */
export function runRemoteCommand(transport: Duplex, rc: RemoteCommand, opts: SpdyRemoteCommandOptions = {}): Promise<void> {
  const wanted = expectedStreams(rc.options);
  const streams: Partial<Record<StreamType, SpdyStream>> = {};
  let exec: ExecSession | undefined;
  let started = false;
  let finished = false;
  let closed = false;
  let left!: () => void;
  const clientLeft = new Promise<undefined>((resolve) => (left = () => resolve(undefined)));

  const session = new SpdySession(transport, {
    onStream(stream) {
      const type = headerValue(stream.headers, 'streamType') as StreamType;
      if (started || !wanted.includes(type) || streams[type]) return stream.reset(RstStatus.CANCEL);
      stream.reply();
      streams[type] = stream;
      // Only stdin and resize carry anything from the client; the rest is read and dropped.
      if (type !== 'stdin' && type !== 'resize') stream.resume();
      if (Object.keys(streams).length < wanted.length) return;
      started = true;
      clearTimeout(timer);
      void start();
    },
  });
  const timer = setTimeout(() => transport.destroy(), opts.streamCreationTimeoutMs ?? STREAM_CREATION_TIMEOUT_MS);
  timer.unref();

  const abandon = (s: ExecSession) => {
    s.stdin?.destroy();
    if (rc.kind === 'exec') s.kill?.();
    s.stdout.destroy();
    s.stderr.destroy();
  };

  const finish = (status: object) => {
    if (finished || closed) return;
    finished = true;
    const { error, stdin, stdout, stderr, resize } = streams;
    void Promise.all([endStream(error, JSON.stringify(status)), endStream(stdout), endStream(stderr), endStream(stdin), endStream(resize)]).then(() => {
      session.goAway();
      setTimeout(() => transport.destroy(), LINGER_MS).unref();
    });
  };

  const start = async () => {
    let s: ExecSession;
    try {
      s = await rc.open();
    } catch (e) {
      return finish(failureStatus(rc.kind, e));
    }
    if (closed) return abandon(s);
    exec = s;
    s.exit.catch(() => {});
    pipeStdin(streams.stdin, s.stdin);
    if (streams.resize) readResizes(streams.resize, (w, h) => s.resize?.(w, h));
    const outputs = [copyOut(s.stdout, streams.stdout), copyOut(s.stderr, streams.stderr)];
    let status: object | undefined;
    try {
      const done = Promise.all([s.exit, ...outputs]).then(([code]) => exitStatus(rc.kind, rc.command, code));
      status = await Promise.race([done, clientLeft]);
    } catch (e) {
      status = failureStatus(rc.kind, e);
    }
    if (status) finish(status);
  };

  return new Promise((resolve) => {
    session.once('close', () => {
      closed = true;
      clearTimeout(timer);
      left();
      if (exec && !finished) abandon(exec);
      transport.destroy();
      resolve();
    });
  });
}

/** Ends our half of a stream, with `last` as its final bytes; resolves once sent (or the stream is gone). */
function endStream(s: SpdyStream | undefined, last?: string): Promise<void> {
  return new Promise((resolve) => {
    if (!s || s.destroyed || s.writableEnded) return resolve();
    s.once('close', () => resolve());
    s.end(last, () => resolve());
  });
}

/** The client's stdin into the process; its FIN closes the process's stdin. */
function pipeStdin(from: SpdyStream | undefined, to: ExecSession['stdin']): void {
  if (!from) return;
  if (!to) return void from.resume();
  to.on('error', () => {});
  from.pipe(to);
  // A process that stopped reading must not hold the whole connection's reading paused.
  to.once('close', () => from.resume());
}

/** Copies a process output onto its stream (or drops it); resolves once the output ended. */
function copyOut(from: Readable, to: SpdyStream | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (to) {
      from.pipe(to, { end: false });
      to.once('close', () => {
        from.unpipe(to);
        from.resume();
      });
    } else {
      from.resume();
    }
    from.once('end', () => resolve());
    from.once('close', () => resolve());
    from.on('error', () => resolve());
  });
}

/** handleResizeEvents: TerminalSize documents read one after another; unreadable input ends the reading. */
function readResizes(stream: SpdyStream, resize: (width: number, height: number) => void): void {
  const documents = new JsonObjectSplitter(MAX_RESIZE_DOCUMENT);
  stream.setEncoding('utf8');
  stream.on('data', (text: string) => {
    for (const doc of documents.push(text)) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(doc);
      } catch {
        documents.failed = true;
        return;
      }
      const size = terminalSize(parsed);
      if (size) resize(size.width, size.height);
    }
  });
}

/**
 * Cuts JSON objects out of text that arrives in pieces, as Go's json.Decoder reads a stream: concatenated or
 * separated by whitespace. Anything else between objects, or an object longer than `max`, stops it for good.
 */
export class JsonObjectSplitter {
  failed = false;
  private text = '';
  private at = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;

  constructor(private max: number) {}

  push(chunk: string): string[] {
    if (this.failed) return [];
    this.text += chunk;
    const out: string[] = [];
    let start = 0;
    for (; this.at < this.text.length; this.at++) {
      const c = this.text[this.at];
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === '\\') this.escaped = true;
        else if (c === '"') this.inString = false;
        continue;
      }
      if (this.depth === 0) {
        if (c === ' ' || c === '\t' || c === '\n' || c === '\r') continue;
        if (c !== '{') {
          this.failed = true;
          return out;
        }
        start = this.at;
      }
      if (c === '"') this.inString = true;
      else if (c === '{' || c === '[') this.depth++;
      else if ((c === '}' || c === ']') && --this.depth === 0) out.push(this.text.slice(start, this.at + 1));
    }
    // Keep only the object still open.
    this.text = this.depth === 0 ? '' : this.text.slice(start);
    this.at = this.text.length;
    if (this.text.length > this.max) this.failed = true;
    return out;
  }
}
