import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  encodeData,
  encodeGoAway,
  encodeHeaders,
  encodePing,
  encodeRstStream,
  encodeSettings,
  encodeSynReply,
  encodeSynStream,
  encodeWindowUpdate,
  FLAG_FIN,
  FrameParser,
  ProtocolError,
} from './frames.js';

const parse = (...bufs: Buffer[]) => new FrameParser(1 << 20).push(Buffer.concat(bufs));

test('control frames carry the version 3 header: 0x8003, type, flags, 24-bit length', () => {
  assert.deepEqual([...encodePing(1)], [0x80, 0x03, 0x00, 0x06, 0x00, 0x00, 0x00, 0x04, 0, 0, 0, 1]);
  assert.deepEqual([...encodeRstStream(5, 5)], [0x80, 0x03, 0x00, 0x03, 0x00, 0x00, 0x00, 0x08, 0, 0, 0, 5, 0, 0, 0, 5]);
  assert.deepEqual([...encodeData(3, Buffer.from('hi'), true)], [0, 0, 0, 3, FLAG_FIN, 0, 0, 2, 0x68, 0x69]);
  assert.deepEqual([...encodeSynReply(1, Buffer.from([0xaa]))], [0x80, 0x03, 0x00, 0x02, 0x00, 0x00, 0x00, 0x05, 0, 0, 0, 1, 0xaa]);
});

test('every frame type decodes back', () => {
  const frames = parse(
    encodeSynStream(1, Buffer.from('block'), FLAG_FIN, 3),
    encodeSynReply(1, Buffer.from('r')),
    encodeHeaders(1, Buffer.from('h'), true),
    encodeData(1, Buffer.from('payload')),
    encodeRstStream(1, 5),
    encodeSettings([{ id: 7, value: 1024, flags: 1 }]),
    encodePing(7),
    encodeGoAway(9, 0),
    encodeWindowUpdate(1, 4096),
  );
  assert.deepEqual(frames, [
    { type: 'syn_stream', streamId: 1, associatedTo: 0, priority: 3, flags: FLAG_FIN, headerBlock: Buffer.from('block') },
    { type: 'syn_reply', streamId: 1, flags: 0, headerBlock: Buffer.from('r') },
    { type: 'headers', streamId: 1, flags: FLAG_FIN, headerBlock: Buffer.from('h') },
    { type: 'data', streamId: 1, flags: 0, data: Buffer.from('payload') },
    { type: 'rst_stream', streamId: 1, status: 5 },
    { type: 'settings', flags: 0, entries: [{ flags: 1, id: 7, value: 1024 }] },
    { type: 'ping', id: 7 },
    { type: 'goaway', lastGoodStreamId: 9, status: 0 },
    { type: 'window_update', streamId: 1, delta: 4096 },
  ]);
});

test('frames split anywhere across chunks come out whole, in order', () => {
  const bytes = Buffer.concat([encodeData(1, Buffer.from('abc')), encodePing(3), encodeData(1, Buffer.alloc(0), true)]);
  const p = new FrameParser(1024);
  const out = [];
  for (const b of bytes) out.push(...p.push(Buffer.from([b])));
  assert.deepEqual(
    out.map((f) => f.type),
    ['data', 'ping', 'data'],
  );
});

test('unknown control types are skipped, as SPDY/3 requires', () => {
  const noop = Buffer.from([0x80, 0x03, 0x00, 0x05, 0, 0, 0, 0]);
  assert.deepEqual(parse(noop, encodePing(1)), [{ type: 'unknown', frameType: 5 }, { type: 'ping', id: 1 }]);
});

test('protocol errors: other versions, oversized frames (before the body arrives), bad lengths, stream 0', () => {
  const v2 = Buffer.from([0x80, 0x02, 0x00, 0x06, 0, 0, 0, 4, 0, 0, 0, 1]);
  assert.throws(() => parse(v2), (e) => e instanceof ProtocolError && /unsupported SPDY version 2/.test(e.message));
  const announcesHuge = Buffer.from([0, 0, 0, 1, 0, 0xff, 0xff, 0xff]);
  assert.throws(() => new FrameParser(1 << 20).push(announcesHuge), /exceeds the limit/);
  const shortPing = Buffer.from([0x80, 0x03, 0x00, 0x06, 0, 0, 0, 2, 0, 1]);
  assert.throws(() => parse(shortPing), /invalid PING frame: length 2/);
  assert.throws(() => parse(encodeData(0, Buffer.from('x'))), /stream id zero is disallowed/);
  const countDisagrees = encodeSettings([{ id: 7, value: 1 }]);
  countDisagrees.writeUInt32BE(2, 8);
  assert.throws(() => parse(countDisagrees), /invalid SETTINGS frame: length 12/);
});
