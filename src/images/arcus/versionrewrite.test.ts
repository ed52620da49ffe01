import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VersionRewriter } from './versionrewrite.js';

function run(chunks: string[], version = '1.13.5'): string {
  const r = new VersionRewriter(version);
  return chunks.map((c) => r.feed(Buffer.from(c, 'latin1')).toString('latin1')).join('') + r.flush().toString('latin1');
}

test('the VERSION reply carries the image version', () => {
  assert.equal(run(['VERSION 1.6.18\r\n']), 'VERSION 1.13.5\r\n');
});

test('a VERSION reply split over chunks is rewritten once it is whole', () => {
  const r = new VersionRewriter('1.13.5');
  assert.equal(r.feed(Buffer.from('STORED\r\nVERS')).toString(), 'STORED\r\n');
  assert.equal(r.feed(Buffer.from('ION 1.6.1')).toString(), '');
  assert.equal(r.feed(Buffer.from('8\r\nEND\r\n')).toString(), 'VERSION 1.13.5\r\nEND\r\n');
});

test('stored values that look like a VERSION reply are left alone', () => {
  const value = 'VERSION 9.9.9\r\nVERSION 1.0\r\n';
  const stream = `VALUE k 0 ${value.length}\r\n${value}\r\nEND\r\nVERSION 1.6.18\r\n`;
  assert.equal(run([stream]), `VALUE k 0 ${value.length}\r\n${value}\r\nEND\r\nVERSION 1.13.5\r\n`);
  // The same, cut in the middle of the data block and of its header line.
  const cut = [stream.slice(0, 5), stream.slice(5, 20), stream.slice(20, 33), stream.slice(33)];
  assert.equal(run(cut), `VALUE k 0 ${value.length}\r\n${value}\r\nEND\r\nVERSION 1.13.5\r\n`);
});

test('gets (with cas) and meta VA replies skip their data blocks', () => {
  assert.equal(run(['VALUE k 5 14 7\r\nVERSION 1.0\r\n\r\nEND\r\n']), 'VALUE k 5 14 7\r\nVERSION 1.0\r\n\r\nEND\r\n');
  assert.equal(run(['VA 9 f0\r\nVERSION x\r\nVERSION 1\r\n']), 'VA 9 f0\r\nVERSION x\r\nVERSION 1.13.5\r\n');
});

test('other replies pass through unchanged, an unterminated tail on flush', () => {
  assert.equal(run(['STAT pid 1\r\nSTAT version 1.6.18\r\nEND\r\nERROR\r\nSERVER_ERROR x']),
    'STAT pid 1\r\nSTAT version 1.6.18\r\nEND\r\nERROR\r\nSERVER_ERROR x');
});

test('a binary protocol stream is not touched', () => {
  const r = new VersionRewriter('1.13.5');
  const packet = Buffer.concat([Buffer.from([0x81, 0x0b, 0, 0, 0, 0, 0, 0, 0, 0, 0, 6]), Buffer.alloc(12), Buffer.from('1.6.18')]);
  assert.deepEqual(r.feed(packet), packet);
  assert.deepEqual(r.feed(Buffer.from('VERSION 1\r\n')), Buffer.from('VERSION 1\r\n'));
});
