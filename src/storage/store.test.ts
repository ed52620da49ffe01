import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it, test } from 'node:test';
import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import { MemoryBackend } from './backend.js';
import { SqliteBackend } from './sqlite.js';
import { CompareFailedError, ExpiredError, Store, type StoreEvent } from './store.js';

const cm = (name: string, v = '1') => ({ metadata: { name, namespace: 'default' }, data: { v } });

describe('Store', () => {
  it('gives every write the next global revision and sets resourceVersion', () => {
    const s = new Store(new MemoryBackend());
    const a = s.put('configmaps', 'default', 'a', cm('a'));
    const b = s.put('pods', 'default', 'b', cm('b'));
    const a2 = s.put('configmaps', 'default', 'a', cm('a', '2'));
    assert.deepEqual([a.rev, b.rev, a2.rev], [1, 2, 3]);
    assert.equal(a2.object.metadata.resourceVersion, '3');
    assert.equal(s.revision, 3);
    assert.ok(Object.isFrozen(a2.object.data), 'stored objects are frozen');
  });

  it('lists in namespace/name order, per namespace or across all', () => {
    const s = new Store(new MemoryBackend());
    s.put('configmaps', 'b', 'x', cm('x'));
    s.put('configmaps', 'a', 'z', cm('z'));
    s.put('configmaps', 'a', 'y', cm('y'));
    assert.deepEqual(s.list('configmaps').entries.map((e) => `${e.namespace}/${e.name}`), ['a/y', 'a/z', 'b/x']);
    assert.deepEqual(s.list('configmaps', 'b').entries.map((e) => e.name), ['x']);
    assert.equal(s.list('configmaps').revision, 3);
  });

  it('replays history after a revision, then streams live events', () => {
    const s = new Store(new MemoryBackend());
    s.put('configmaps', 'default', 'a', cm('a'));
    s.put('configmaps', 'default', 'b', cm('b'));
    s.put('secrets', 'default', 'c', cm('c'));
    s.flush();
    const seen: StoreEvent[] = [];
    const stop = s.watch('configmaps', undefined, 1, (ev) => seen.push(ev));
    s.remove('configmaps', 'default', 'a', cm('a'));
    assert.equal(seen.length, 1, 'a write is announced only once it is committed');
    s.flush();
    stop();
    s.put('configmaps', 'default', 'd', cm('d'));
    s.flush();
    assert.deepEqual(seen.map((e) => [e.type, e.entry.name, e.rev]), [['ADDED', 'b', 2], ['DELETED', 'a', 4]]);
    assert.equal((seen[1].previous as ConfigMap | undefined)?.data?.v, '1');
  });

  it('answers ExpiredError for revisions no longer retained', () => {
    const s = new Store(new MemoryBackend(), { historySize: 2 });
    for (let i = 0; i < 6; i++) s.put('configmaps', 'default', `c${i}`, cm(`c${i}`));
    s.flush();
    assert.throws(() => s.watch('configmaps', undefined, 1, () => {}), ExpiredError);
    assert.doesNotThrow(() => s.watch('configmaps', undefined, s.oldestWatchableRevision, () => {})());
  });

  it('keeps a failing listener from breaking the write or other watchers', () => {
    const s = new Store(new MemoryBackend());
    const seen: string[] = [];
    s.watch('configmaps', undefined, 0, () => {
      throw new Error('boom');
    });
    s.watch('configmaps', undefined, 0, (ev) => seen.push(ev.entry.name));
    const warn = process.emitWarning;
    process.emitWarning = () => {};
    try {
      s.put('configmaps', 'default', 'a', cm('a'));
      s.put('configmaps', 'default', 'b', cm('b'));
      s.flush();
    } finally {
      process.emitWarning = warn;
    }
    assert.deepEqual(seen, ['a', 'b']);
  });

  it('commits the writes of one turn together and resolves settled() after the commit', async () => {
    const commits: number[] = [];
    const backend = new MemoryBackend();
    const commit = backend.commit.bind(backend);
    backend.commit = (writes) => {
      commits.push(writes.length);
      commit(writes);
    };
    const s = new Store(backend);
    const seen: string[] = [];
    s.watch('configmaps', undefined, 0, (ev) => seen.push(ev.entry.name));
    s.put('configmaps', 'default', 'a', cm('a'));
    s.put('configmaps', 'default', 'b', cm('b'));
    assert.deepEqual(seen, []);
    await s.settled();
    assert.deepEqual(commits, [2]);
    assert.deepEqual(seen, ['a', 'b']);
    assert.equal(backend.load().revision, 2);
  });

  it('does not repeat to a watcher what it already listed before the commit', () => {
    const s = new Store(new MemoryBackend());
    s.put('configmaps', 'default', 'a', cm('a'));
    const { revision } = s.list('configmaps');
    const seen: string[] = [];
    s.watch('configmaps', undefined, revision, (ev) => seen.push(ev.entry.name));
    s.put('configmaps', 'default', 'b', cm('b'));
    s.flush();
    assert.deepEqual(seen, ['b']);
  });

  it('reloads objects and the revision from SQLite, and history starts at the reload', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'k8ts-store-'));
    try {
      const file = path.join(dir, 'state.db');
      const s1 = new Store(new SqliteBackend(file));
      s1.put('apps/statefulsets', 'default', 'web', cm('web'));
      s1.put('configmaps', 'default', 'gone', cm('gone'));
      s1.remove('configmaps', 'default', 'gone', cm('gone'));
      s1.close();
      const s2 = new Store(new SqliteBackend(file));
      assert.equal(s2.revision, 3);
      assert.equal(s2.get('apps/statefulsets', 'default', 'web')?.object.metadata.resourceVersion, '1');
      assert.equal(s2.get('configmaps', 'default', 'gone'), undefined);
      assert.throws(() => s2.watch('configmaps', undefined, 1, () => {}), ExpiredError);
      assert.equal(s2.put('configmaps', 'default', 'new', cm('new')).rev, 4);
      s2.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

test('conditional writes are compare-and-swap on the revision (0: absent)', () => {
  const s = new Store(new MemoryBackend());
  const first = s.put('configmaps', 'default', 'a', { metadata: { name: 'a' } }, 0);
  assert.throws(() => s.put('configmaps', 'default', 'a', { metadata: { name: 'a' } }, 0), CompareFailedError, 'create-if-absent');
  const second = s.put('configmaps', 'default', 'a', { metadata: { name: 'a' }, data: { k: 'v' } }, first.rev);
  assert.throws(() => s.put('configmaps', 'default', 'a', { metadata: { name: 'a' } }, first.rev), (e: unknown) => e instanceof CompareFailedError && e.actual === second.rev);
  assert.throws(() => s.remove('configmaps', 'default', 'a', { metadata: { name: 'a' } }, first.rev), CompareFailedError, 'delete-if-revision');
  assert.equal(s.get('configmaps', 'default', 'a')?.rev, second.rev, 'a failed compare changes nothing');
  s.remove('configmaps', 'default', 'a', { metadata: { name: 'a' } }, second.rev);
  assert.equal(s.get('configmaps', 'default', 'a'), undefined);
  s.close();
});
