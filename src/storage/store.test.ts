import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it, test } from 'node:test';
import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import { isStatusError } from '../machinery/errors.js';
import { tempDir } from '../testing/tmpdir.js';
import type { Backend, WatchHandler } from './backend.js';
import { LocalBackend, MemoryBackend } from './local.js';
import { SqliteBackend } from './sqlite.js';
import { CompareFailedError, ExpiredError, Store, type StoreEvent } from './store.js';

const cm = (name: string, v = '1') => ({ metadata: { name, namespace: 'default' }, data: { v } });
const memory = () => Store.open(new MemoryBackend());

describe('Store', () => {
  it('gives every write the next global revision and sets resourceVersion', async () => {
    const s = await memory();
    const a = await s.put('configmaps', 'default', 'a', cm('a'), 0);
    const b = await s.put('pods', 'default', 'b', cm('b'), 0);
    const a2 = await s.put('configmaps', 'default', 'a', cm('a', '2'), a.rev);
    assert.deepEqual([a.rev, b.rev, a2.rev], [1, 2, 3]);
    assert.equal(a2.object.metadata.resourceVersion, '3');
    assert.equal(s.revision, 3);
    assert.equal(s.get('configmaps', 'default', 'a')?.object, a2.object, 'the writer reads what it wrote');
    assert.ok(Object.isFrozen(a2.object.data), 'stored objects are frozen');
  });

  it('lists in namespace/name order, per namespace or across all', async () => {
    const s = await memory();
    await Promise.all([
      s.put('configmaps', 'b', 'x', { metadata: { name: 'x', namespace: 'b' } }, 0),
      s.put('configmaps', 'a', 'z', { metadata: { name: 'z', namespace: 'a' } }, 0),
      s.put('configmaps', 'a', 'y', { metadata: { name: 'y', namespace: 'a' } }, 0),
    ]);
    assert.deepEqual(s.list('configmaps').entries.map((e) => `${e.namespace}/${e.name}`), ['a/y', 'a/z', 'b/x']);
    assert.deepEqual(s.list('configmaps', 'b').entries.map((e) => e.name), ['x']);
    assert.equal(s.list('configmaps').revision, 3);
  });

  it('replays history after a revision, then streams live events; a deletion shows the last stored state', async () => {
    const s = await memory();
    const a = await s.put('configmaps', 'default', 'a', cm('a'), 0);
    await s.put('configmaps', 'default', 'b', cm('b'), 0);
    await s.put('secrets', 'default', 'c', cm('c'), 0);
    const seen: StoreEvent[] = [];
    const stop = s.watch('configmaps', undefined, 1, (ev) => seen.push(ev));
    const removing = s.remove('configmaps', 'default', 'a', { ...cm('a'), metadata: { ...cm('a').metadata, deletionTimestamp: 'now' } }, a.rev);
    assert.equal(seen.length, 1, 'a write is announced only once it is committed');
    const removed = await removing;
    assert.equal(removed.object.metadata.deletionTimestamp, 'now', 'the deleter gets its final object');
    stop();
    await s.put('configmaps', 'default', 'd', cm('d'), 0);
    assert.deepEqual(seen.map((e) => [e.type, e.entry.name, e.rev]), [['ADDED', 'b', 2], ['DELETED', 'a', 4]]);
    assert.equal(seen[1].entry.object.metadata.resourceVersion, '4');
    assert.equal(seen[1].entry.object.metadata.deletionTimestamp, undefined);
    assert.equal((seen[1].previous as ConfigMap | undefined)?.data?.v, '1');
  });

  it('answers ExpiredError for revisions no longer retained', async () => {
    const s = await Store.open(new MemoryBackend(), { historySize: 2 });
    for (let i = 0; i < 6; i++) await s.put('configmaps', 'default', `c${i}`, cm(`c${i}`), 0);
    assert.throws(() => s.watch('configmaps', undefined, 1, () => {}), ExpiredError);
    assert.doesNotThrow(() => s.watch('configmaps', undefined, s.oldestWatchableRevision, () => {})());
  });

  it('keeps a failing listener from breaking the write or other watchers', async () => {
    const s = await memory();
    const seen: string[] = [];
    s.watch('configmaps', undefined, 0, () => {
      throw new Error('boom');
    });
    s.watch('configmaps', undefined, 0, (ev) => seen.push(ev.entry.name));
    await Promise.all([s.put('configmaps', 'default', 'a', cm('a'), 0), s.put('configmaps', 'default', 'b', cm('b'), 0)]);
    assert.deepEqual(seen, ['a', 'b']);
  });

  it('commits the writes of one turn together and resolves them after the commit', async () => {
    const commits: number[] = [];
    const s = await Store.open(new LocalBackend({ location: 'counting', load: () => ({ revision: 0, objects: [] }), commit: (w) => commits.push(w.length), close() {} }));
    const seen: string[] = [];
    s.watch('configmaps', undefined, 0, (ev) => seen.push(ev.entry.name));
    const writes = [s.put('configmaps', 'default', 'a', cm('a'), 0), s.put('configmaps', 'default', 'b', cm('b'), 0)];
    assert.deepEqual(seen, []);
    assert.equal(s.get('configmaps', 'default', 'a'), undefined, 'nothing uncommitted is readable');
    await Promise.all(writes);
    assert.deepEqual(commits, [2]);
    assert.deepEqual(seen, ['a', 'b']);
  });

  it('does not repeat to a watcher what it already listed', async () => {
    const s = await memory();
    await s.put('configmaps', 'default', 'a', cm('a'), 0);
    const { revision } = s.list('configmaps');
    const seen: string[] = [];
    s.watch('configmaps', undefined, revision, (ev) => seen.push(ev.entry.name));
    await s.put('configmaps', 'default', 'b', cm('b'), 0);
    assert.deepEqual(seen, ['b']);
  });

  it('reloads objects and the revision from SQLite, and history starts at the reload', async () => {
    const file = path.join(tempDir('k8ts-store-'), 'state.db');
    const s1 = await Store.open(new SqliteBackend(file));
    await s1.put('apps/statefulsets', 'default', 'web', cm('web'), 0);
    await s1.put('namespaces', '', 'prod', { metadata: { name: 'prod' } }, 0);
    const gone = await s1.put('configmaps', 'default', 'gone', cm('gone'), 0);
    await s1.remove('configmaps', 'default', 'gone', cm('gone'), gone.rev);
    await s1.close();
    const s2 = await Store.open(new SqliteBackend(file));
    assert.equal(s2.revision, 4);
    assert.equal(s2.get('apps/statefulsets', 'default', 'web')?.object.metadata.resourceVersion, '1');
    assert.equal(s2.get('namespaces', '', 'prod')?.rev, 2);
    assert.equal(s2.get('configmaps', 'default', 'gone'), undefined);
    assert.throws(() => s2.watch('configmaps', undefined, 1, () => {}), ExpiredError);
    assert.equal((await s2.put('configmaps', 'default', 'new', cm('new'), 0)).rev, 5);
    await s2.close();
  });
});

