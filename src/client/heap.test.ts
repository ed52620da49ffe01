import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WaitingHeap } from './heap.js';

const drain = (h: WaitingHeap): string[] => {
  const out: string[] = [];
  for (let e = h.pop(); e; e = h.pop()) out.push(`${e.key}@${e.readyAt}`);
  return out;
};

test('pops in readyAt order', () => {
  const h = new WaitingHeap();
  for (const [k, t] of [['c', 30], ['a', 10], ['e', 50], ['b', 20], ['d', 40]] as const) h.push(k, t);
  assert.deepEqual(drain(h), ['a@10', 'b@20', 'c@30', 'd@40', 'e@50']);
});

test('one entry per key: an earlier time replaces a later one, a later time is ignored', () => {
  const h = new WaitingHeap();
  h.push('x', 100);
  h.push('y', 50);
  h.push('x', 10);
  h.push('y', 500);
  assert.equal(h.length, 2);
  assert.deepEqual(drain(h), ['x@10', 'y@50']);
});

test('a key can wait again once popped', () => {
  const h = new WaitingHeap();
  h.push('x', 5);
  h.pop();
  h.push('x', 7);
  assert.deepEqual(h.peek(), { key: 'x', readyAt: 7 });
});
