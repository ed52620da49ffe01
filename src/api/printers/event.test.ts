import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventPrinter } from './event.js';

const NOW = Date.parse('2025-01-01T00:00:00Z');
const ago = (ms: number) => new Date(NOW - ms).toISOString();

// Cases mirror upstream TestPrintEvent.
test('event with first/last timestamps and a count', () => {
  const ev = {
    metadata: { name: 'web-0.17a' },
    source: { component: 'kubelet', host: 'node1' },
    involvedObject: { kind: 'Pod', name: 'web-0', fieldPath: 'spec.containers{web}' },
    reason: 'Pulled',
    message: '  Container image "nginx" already present on machine\n',
    firstTimestamp: ago(3 * 86_400_000),
    lastTimestamp: ago(2 * 86_400_000),
    count: 6,
    type: 'Normal',
  };
  assert.deepEqual(eventPrinter.cells(ev, NOW), [
    '2d', 'Normal', 'Pulled', 'pod/web-0', 'spec.containers{web}', 'kubelet, node1',
    'Container image "nginx" already present on machine', '3d', 6, 'web-0.17a',
  ]);
});

test('events.k8s.io-style event: eventTime, series, reporting controller, singleton count', () => {
  const single = {
    metadata: { name: 'e1' },
    reportingComponent: 'statefulset-controller',
    involvedObject: { kind: 'StatefulSet', name: 'web' },
    eventTime: ago(90_000),
    type: 'Normal',
    reason: 'SuccessfulCreate',
    message: 'create Pod web-0 in StatefulSet web successful',
  };
  assert.deepEqual(eventPrinter.cells(single, NOW), [
    '90s', 'Normal', 'SuccessfulCreate', 'statefulset/web', '', 'statefulset-controller', 'create Pod web-0 in StatefulSet web successful', '90s', 1, 'e1',
  ]);
  const series = { ...single, series: { count: 4, lastObservedTime: ago(10_000) } };
  const cells = eventPrinter.cells(series, NOW);
  assert.equal(cells[0], '10s');
  assert.equal(cells[8], 4);
  const noName = { metadata: { name: 'e2' }, involvedObject: { kind: 'Node' }, reportingComponent: 'c', reportingInstance: 'i' };
  assert.deepEqual(eventPrinter.cells(noName, NOW).slice(0, 6), ['<unknown>', '', '', 'node', '', 'c, i']);
});

test('event columns: name column is wide-only but still carries format name', () => {
  assert.deepEqual(eventPrinter.columns.filter((c) => c.priority === 0).map((c) => c.name), ['Last Seen', 'Type', 'Reason', 'Object', 'Message']);
  const name = eventPrinter.columns.find((c) => c.name === 'Name');
  assert.equal(name?.format, 'name');
  assert.equal(name?.priority, 1);
});
