import assert from 'node:assert/strict';
import { test } from 'node:test';
import zlib from 'node:zlib';
import { SPDY3_DICTIONARY } from './dictionary.js';
import { ProtocolError } from './frames.js';
import { decodeHeaderBlock, encodeHeaderBlock, HeaderCompressor, HeaderDecompressor, headerValue } from './headers.js';

test('the SPDY/3 dictionary: 1423 bytes, zlib dictionary id 0xe3c6a7c2', () => {
  assert.equal(SPDY3_DICTIONARY.length, 1423);
  assert.equal(SPDY3_DICTIONARY.subarray(0, 11).toString('latin1'), '\0\0\0\x07options');
  assert.ok(SPDY3_DICTIONARY.toString('latin1').endsWith(',*,enq=0.'));
  // A zlib stream primed with a dictionary names it by Adler-32 right after the 2-byte header (FDICT set).
  const z = zlib.deflateSync(Buffer.from('x'), { dictionary: SPDY3_DICTIONARY });
  assert.equal(z[1] & 0x20, 0x20);
  assert.equal(z.readUInt32BE(2), 0xe3c6a7c2);
});

test('name/value blocks: 32-bit counts and lengths, lowercase names, values joined by NUL', () => {
  const block = encodeHeaderBlock({ streamType: ['data'], port: ['80', '81'] });
  assert.deepEqual(
    [...block],
    [0, 0, 0, 2, 0, 0, 0, 10, ...Buffer.from('streamtype'), 0, 0, 0, 4, ...Buffer.from('data'), 0, 0, 0, 4, ...Buffer.from('port'), 0, 0, 0, 5, ...Buffer.from('80\x0081')],
  );
  const h = decodeHeaderBlock(block);
  assert.deepEqual(h, { streamtype: ['data'], port: ['80', '81'] });
  assert.equal(headerValue(h, 'streamType'), 'data');
});

test('blocks the Go framer rejects are rejected', () => {
  const one = (name: string) => Buffer.concat([Buffer.from([0, 0, 0, 1, 0, 0, 0, name.length]), Buffer.from(name), Buffer.from([0, 0, 0, 0])]);
  assert.throws(() => decodeHeaderBlock(one('Port')), /header was not lowercased/);
  const twice = Buffer.concat([Buffer.from([0, 0, 0, 2]), one('port').subarray(4), one('port').subarray(4)]);
  assert.throws(() => decodeHeaderBlock(twice), /multiple headers with same name/);
  assert.throws(() => decodeHeaderBlock(Buffer.from([0, 0, 0, 3, 0, 0])), (e) => e instanceof ProtocolError && /truncated/.test(e.message));
});

test('one zlib context per direction: later blocks only decode in the same stream of blocks', async () => {
  const c = new HeaderCompressor();
  const first = await c.compress({ port: ['80'], streamtype: ['error'], requestid: ['0'] });
  const second = await c.compress({ port: ['80'], streamtype: ['data'], requestid: ['0'] });
  // Every block ends in a sync flush, so it is complete by itself.
  assert.deepEqual([...first.subarray(-4)], [0, 0, 0xff, 0xff]);
  const d = new HeaderDecompressor();
  assert.deepEqual(await d.decompress(first), { port: ['80'], streamtype: ['error'], requestid: ['0'] });
  assert.deepEqual(await d.decompress(second), { port: ['80'], streamtype: ['data'], requestid: ['0'] });
  // The second block refers back into the first: a fresh context cannot read it.
  await assert.rejects(new HeaderDecompressor().decompress(second), ProtocolError);
  c.close();
  d.close();
});

test('bad compression and oversized blocks are protocol errors, and poison the context', async () => {
  const d = new HeaderDecompressor();
  await assert.rejects(d.decompress(Buffer.from('not zlib')), /invalid compressed header block/);
  await assert.rejects(d.decompress(Buffer.from('anything')), ProtocolError);
  const bomb = new HeaderCompressor();
  const block = await bomb.compress({ x: ['a'.repeat(1024 * 1024)] });
  assert.ok(block.length < 4096);
  await assert.rejects(new HeaderDecompressor().decompress(block), /header block larger than/);
  bomb.close();
});
