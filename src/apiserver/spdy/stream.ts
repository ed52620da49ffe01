// One SPDY stream as a Node Duplex: DATA frames in become readable bytes and a FIN becomes 'end'; writes go
// out as DATA frames and end() sends an empty DATA frame with FIN.

import { Duplex } from 'node:stream';
import { encodeData, encodeRstStream, RstStatus } from './frames.js';
import type { HeaderMap } from './headers.js';

/** What a stream needs from its session. */
export interface StreamHost {
  /** Queues bytes on the connection in order; `sent` runs once the transport took them. */
  send(frame: Buffer | Promise<Buffer>, sent?: (err?: Error | null) => void): void;
  reply(stream: SpdyStream): void;
  /** Waits for room in the peer's window for the stream (when the peer does flow control); how many of `bytes` to send. */
  reserve(stream: SpdyStream, bytes: number): Promise<number>;
  consumed(stream: SpdyStream, bytes: number): void;
  readPaused(stream: SpdyStream, paused: boolean): void;
  closed(stream: SpdyStream): void;
}

/** spdystream writes each Write as one DATA frame; this keeps ours well below any reader's frame limit. */
const MAX_DATA_FRAME = 32 * 1024;

export class SpdyStream extends Duplex {
  /** Bytes the peer still accepts on this stream (SPDY/3.1 default 64 KiB, moved by WINDOW_UPDATE and SETTINGS). */
  sendWindow: number;
  replied = false;
  remoteEnded = false;
  private localEnded = false;
  private gone = false;

  constructor(
    readonly id: number,
    readonly headers: HeaderMap,
    private host: StreamHost,
    initialWindow: number,
  ) {
    super({ allowHalfOpen: true });
    this.sendWindow = initialWindow;
    // A write racing the session's end fails; that must never be an unhandled 'error' taking the server down.
    this.on('error', () => {});
  }

  /** Accepts the stream: SYN_REPLY with no headers, as apimachinery's spdy connection answers. */
  reply(): void {
    if (this.replied || this.gone) return;
    this.replied = true;
    this.host.reply(this);
  }

  /** Refuses or abandons the stream with RST_STREAM. */
  reset(status: number = RstStatus.CANCEL): void {
    if (this.gone) return;
    this.host.send(encodeRstStream(this.id, status));
    this.gone = true;
    this.destroy();
  }

  /** The session got DATA for this stream. */
  receive(data: Buffer, fin: boolean): void {
    if (this.remoteEnded || this.destroyed) return;
    if (data.length) {
      this.host.consumed(this, data.length);
      if (!this.push(data)) this.host.readPaused(this, true);
    }
    if (fin) this.remoteEnd();
  }

  remoteEnd(): void {
    if (this.remoteEnded) return;
    this.remoteEnded = true;
    this.push(null);
    this.maybeClosed();
  }

  /** RST_STREAM from the peer, or the session ended: nothing more is sent. */
  abort(): void {
    this.gone = true;
    this.destroy();
  }

  override _read(): void {
    this.host.readPaused(this, false);
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    void this.writeFrames(chunk).then(() => cb(), cb);
  }

  private async writeFrames(chunk: Buffer): Promise<void> {
    let at = 0;
    while (at < chunk.length) {
      const granted = await this.host.reserve(this, Math.min(MAX_DATA_FRAME, chunk.length - at));
      if (this.gone) throw new Error('stream reset');
      const piece = chunk.subarray(at, at + granted);
      at += granted;
      await new Promise<void>((resolve, reject) => this.host.send(encodeData(this.id, piece), (err) => (err ? reject(err) : resolve())));
    }
  }

  override _final(cb: (err?: Error | null) => void): void {
    if (!this.gone) this.host.send(encodeData(this.id, Buffer.alloc(0), true));
    this.localEnded = true;
    this.maybeClosed();
    cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    if (!this.gone && !(this.localEnded && this.remoteEnded)) this.host.send(encodeRstStream(this.id, RstStatus.CANCEL));
    this.gone = true;
    this.host.closed(this);
    cb(err);
  }

  private maybeClosed(): void {
    if (this.localEnded && this.remoteEnded) this.host.closed(this);
  }
}
