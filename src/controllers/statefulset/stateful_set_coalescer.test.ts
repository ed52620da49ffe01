import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { PodEventCoalescer } from './stateful_set_coalescer.js';

test('pod events of a small set are queued as they come', () => {
  const added: string[] = [];
  const c = new PodEventCoalescer((k) => added.push(k));
  c.podEvent('default/web');
  c.started('default/web');
  c.finished('default/web', 3);
  c.podEvent('default/web');
  c.podEvent('default/web');
  assert.deepEqual(added, ['default/web', 'default/web', 'default/web']);
});

test('a burst of pod events of a large set costs one sync, after a pause that follows its size', async () => {
  const added: string[] = [];
  const c = new PodEventCoalescer((k) => added.push(k));
  c.started('default/big');
  c.finished('default/big', 2000); // from now on the set is known to be large
  c.started('default/big');
  c.podEvent('default/big'); // while syncing: held until the sync is over
  c.finished('default/big', 2000);
  for (let i = 0; i < 50; i++) c.podEvent('default/big');
  assert.deepEqual(added, [], 'held for the pause after the sync');
  await sleep(100);
  assert.deepEqual(added, ['default/big']);
  c.podEvent('default/big'); // queued, not yet synced: folded into that sync
  assert.deepEqual(added, ['default/big']);
  c.stop();
});

test('a stopped coalescer releases nothing', async () => {
  const added: string[] = [];
  const c = new PodEventCoalescer((k) => added.push(k));
  c.started('default/big');
  c.finished('default/big', 5000);
  c.podEvent('default/big');
  c.stop();
  await sleep(150);
  assert.deepEqual(added, []);
});
