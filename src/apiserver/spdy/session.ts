// The server side of a SPDY/3.1 session over any byte stream (a hijacked HTTP connection, or the WebSocket
// tunnel): accepts client streams (odd ids), answers PINGs, honours GOAWAY, and keeps frames in order both
// ways, since header blocks share one zlib context per direction.
//
// Flow control: moby/spdystream, kubectl's and the kubelet's implementation, never sends WINDOW_UPDATE and
// ignores the ones it gets. So the send window (64 KiB per stream) is enforced only once the peer shows it does
// flow control (a WINDOW_UPDATE or an INITIAL_WINDOW_SIZE setting); otherwise writes would stall at 64 KiB.
// Incoming data is acknowledged with WINDOW_UPDATE, and pushed back by pausing the transport instead.

import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import {
  encodeGoAway,
  encodePing,
  encodeSynReply,
  encodeWindowUpdate,
  FLAG_FIN,
  FLAG_UNIDIRECTIONAL,
  FrameParser,
  GoAwayStatus,
  ProtocolError,
  RstStatus,
  SETTINGS_INITIAL_WINDOW_SIZE,
  encodeRstStream,
  type Frame,
} from './frames.js';
import { HeaderCompressor, HeaderDecompressor } from './headers.js';
import { SpdyStream, type StreamHost } from './stream.js';

export const DEFAULT_WINDOW = 64 * 1024;
/** kubectl's DATA frames are its 32 KiB copy buffer; header blocks are small. */
export const DEFAULT_MAX_FRAME_BYTES = 1024 * 1024;
const MAX_WINDOW = 0x7fffffff;
/** Reading pauses while this many frames wait to be handled (header blocks decompress asynchronously). */
const MAX_PENDING_FRAMES = 256;
/** Streams a client may hold open at once; more are refused (kubectl opens two per forwarded connection). */
export const MAX_CONCURRENT_STREAMS = 1000;

export interface SessionOptions {
  maxFrameBytes?: number;
  /** A new client stream; call `stream.reply()` to accept it or `stream.reset()` to refuse it. */
  onStream(stream: SpdyStream): void;
}

/** Emits 'close' (with the protocol error, if one ended it) once the transport is gone. */
export class SpdySession extends EventEmitter implements StreamHost {
  private streams = new Map<number, SpdyStream>();
  private parser: FrameParser;
  private inflate = new HeaderDecompressor();
  private deflate = new HeaderCompressor();
  private inbound: Promise<void> = Promise.resolve();
  private outbound: Promise<void> = Promise.resolve();
  private lastStreamId = 0;
  private goneAway = false;
  private ended = false;
  private peerFlowControl = false;
  private initialWindow = DEFAULT_WINDOW;
  private windowWaiters = new Map<SpdyStream, () => void>();
  private unacked = new Map<SpdyStream, number>();
  private pausedBy = new Set<SpdyStream>();
  private pending = 0;

  constructor(
    private transport: Duplex,
    private opts: SessionOptions,
  ) {
    super();
    this.parser = new FrameParser(opts.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES);
    transport.on('data', (chunk: Buffer) => this.received(chunk));
    // Frames already read are handled before the session ends.
    transport.on('end', () => void this.inbound.then(() => this.end()));
    transport.on('close', () => this.end());
    transport.on('error', (e: Error) => this.end(e));
  }

  get streamCount(): number {
    return this.streams.size;
  }

  private received(chunk: Buffer): void {
    if (this.ended) return;
    let frames: Frame[];
    try {
      frames = this.parser.push(chunk);
    } catch (e) {
      return this.fail(e as Error);
    }
    for (const frame of frames) {
      this.pending++;
      this.inbound = this.inbound
        .then(() => (this.ended ? undefined : this.handle(frame)))
        .catch((e: Error) => this.fail(e))
        .finally(() => {
          this.pending--;
          if (this.pending === 0) this.updateReading();
        });
    }
    if (this.pending > MAX_PENDING_FRAMES) this.updateReading();
  }

  private updateReading(): void {
    if (this.ended) return;
    if (this.pausedBy.size || this.pending > MAX_PENDING_FRAMES) this.transport.pause();
    else this.transport.resume();
  }

  private async handle(f: Frame): Promise<void> {
    switch (f.type) {
      case 'syn_stream':
        return this.synStream(f);
      case 'data': {
        const s = this.streams.get(f.streamId);
        // Data for a stream already reset or finished is dropped, as spdystream does.
        if (s?.replied) s.receive(f.data, (f.flags & FLAG_FIN) !== 0);
        return;
      }
      case 'headers': {
        // Decoded even when unused: the zlib context must see every block.
        await this.inflate.decompress(f.headerBlock);
        if (f.flags & FLAG_FIN) this.streams.get(f.streamId)?.remoteEnd();
        return;
      }
      case 'syn_reply':
        await this.inflate.decompress(f.headerBlock);
        return;
      case 'rst_stream':
        this.streams.get(f.streamId)?.abort();
        return;
      case 'settings':
        for (const e of f.entries) if (e.id === SETTINGS_INITIAL_WINDOW_SIZE) this.setInitialWindow(e.value);
        return;
      case 'ping':
        // Odd ids are the client's: echo them. Even ones would answer pings this server never sends.
        if (f.id % 2 === 1) this.send(encodePing(f.id));
        return;
      case 'goaway':
        this.goneAway = true;
        if (this.streams.size === 0) this.transport.end();
        return;
      case 'window_update':
        return this.windowUpdate(f.streamId, f.delta);
      case 'unknown':
        return;
    }
  }

