import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from './clock.js';
import { formatValue, logger, setOutput, setVerbosity } from './log.js';

function capture(): { lines: string[]; restore: () => void } {
  const lines: string[] = [];
  const clock = new VirtualClock(Date.parse('2026-12-03T06:12:18.100Z'));
  const restore = setOutput((l) => lines.push(l), clock);
  return { lines, restore };
}

test('error line in klog text format with quoted key/value pairs', () => {
  const { lines, restore } = capture();
  try {
    logger('statefulset-controller').error('error syncing', { key: 'default/web', err: new Error('boom'), retries: 3 });
    assert.deepEqual(lines, ['E1203 06:12:18.100000 statefulset-controller] error syncing key="default/web" err="boom" retries=3\n']);
  } finally {
    restore();
  }
});

test('quiet by default: errors and warnings only; info needs -v=1, V(n) needs -v>=n', () => {
  const { lines, restore } = capture();
  try {
    setVerbosity(0);
    const log = logger('c');
    log.warning('w');
    log.info('i');
    log.v(2).info('v2');
    assert.deepEqual(lines.map((l) => l[0]), ['W']);
    setVerbosity(2);
    log.info('i');
    log.v(2).info('v2');
    log.v(3).info('v3');
    assert.deepEqual(lines.map((l) => l.slice(l.indexOf(']') + 2).trim()), ['w', 'i', 'v2']);
  } finally {
    setVerbosity(0);
    restore();
  }
});

test('values: quotes escaped, multi-line strings as an indented block, objects as JSON', () => {
  assert.equal(formatValue('say "hi"'), '"say \\"hi\\""');
  assert.equal(formatValue('a\nb'), '<\n\ta\n\tb\n >');
  assert.equal(formatValue({ a: 1 }), '{"a":1}');
  assert.equal(formatValue(true), 'true');
});
