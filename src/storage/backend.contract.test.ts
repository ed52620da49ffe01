// One contract, three backends: what the watch cache relies on (etcd's compare-and-swap, revisions and
// watch semantics) must hold for the in-memory, SQLite and etcd backends alike.

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isStatusError } from '../machinery/errors.js';
import { etcdAvailable, startEtcd, type EtcdProcess } from '../testing/etcd.js';
import { tempDir } from '../testing/tmpdir.js';
import { CompareFailedError, ExpiredError, type Backend, type BackendEvent } from './backend.js';
import { COMPACT_REV_KEY, Compactor, EtcdBackend } from './etcd.js';
import { MemoryBackend } from './local.js';
import { SqliteBackend } from './sqlite.js';
import { Store, type StoreEvent } from './store.js';

const ETCD_SKIP = etcdAvailable() ? false : `no etcd at ${process.env.ETCD_BIN || '/usr/bin/etcd'}: install Debian's etcd-server (or set ETCD_BIN) to run the etcd tests`;

const cm = (name: string, v: string) => JSON.stringify({ metadata: { name, namespace: 'default' }, data: { v } });
const key = (name: string) => `/configmaps/default/${name}`;

async function waitFor(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function compareFailure(p: Promise<unknown>): Promise<CompareFailedError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof CompareFailedError, `expected a CompareFailedError, got ${String(e)}`);
    return e;
  }
  assert.fail('the write succeeded');
}

const opened: Backend[] = [];
const track = <B extends Backend>(b: B): B => (opened.push(b), b);

/** Collects a watch's events (without the optional parsed object) and its errors. */
function collect(b: Backend, from: number) {
  const events: Array<Omit<BackendEvent, 'object'>> = [];
  const revisions: number[] = [];
  const errors: Error[] = [];
  const stop = b.watch(from, {
    onEvents(evs, revision) {
      for (const { revision, key, value } of evs) events.push({ revision, key, value });
      revisions.push(revision);
    },
    onError: (e) => errors.push(e),
  });
  return { events, revisions, errors, stop };
}

