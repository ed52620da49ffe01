import assert from 'node:assert/strict';
import { test } from 'node:test';
import { messages } from '../../testing/validation.js';

const G = 'scheduling.k8s.io';
const pc = (name: string, value: number, extra: object = {}) => ({ metadata: { name }, value, ...extra });

// Cases from upstream TestValidatePriorityClass.
test('user classes up to 1000000000, the two system classes with their own values', () => {
  assert.deepEqual(messages(G, 'PriorityClass', pc('tier1', 100)), []);
  assert.deepEqual(messages(G, 'PriorityClass', pc('big', 1_000_000_000)), []);
  assert.deepEqual(messages(G, 'PriorityClass', pc('negative', -5)), []);
  assert.deepEqual(messages(G, 'PriorityClass', pc('system-node-critical', 2_000_001_000)), []);
  assert.deepEqual(messages(G, 'PriorityClass', pc('system-cluster-critical', 2_000_000_000, { description: 'anything' })), []);
  assert.deepEqual(messages(G, 'PriorityClass', pc('too-big', 1_000_000_001)), ['value: Forbidden: maximum allowed value of a user defined priority is 1000000000']);
});

test('names with the system- prefix are reserved', () => {
  const reserved = "metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: ";
  assert.deepEqual(messages(G, 'PriorityClass', pc('system-foo', 2_000_000_000)), [`${reserved}system-foo is not a known system priority class`]);
  assert.deepEqual(messages(G, 'PriorityClass', pc('system-node-critical', 100)), [`${reserved}value of system-node-critical PriorityClass must be 2000001000`]);
  assert.deepEqual(messages(G, 'PriorityClass', pc('system-cluster-critical', 2_000_000_000, { globalDefault: true })), [
    `${reserved}globalDefault of system-cluster-critical PriorityClass must be false`,
  ]);
});

test('the name is a DNS subdomain', () => {
  const [err, ...rest] = messages(G, 'PriorityClass', pc('tier&1', 100));
  assert.deepEqual(rest, []);
  assert.ok(err.startsWith('metadata.name: Invalid value: "tier&1": a lowercase RFC 1123 subdomain must consist of'), err);
});

test('preemptionPolicy defaults to PreemptLowerPriority and is PreemptLowerPriority or Never', () => {
  const plain: Record<string, unknown> = pc('tier1', 100);
  assert.deepEqual(messages(G, 'PriorityClass', plain), []);
  assert.equal(plain.preemptionPolicy, 'PreemptLowerPriority');
  assert.deepEqual(messages(G, 'PriorityClass', pc('tier1', 100, { preemptionPolicy: 'Never' })), []);
  assert.deepEqual(messages(G, 'PriorityClass', pc('tier1', 100, { preemptionPolicy: 'foo' })), [
    'preemptionPolicy: Unsupported value: "foo": supported values: "PreemptLowerPriority", "Never"',
  ]);
  assert.deepEqual(messages(G, 'PriorityClass', pc('tier1', 100, { preemptionPolicy: '' })), ['preemptionPolicy: Required value']);
});

// Cases from upstream TestValidatePriorityClassUpdate.
test('value and preemptionPolicy are fixed; description and globalDefault may change', () => {
  const old = () => pc('tier1', 100, { metadata: { name: 'tier1', resourceVersion: '1' }, preemptionPolicy: 'PreemptLowerPriority' });
  assert.deepEqual(messages(G, 'PriorityClass', { ...old(), description: 'new', globalDefault: true }, old()), []);
  assert.deepEqual(messages(G, 'PriorityClass', { ...old(), value: 101 }, old()), ['value: Forbidden: may not be changed in an update.']);
  assert.deepEqual(messages(G, 'PriorityClass', { ...old(), preemptionPolicy: 'Never' }, old()), ['preemptionPolicy: Invalid value: "Never": field is immutable']);
});