test('conditional writes are compare-and-swap on the revision (0: absent)', async () => {
  const s = await memory();
  const first = await s.put('configmaps', 'default', 'a', cm('a'), 0);
  await assert.rejects(s.put('configmaps', 'default', 'a', cm('a'), 0), CompareFailedError, 'create-if-absent');
  const second = await s.put('configmaps', 'default', 'a', cm('a', '2'), first.rev);
  await assert.rejects(s.put('configmaps', 'default', 'a', cm('a'), first.rev), (e: unknown) => e instanceof CompareFailedError && e.actual === second.rev);
  await assert.rejects(s.remove('configmaps', 'default', 'a', cm('a'), first.rev), CompareFailedError, 'delete-if-revision');
  assert.equal(s.get('configmaps', 'default', 'a')?.rev, second.rev, 'a failed compare changes nothing');
  await s.remove('configmaps', 'default', 'a', cm('a'), second.rev);
  assert.equal(s.get('configmaps', 'default', 'a'), undefined);
  await s.close();
});

test('two writes racing on one revision: one wins, the other learns the revision to catch up to', async () => {
  const s = await memory();
  const base = await s.put('configmaps', 'default', 'a', cm('a'), 0);
  const results = await Promise.allSettled([s.put('configmaps', 'default', 'a', cm('a', 'x'), base.rev), s.put('configmaps', 'default', 'a', cm('a', 'y'), base.rev)]);
  assert.equal(results[0].status, 'fulfilled');
  const lost = results[1] as PromiseRejectedResult;
  assert.ok(lost.reason instanceof CompareFailedError);
  await s.caughtUp(lost.reason.revision);
  assert.equal((s.get('configmaps', 'default', 'a')?.object as ConfigMap).data?.v, 'x');
});