  private async synStream(f: Extract<Frame, { type: 'syn_stream' }>): Promise<void> {
    const headers = await this.inflate.decompress(f.headerBlock);
    if (this.goneAway) return this.send(encodeRstStream(f.streamId, RstStatus.REFUSED_STREAM));
    if (f.streamId % 2 === 0 || f.streamId <= this.lastStreamId) return this.send(encodeRstStream(f.streamId, RstStatus.PROTOCOL_ERROR));
    this.lastStreamId = f.streamId;
    if (this.streams.size >= MAX_CONCURRENT_STREAMS) return this.send(encodeRstStream(f.streamId, RstStatus.REFUSED_STREAM));
    const s = new SpdyStream(f.streamId, headers, this, this.initialWindow);
    this.streams.set(f.streamId, s);
    if (f.flags & FLAG_UNIDIRECTIONAL) s.end();
    if (f.flags & FLAG_FIN) s.remoteEnd();
    this.opts.onStream(s);
  }

  private setInitialWindow(value: number): void {
    this.peerFlowControl = true;
    const delta = Math.min(value, MAX_WINDOW) - this.initialWindow;
    this.initialWindow = Math.min(value, MAX_WINDOW);
    for (const s of this.streams.values()) s.sendWindow += delta;
    this.wakeWriters();
  }

  private windowUpdate(streamId: number, delta: number): void {
    this.peerFlowControl = true;
    // Stream 0 is SPDY/3.1's session window; the per-stream windows are the ones enforced here.
    if (streamId === 0) return;
    const s = this.streams.get(streamId);
    if (!s) return;
    if (s.sendWindow + delta > MAX_WINDOW) return s.reset(RstStatus.FLOW_CONTROL_ERROR);
    s.sendWindow += delta;
    this.wakeWriters();
  }

  private wakeWriters(): void {
    const waiters = [...this.windowWaiters.values()];
    this.windowWaiters.clear();
    for (const w of waiters) w();
  }

  async reserve(s: SpdyStream, bytes: number): Promise<number> {
    if (!this.peerFlowControl) return bytes;
    while (s.sendWindow <= 0 && !s.destroyed && !this.ended) {
      await new Promise<void>((resolve) => this.windowWaiters.set(s, resolve));
    }
    const granted = Math.max(1, Math.min(bytes, s.sendWindow));
    s.sendWindow -= granted;
    return granted;
  }

  consumed(s: SpdyStream, bytes: number): void {
    const n = (this.unacked.get(s) ?? 0) + bytes;
    if (n < DEFAULT_WINDOW / 2) return void this.unacked.set(s, n);
    this.unacked.set(s, 0);
    this.send(encodeWindowUpdate(s.id, n));
  }

  readPaused(s: SpdyStream, paused: boolean): void {
    if (paused) this.pausedBy.add(s);
    else this.pausedBy.delete(s);
    this.updateReading();
  }

  reply(s: SpdyStream): void {
    this.send(this.deflate.compress({}).then((block) => encodeSynReply(s.id, block)));
  }

  closed(s: SpdyStream): void {
    if (this.streams.get(s.id) !== s) return;
    this.streams.delete(s.id);
    this.unacked.delete(s);
    this.windowWaiters.get(s)?.();
    this.windowWaiters.delete(s);
    this.readPaused(s, false);
    if (this.goneAway && this.streams.size === 0 && !this.ended) this.transport.end();
  }

  send(frame: Buffer | Promise<Buffer>, sent?: (err?: Error | null) => void): void {
    this.outbound = this.outbound.then(async () => {
      const bytes = await frame;
      if (this.ended || this.transport.writableEnded || this.transport.destroyed) return sent?.(new Error('session closed'));
      this.transport.write(bytes, (err) => sent?.(err));
    }).catch((e: Error) => {
      sent?.(e);
      this.fail(e);
    });
  }

  /** Says GOAWAY(OK); streams already open carry on, the connection ends when they are done. */
  goAway(): void {
    if (this.goneAway || this.ended) return;
    this.goneAway = true;
    this.send(encodeGoAway(this.lastStreamId, GoAwayStatus.OK));
    if (this.streams.size === 0) this.outbound.then(() => this.transport.end());
  }

  /** A protocol error ends the whole session: GOAWAY(PROTOCOL_ERROR), then the connection closes. */
  private fail(e: Error): void {
    if (this.ended) return;
    const status = e instanceof ProtocolError ? GoAwayStatus.PROTOCOL_ERROR : GoAwayStatus.INTERNAL_ERROR;
    if (!this.transport.writableEnded && !this.transport.destroyed) this.transport.write(encodeGoAway(this.lastStreamId, status));
    this.transport.end();
    this.end(e);
    // Give the GOAWAY a moment to leave, but never let a hostile peer keep the connection.
    setTimeout(() => this.transport.destroy(), 1000).unref();
  }

  private end(err?: Error): void {
    if (this.ended) return;
    this.ended = true;
    for (const s of [...this.streams.values()]) s.abort();
    this.streams.clear();
    this.wakeWriters();
    this.inflate.close();
    this.deflate.close();
    this.emit('close', err);
  }
}
