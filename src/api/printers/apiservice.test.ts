import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiServicePrinter } from './apiservice.js';

type APIService = Parameters<typeof apiServicePrinter.cells>[0];

test('the table shows Local or the service, and availability with its reason', () => {
  const now = Date.parse('2026-01-01T00:00:10Z');
  const row = (o: APIService) => apiServicePrinter.cells({ ...o, metadata: { creationTimestamp: '2026-01-01T00:00:00Z', ...o.metadata } }, now);
  assert.deepEqual(row({ metadata: { name: 'v1.apps' }, spec: {}, status: { conditions: [{ type: 'Available', status: 'True', reason: 'Local' }] } }), ['v1.apps', 'Local', 'True', '10s']);
  assert.deepEqual(row({ metadata: { name: 'm' }, spec: { service: { namespace: 'kube-system', name: 'ms' } }, status: { conditions: [{ type: 'Available', status: 'False', reason: 'ServiceNotFound' }] } }), [
    'm',
    'kube-system/ms',
    'False (ServiceNotFound)',
    '10s',
  ]);
  assert.deepEqual(row({ metadata: { name: 'n' }, spec: {} }).slice(2, 3), ['Unknown']);
});