/** The cases, on backends from `open`. */
function contract(open: () => Backend): void {
  const make = async (): Promise<Backend> => track(open());

  it('lists writes made before its first list', async () => {
    const b = track(open());
    const rev = await b.write(key('a'), cm('a', '1'), 0);
    assert.deepEqual([...(await b.list()).objects], [{ key: key('a'), value: cm('a', '1'), revision: rev }]);
  });

  it('creates only if absent', async () => {
    const b = await make();
    const r1 = await b.write(key('a'), cm('a', '1'), 0);
    assert.ok(r1 > 0);
    const e = await compareFailure(b.write(key('a'), cm('a', '2'), 0));
    assert.deepEqual([e.key, e.expected, e.actual, e.revision], [key('a'), 0, r1, r1]);
  });

  it('updates only at the expected revision', async () => {
    const b = await make();
    const r1 = await b.write(key('a'), cm('a', '1'), 0);
    const r2 = await b.write(key('a'), cm('a', '2'), r1);
    assert.ok(r2 > r1);
    const stale = await compareFailure(b.write(key('a'), cm('a', '3'), r1));
    assert.deepEqual([stale.expected, stale.actual, stale.revision], [r1, r2, r2]);
    const absent = await compareFailure(b.write(key('nothing'), cm('nothing', '1'), r2));
    assert.deepEqual([absent.expected, absent.actual, absent.revision], [r2, 0, r2]);
  });

  it('deletes only at the expected revision; deleting an absent key fails', async () => {
    const b = await make();
    const r1 = await b.write(key('a'), cm('a', '1'), 0);
    const r2 = await b.write(key('a'), cm('a', '2'), r1);
    const stale = await compareFailure(b.write(key('a'), null, r1));
    assert.deepEqual([stale.expected, stale.actual, stale.revision], [r1, r2, r2]);
    const r3 = await b.write(key('a'), null, r2);
    assert.ok(r3 > r2);
    const again = await compareFailure(b.write(key('a'), null, r2));
    assert.deepEqual([again.expected, again.actual, again.revision], [r2, 0, r3]);
    const absent = await compareFailure(b.write(key('a'), null, 0));
    assert.deepEqual([absent.expected, absent.actual, absent.revision], [0, 0, r3]);
    const recreated = await b.write(key('a'), cm('a', '3'), 0);
    assert.ok(recreated > r3, 'a deleted key can be created again');
  });

  it('gives writes to different keys strictly increasing revisions, in write order', async () => {
    const b = await make();
    const revs: number[] = [];
    for (const n of ['c', 'a', 'b', 'e', 'd']) revs.push(await b.write(key(n), cm(n, '1'), 0));
    for (let i = 1; i < revs.length; i++) assert.ok(revs[i] > revs[i - 1], `revisions ${revs.join(',')} increase`);
    assert.equal(await b.currentRevision(), revs[revs.length - 1]);
  });

  it('lists what was written, each at its mod revision, at a revision no older than any', async () => {
    const b = await make();
    const a = await b.write(key('a'), cm('a', '1'), 0);
    const x = await b.write('/namespaces/default', JSON.stringify({ metadata: { name: 'default' } }), 0);
    const a2 = await b.write(key('a'), cm('a', '2'), a);
    const gone = await b.write(key('gone'), cm('gone', '1'), 0);
    const deleted = await b.write(key('gone'), null, gone);
    const snap = await b.list();
    const objects = [...snap.objects].sort((p, q) => p.key.localeCompare(q.key));
    assert.deepEqual(objects, [
      { key: key('a'), value: cm('a', '2'), revision: a2 },
      { key: '/namespaces/default', value: JSON.stringify({ metadata: { name: 'default' } }), revision: x },
    ]);
    assert.ok(snap.revision >= deleted, `list revision ${snap.revision} >= last write ${deleted}`);
    assert.equal(snap.revision, await b.currentRevision());
  });

  it('replays exactly the events after a revision, in order, then streams live ones', async () => {
    const b = await make();
    const r1 = await b.write(key('a'), cm('a', '1'), 0);
    const r2 = await b.write(key('b'), cm('b', '1'), 0);
    const r3 = await b.write(key('a'), cm('a', '2'), r1);
    const r4 = await b.write(key('b'), null, r2);
    const w = collect(b, r2);
    await waitFor(() => w.events.length >= 2, 'the replay');
    const r5 = await b.write(key('c'), cm('c', '1'), 0);
    await waitFor(() => w.events.length >= 3, 'the live event');
    await new Promise((r) => setTimeout(r, 50));
    w.stop();
    assert.deepEqual(w.events, [
      { revision: r3, key: key('a'), value: cm('a', '2') },
      { revision: r4, key: key('b'), value: null },
      { revision: r5, key: key('c'), value: cm('c', '1') },
    ]);
    assert.deepEqual(w.errors, []);
    assert.equal(w.revisions[w.revisions.length - 1], r5, 'the watch is brought to the newest revision');
    for (let i = 1; i < w.revisions.length; i++) assert.ok(w.revisions[i] > w.revisions[i - 1], 'revisions only move forward');
  });

  it('fails a watch from a compacted revision with ExpiredError; one from the compaction itself is served', async () => {
    const b = await make();
    const r1 = await b.write(key('a'), cm('a', '1'), 0);
    const r2 = await b.write(key('a'), cm('a', '2'), r1);
    const r3 = await b.write(key('a'), cm('a', '3'), r2);
    await b.compact(r2);
    await b.compact(r2);
    const old = collect(b, r1);
    await waitFor(() => old.errors.length > 0, 'the watch error');
    assert.ok(old.errors[0] instanceof ExpiredError, `got ${String(old.errors[0])}`);
    assert.deepEqual(old.events, []);
    const ok = collect(b, r2);
    await waitFor(() => ok.events.length > 0, 'the event after the compaction');
    ok.stop();
    assert.deepEqual(ok.events, [{ revision: r3, key: key('a'), value: cm('a', '3') }]);
    assert.deepEqual(ok.errors, []);
  });

  it('lets exactly one of 20 concurrent writers from the same revision win', async () => {
    const b = await make();
    const base = await b.write(key('a'), cm('a', 'base'), 0);
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => b.write(key('a'), cm('a', String(i)), base)));
    const won = results.filter((r): r is PromiseFulfilledResult<number> => r.status === 'fulfilled');
    assert.equal(won.length, 1);
    for (const r of results) {
      if (r.status === 'fulfilled') continue;
      assert.ok(r.reason instanceof CompareFailedError);
      assert.equal(r.reason.actual, won[0].value);
    }
    const [stored] = [...(await b.list()).objects];
    assert.equal(stored.revision, won[0].value);
  });
}