test('a backend that stops answering: writes are a 504 after the write timeout, reads are served from the cache', async () => {
  const backend = new MemoryBackend();
  const s = await Store.open(backend, { writeTimeoutMs: 50, freshTimeoutMs: 20 });
  await s.put('configmaps', 'default', 'a', cm('a'), 0);
  const hang = () => new Promise<never>(() => {});
  backend.write = hang;
  backend.currentRevision = hang;
  await assert.rejects(s.put('configmaps', 'default', 'b', cm('b'), 0), (e: unknown) => isStatusError(e, 'Timeout') && e.code === 504 && /did not answer within 0.05s/.test(e.message));
  const t0 = Date.now();
  await s.fresh();
  assert.ok(Date.now() - t0 < 1000);
  assert.equal(s.get('configmaps', 'default', 'a')?.rev, 1, 'what the cache holds is still readable');
});

test('when the backend watch breaks, the cache lists again: missed writes become events, older watches expire', async () => {
  const inner = new MemoryBackend();
  let handler: WatchHandler | undefined;
  let stopInner = () => {};
  const breakable: Backend = {
    location: 'breakable',
    list: () => inner.list(),
    write: (k, v, e, o) => inner.write(k, v, e, o),
    currentRevision: () => inner.currentRevision(),
    compact: (r) => inner.compact(r),
    close: () => inner.close(),
    watch(from, h) {
      handler = h;
      stopInner = inner.watch(from, h);
      return () => stopInner();
    },
  };
  const s = await Store.open(breakable);
  const a = await s.put('configmaps', 'default', 'a', cm('a'), 0);
  const gone = await s.put('configmaps', 'default', 'gone', cm('gone'), 0);
  const seen: string[] = [];
  s.watch('configmaps', undefined, s.revision, (ev) => seen.push(`${ev.type} ${ev.entry.name}`));
  stopInner();
  // Written behind the cache's back while its stream is down.
  await inner.write('/configmaps/default/a', JSON.stringify(cm('a', '2')), a.rev);
  await inner.write('/configmaps/default/gone', null, gone.rev);
  await inner.write('/configmaps/default/new', JSON.stringify(cm('new')), 0);
  assert.equal(s.get('configmaps', 'default', 'new'), undefined);
  handler!.onError(new ExpiredError('required revision has been compacted'));
  await waitUntil(() => s.get('configmaps', 'default', 'new') !== undefined, 'the cache to list again');
  assert.deepEqual(seen.sort(), ['ADDED new', 'DELETED gone', 'MODIFIED a']);
  assert.equal((s.get('configmaps', 'default', 'a')?.object as ConfigMap).data?.v, '2');
  assert.throws(() => s.watch('configmaps', undefined, a.rev, () => {}), ExpiredError, 'history from before the list is gone');
  await s.put('configmaps', 'default', 'after', cm('after'), 0);
  assert.ok(seen.includes('ADDED after'), 'the stream is followed again');
  await s.close();
});

async function waitUntil(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 300 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(check(), `timed out waiting for ${what}`);
}
