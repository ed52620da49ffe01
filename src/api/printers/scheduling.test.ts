import assert from 'node:assert/strict';
import { test } from 'node:test';
import { printerFor } from './index.js';

const NOW = Date.parse('2025-01-01T00:00:00Z');

test('kubectl get pc: NAME VALUE GLOBAL-DEFAULT AGE PREEMPTIONPOLICY', () => {
  const printer = printerFor('scheduling.k8s.io', 'PriorityClass');
  assert.deepEqual(printer.columns.map((c) => [c.name, c.type, c.priority]), [
    ['Name', 'string', 0],
    ['Value', 'integer', 0],
    ['Global-Default', 'boolean', 0],
    ['Age', 'string', 0],
    ['PreemptionPolicy', 'string', 0],
  ]);
  const high = { metadata: { name: 'high', creationTimestamp: '2024-12-31T23:55:00Z' }, value: 1000, globalDefault: true, preemptionPolicy: 'Never' };
  assert.deepEqual(printer.cells(high, NOW), ['high', 1000, true, '5m', 'Never']);
  // upstream TestPrintPriorityClass: no globalDefault prints false, no policy an empty cell.
  assert.deepEqual(printer.cells({ metadata: { name: 'pc2' }, value: -1000000000 }, NOW), ['pc2', -1000000000, false, '<unknown>', '']);
});
