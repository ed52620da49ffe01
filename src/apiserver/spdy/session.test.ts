import assert from 'node:assert/strict';
import { Duplex, PassThrough } from 'node:stream';
import { test } from 'node:test';
import { waitFor } from '../../testing/fixture.js';
import {
  encodeData,
  encodeGoAway,
  encodePing,
  encodeRstStream,
  encodeSettings,
  encodeSynStream,
  encodeWindowUpdate,
  FLAG_FIN,
  FrameParser,
  RstStatus,
  SETTINGS_INITIAL_WINDOW_SIZE,
  type Frame,
} from './frames.js';
import { HeaderCompressor, HeaderDecompressor } from './headers.js';
import { MAX_CONCURRENT_STREAMS, SpdySession } from './session.js';
import type { SpdyStream } from './stream.js';

/** A server session on one end of an in-memory pipe; the test plays the client on the other. */
function harness(onStream: (s: SpdyStream) => void) {
  const toServer = new PassThrough();
  const toClient = new PassThrough();
  const transport = Duplex.from({ readable: toServer, writable: toClient });
  const session = new SpdySession(transport, { onStream });
  const parser = new FrameParser(1 << 24);
  const frames: Frame[] = [];
  let clientEnded = false;
  toClient.on('data', (d: Buffer) => frames.push(...parser.push(d)));
  toClient.on('end', () => (clientEnded = true));
  const z = new HeaderCompressor();
  return {
    session,
    frames,
    ended: () => clientEnded,
    send: (b: Buffer) => toServer.write(b),
    open: async (id: number, headers: Record<string, string[]>, flags = 0) => toServer.write(encodeSynStream(id, await z.compress(headers), flags)),
    data: (id: number) =>
      Buffer.concat(frames.filter((f): f is Extract<Frame, { type: 'data' }> => f.type === 'data' && f.streamId === id).map((f) => f.data)),
  };
}

const echo = (s: SpdyStream) => {
  s.reply();
  s.pipe(s);
};

test('a client stream gets a SYN_REPLY with an empty header block, then its data echoed and a FIN', async () => {
  let seen: SpdyStream | undefined;
  const h = harness((s) => {
    seen = s;
    echo(s);
  });
  await h.open(1, { streamtype: ['data'], port: ['80'] });
  h.send(encodeData(1, Buffer.from('hello')));
  h.send(encodeData(1, Buffer.alloc(0), true));
  await waitFor(() => h.frames.some((f) => f.type === 'data' && f.flags === FLAG_FIN), 'the FIN');
  assert.deepEqual(seen!.headers, { streamtype: ['data'], port: ['80'] });
  const reply = h.frames[0] as Extract<Frame, { type: 'syn_reply' }>;
  assert.equal(reply.type, 'syn_reply');
  assert.equal(reply.streamId, 1);
  assert.deepEqual(await new HeaderDecompressor().decompress(reply.headerBlock), {});
  assert.equal(h.data(1).toString(), 'hello');
  await waitFor(() => h.session.streamCount === 0, 'the stream closed both ways');
});

test("client PINGs (odd ids) are echoed; even ids would answer the server's own and are not", async () => {
  const h = harness(echo);
  h.send(encodePing(1));
  h.send(encodePing(2));
  h.send(encodePing(3));
  await waitFor(() => h.frames.length === 2, 'two pongs');
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(h.frames, [
    { type: 'ping', id: 1 },
    { type: 'ping', id: 3 },
  ]);
});

test('stream ids must be odd and increasing; a refused stream is reset, the session lives on', async () => {
  const h = harness(echo);
  await h.open(2, { port: ['80'] });
  await h.open(5, { port: ['80'] });
  await h.open(3, { port: ['80'] });
  await waitFor(() => h.frames.length === 3, 'three answers');
  assert.deepEqual(
    h.frames.map((f) => [f.type, (f as { streamId: number }).streamId, (f as { status?: number }).status]),
    [
      ['rst_stream', 2, RstStatus.PROTOCOL_ERROR],
      ['syn_reply', 5, undefined],
      ['rst_stream', 3, RstStatus.PROTOCOL_ERROR],
    ],
  );
});

test('RST_STREAM from the client destroys the stream without a reset back', async () => {
  let stream: SpdyStream | undefined;
  const h = harness((s) => {
    stream = s;
    s.reply();
  });
  await h.open(1, { port: ['80'] });
  await waitFor(() => stream !== undefined, 'the stream');
  h.send(encodeRstStream(1, RstStatus.CANCEL));
  await waitFor(() => stream!.destroyed, 'destroyed');
  assert.equal(h.session.streamCount, 0);
  assert.deepEqual(
    h.frames.map((f) => f.type),
    ['syn_reply'],
  );
});