after(async () => {
  for (const b of opened) await b.close();
});


describe('MemoryBackend', () => contract(() => new MemoryBackend()));

describe('SqliteBackend', () => {
  const dir = tempDir('k8ts-contract-');
  let n = 0;
  const open = () => new SqliteBackend(path.join(dir, `${++n}.db`));
  contract(open);
});

describe('EtcdBackend', { skip: ETCD_SKIP }, () => {
  let etcd: EtcdProcess;
  let n = 0;
  /** Each test gets its own prefix: revisions are shared, keys are not. */
  const fresh = (prefix = `/registry-${++n}`) => track(new EtcdBackend(etcd.url, { prefix }));
  before(async () => {
    etcd = await startEtcd();
  });
  after(async () => {
    for (const b of opened.splice(0)) await b.close();
    await etcd?.stop();
  });

  describe('contract', () => contract(() => new EtcdBackend(etcd.url, { prefix: `/registry-${++n}` })));

  it('stores objects under the prefix, as kube-apiserver does', async () => {
    const b = fresh('/registry');
    const rev = await b.write('/pods/default/web-0', cm('web-0', '1'), 0);
    const raw = await b.client.get('/registry/pods/default/web-0').string();
    assert.equal(raw, cm('web-0', '1'));
    const [kv] = (await b.client.getAll().prefix('/registry/pods/').exec()).kvs;
    assert.equal(Number(kv.mod_revision), rev);
  });

  it('refuses a value over etcd\'s request limit with a 413 naming it, and stays usable', async () => {
    const b = fresh();
    await assert.rejects(b.write('/configmaps/default/huge', 'x'.repeat(1_800_000), 0), (e: unknown) =>
      isStatusError(e, 'RequestEntityTooLarge') && e.code === 413 && e.message === 'etcdserver: request is too large');
    await assert.rejects(b.write('/configmaps/default/huger', 'x'.repeat(2_200_000), 0), (e: unknown) => isStatusError(e, 'RequestEntityTooLarge') && /larger than max/.test(e.message));
    assert.ok((await b.write('/configmaps/default/small', cm('small', '1'), 0)) > 0);
  });

  it('lists page by page at the revision of the first page', async () => {
    const prefix = `/registry-${++n}`;
    const writer = fresh(prefix);
    const names = ['a', 'b', 'c', 'd', 'e'];
    const revs = await Promise.all(names.map((x) => writer.write(key(x), cm(x, '1'), 0)));
    const paged = track(new EtcdBackend(etcd.url, { prefix, pageSize: 2 }));
    // Writes between the first page and the next must not show in the list.
    const range = paged.client.kv.range.bind(paged.client.kv);
    let pages = 0;
    paged.client.kv.range = async (req, options) => {
      const res = await range(req, options);
      if (++pages === 1) {
        await writer.write(key('e'), cm('e', '2'), revs[4]);
        await writer.write(key('f'), cm('f', '1'), 0);
      }
      return res;
    };
    const snap = await paged.list();
    assert.equal(pages, 3);
    assert.deepEqual(
      [...snap.objects].map((o) => [o.key, o.revision]),
      names.map((x, i) => [key(x), revs[i]]),
    );
    assert.equal(snap.revision, Math.max(...revs));
  });

  it('two servers on one etcd: a write through one is watched on the other, a stale CAS through the other fails', async () => {
    const prefix = `/registry-${++n}`;
    const one = fresh(prefix);
    const two = fresh(prefix);
    const w = collect(two, await two.currentRevision());
    const r1 = await one.write(key('a'), cm('a', '1'), 0);
    await waitFor(() => w.events.length > 0, 'the other server to see the write');
    assert.deepEqual(w.events, [{ revision: r1, key: key('a'), value: cm('a', '1') }]);
    const r2 = await one.write(key('a'), cm('a', '2'), r1);
    const e = await compareFailure(two.write(key('a'), cm('a', 'stale'), r1));
    assert.deepEqual([e.actual, e.revision], [r2, r2]);
    w.stop();
  });

  it('advances a watch with writes outside the prefix, without events for them', async () => {
    const b = fresh();
    const w = collect(b, await b.currentRevision());
    const foreign = Number((await b.client.put('some-other-key').value('x').exec()).header.revision);
    await waitFor(() => w.revisions.includes(foreign), 'the foreign revision');
    w.stop();
    assert.deepEqual(w.events, []);
  });

  it('Compactor: of two servers only one compacts per interval, to the revision of the interval before', async () => {
    const one = fresh();
    const two = fresh();
    const c1 = new Compactor(one);
    const c2 = new Compactor(two);
    // Bootstrap: the first interval records a revision and compacts nothing.
    assert.equal(await c1.compactOnce(), 0);
    assert.equal(await c2.compactOnce(), 0);
    const recorded = Number((await one.client.getAll().prefix(COMPACT_REV_KEY).exec()).kvs[0].mod_revision);
    const r1 = await one.write(key('a'), cm('a', '1'), 0);
    await one.write(key('a'), cm('a', '2'), r1);
    const first = [await c1.compactOnce(), await c2.compactOnce()];
    assert.equal(first.filter((r) => r > 0).length, 1, `one compaction in the interval: ${first}`);
    assert.equal(first[0], recorded, 'it compacts to the revision recorded one interval earlier');
    // The next interval the other one may win; still once.
    const second = [await c2.compactOnce(), await c1.compactOnce()];
    assert.equal(second.filter((r) => r > 0).length, 1, `one compaction in the interval: ${second}`);
    assert.ok(second[0] > first[0]);
    const old = collect(two, second[0] - 1);
    await waitFor(() => old.errors.length > 0, 'the watch error');
    assert.ok(old.errors[0] instanceof ExpiredError, `got ${String(old.errors[0])}`);
  });

  it('Store: two caches on one etcd see each other’s writes after fresh()', async () => {
    const prefix = `/registry-${++n}`;
    const s1 = await Store.open(fresh(prefix));
    const s2 = await Store.open(fresh(prefix));
    const seen: StoreEvent[] = [];
    s2.watch('configmaps', 'default', s2.revision, (ev) => seen.push(ev));
    const put = await s1.put('configmaps', 'default', 'a', JSON.parse(cm('a', '1')), 0);
    assert.equal(put.object.metadata.resourceVersion, String(put.rev));
    await s2.fresh();
    assert.deepEqual(s2.get('configmaps', 'default', 'a')?.object, put.object);
    assert.deepEqual(
      seen.map((e) => [e.type, e.rev, e.entry.name]),
      [['ADDED', put.rev, 'a']],
    );
    // fresh() must also return when the newest revision is a write outside the prefix.
    await s1.put('configmaps', 'default', 'a', JSON.parse(cm('a', '2')), put.rev);
    await s1.fresh();
    await fresh().client.put(COMPACT_REV_KEY).value('0');
    await s2.fresh();
    assert.deepEqual(s2.get('configmaps', 'default', 'a')?.object.data, { v: '2' });
    await s1.close();
    await s2.close();
  });

  it('a watch survives an etcd restart: it resumes after what it delivered, nothing twice, nothing missed', async () => {
    const prefix = `/registry-${++n}`;
    const writer = fresh(prefix);
    const watched = fresh(prefix);
    const w = collect(watched, await watched.currentRevision());
    const r1 = await writer.write(key('a'), cm('a', '1'), 0);
    await waitFor(() => w.events.length === 1, 'the first event');
    await etcd.restart();
    const r2 = await retried(() => writer.write(key('a'), cm('a', '2'), r1));
    const r3 = await writer.write(key('b'), cm('b', '1'), 0);
    await waitFor(() => w.events.length >= 3, 'the events after the restart', 15_000);
    await new Promise((r) => setTimeout(r, 100));
    w.stop();
    assert.deepEqual(
      w.events.map((e) => e.revision),
      [r1, r2, r3],
    );
    assert.deepEqual(w.errors, []);
  });
});

/** Retry `fn` while etcd is unreachable (not on a failed compare). */
async function retried<T>(fn: () => Promise<T>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof CompareFailedError || Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
