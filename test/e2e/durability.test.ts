// Nothing acknowledged is lost: kill -9 in the middle of hundreds of concurrent creates, restart,
// and every object whose create was answered 2xx is there with its content.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import type { Stored, StoredList } from '../../src/client/objects.js';
import { request, startCluster, type Cluster } from './harness.js';

const TOTAL = 600;
const CONCURRENCY = 32;

describe('durability under kill -9', () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster();
  });
  after(async () => {
    await c.destroy();
  });

  it('keeps every acknowledged create', async () => {
    const acked = new Map<string, { value: string; rv: number }>();
    let next = 0;
    let killed = false;
    const worker = async () => {
      while (next < TOTAL) {
        const i = next++;
        const name = `cm-${i}`;
        const value = `value-${i}-${'x'.repeat(i % 200)}`;
        try {
          const res = await request(c, 'POST', '/api/v1/namespaces/default/configmaps', JSON.stringify({ metadata: { name }, data: { v: value } }), { 'Content-Type': 'application/json' });
          if (res.status === 201) acked.set(name, { value, rv: Number(JSON.parse(res.body).metadata.resourceVersion) });
        } catch {
          // connection reset by the kill: not acknowledged
        }
        if (!killed && acked.size >= TOTAL / 2) {
          killed = true;
          await c.kill9();
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    assert.ok(killed, 'the server was killed mid-stream');
    assert.ok(acked.size >= TOTAL / 2);

    await c.start();
    const res = await request(c, 'GET', '/api/v1/namespaces/default/configmaps');
    const list = JSON.parse(res.body) as StoredList<ConfigMap>;
    const stored = new Map<string, Stored<ConfigMap>>(list.items.map((o) => [o.metadata.name, o]));
    for (const [name, { value }] of acked) {
      assert.ok(stored.has(name), `${name} was acknowledged but is missing after restart`);
      assert.equal(stored.get(name)!.data!.v, value);
    }
    const maxAcked = Math.max(...[...acked.values()].map((a) => a.rv));
    const created = await request(c, 'POST', '/api/v1/namespaces/default/configmaps', JSON.stringify({ metadata: { name: 'after' } }), { 'Content-Type': 'application/json' });
    assert.equal(created.status, 201);
    assert.ok(Number(JSON.parse(created.body).metadata.resourceVersion) > maxAcked, 'revisions keep increasing after the restart');
  });
});