test('without WINDOW_UPDATEs from the peer (spdystream sends none) writes past 64 KiB do not stall', async () => {
  const h = harness((s) => {
    s.reply();
    s.end(Buffer.alloc(200 * 1024, 7));
  });
  await h.open(1, { port: ['80'] }, FLAG_FIN);
  await waitFor(() => h.data(1).length === 200 * 1024, 'all 200 KiB');
  // Frames stay at 32 KiB, like spdystream's writes of kubectl's copy buffer.
  assert.ok(h.frames.every((f) => f.type !== 'data' || f.data.length <= 32 * 1024));
});

test('a peer doing flow control is honoured: INITIAL_WINDOW_SIZE caps the data until WINDOW_UPDATE', async () => {
  const h = harness((s) => {
    s.reply();
    s.end(Buffer.alloc(3000, 1));
  });
  h.send(encodeSettings([{ id: SETTINGS_INITIAL_WINDOW_SIZE, value: 1000 }]));
  await h.open(1, { port: ['80'] }, FLAG_FIN);
  await waitFor(() => h.data(1).length === 1000, 'the first window');
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(h.data(1).length, 1000);
  h.send(encodeWindowUpdate(1, 2000));
  await waitFor(() => h.data(1).length === 3000, 'the rest');
});

test('received data is acknowledged with WINDOW_UPDATE every half window', async () => {
  const h = harness((s) => {
    s.reply();
    s.resume();
  });
  await h.open(1, { port: ['80'] });
  for (let i = 0; i < 3; i++) h.send(encodeData(1, Buffer.alloc(16 * 1024)));
  await waitFor(() => h.frames.some((f) => f.type === 'window_update'), 'a window update');
  assert.deepEqual(h.frames.find((f) => f.type === 'window_update'), { type: 'window_update', streamId: 1, delta: 32 * 1024 });
});

test('GOAWAY: new streams are refused and the connection ends once the open ones finish', async () => {
  let stream: SpdyStream | undefined;
  const h = harness((s) => {
    stream = s;
    s.reply();
    s.resume();
  });
  await h.open(1, { port: ['80'] });
  await waitFor(() => stream !== undefined, 'the stream');
  h.send(encodeGoAway(1, 0));
  await h.open(3, { port: ['80'] });
  await waitFor(() => h.frames.some((f) => f.type === 'rst_stream'), 'stream 3 refused');
  assert.deepEqual(h.frames.at(-1), { type: 'rst_stream', streamId: 3, status: RstStatus.REFUSED_STREAM });
  assert.equal(h.ended(), false);
  h.send(encodeData(1, Buffer.alloc(0), true));
  stream!.end();
  await waitFor(h.ended, 'the connection ended');
});

test('a protocol error ends the session with GOAWAY(PROTOCOL_ERROR) and aborts its streams', async () => {
  let stream: SpdyStream | undefined;
  const h = harness((s) => {
    stream = s;
    s.reply();
  });
  await h.open(1, { port: ['80'] });
  await waitFor(() => stream !== undefined, 'the stream');
  const closed = new Promise<Error | undefined>((r) => h.session.once('close', r));
  h.send(encodeSynStream(3, Buffer.from('garbage, not zlib')));
  const err = await closed;
  assert.match(err!.message, /invalid compressed header block/);
  assert.deepEqual(h.frames.at(-1), { type: 'goaway', lastGoodStreamId: 1, status: 1 });
  assert.ok(stream!.destroyed);
});

test('a client holding too many streams open gets the next one refused; a flood of frames is read at its pace', async () => {
  const h = harness((s) => s.reply());
  for (let id = 1; id <= 2 * MAX_CONCURRENT_STREAMS + 1; id += 2) await h.open(id, { port: ['80'] });
  await waitFor(() => h.frames.length === MAX_CONCURRENT_STREAMS + 1, 'every stream answered', 10_000);
  assert.equal(h.frames.filter((f) => f.type === 'syn_reply').length, MAX_CONCURRENT_STREAMS);
  assert.deepEqual(h.frames.at(-1), { type: 'rst_stream', streamId: 2 * MAX_CONCURRENT_STREAMS + 1, status: RstStatus.REFUSED_STREAM });
  assert.equal(h.session.streamCount, MAX_CONCURRENT_STREAMS);
});
