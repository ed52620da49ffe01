// Helpers for the StatefulSet tutorial tests: the tutorial's commands, reading pods and the set, waiting
// for conditions, and reading `kubectl get pods -w` lines.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import type { Stored } from '../../src/client/objects.js';
import type { Cluster, Stream } from './harness.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/e2e/fixtures');
export const WEB_YAML = readFileSync(path.join(FIXTURES, 'web.yaml'), 'utf8');

/** Small delays: every transition shows in a watch, and a pod is replaced in well under a second. */
export const SIM_ARGS = ['--sim-start-delay', '200ms', '--sim-stop-delay', '100ms'];

/** The tutorial's image change: a JSON patch of the first container's image. */
export function setImage(c: Cluster, image: string): Promise<string> {
  return c.ok(['patch', 'statefulset', 'web', '--type=json', `-p=[{"op": "replace", "path": "/spec/template/spec/containers/0/image", "value":"${image}"}]`]);
}

/** The tutorial's `kubectl patch statefulset web -p '{"spec":{"updateStrategy":...}}'` with a partition. */
export function setPartition(c: Cluster, partition: number): Promise<string> {
  return c.ok(['patch', 'statefulset', 'web', '-p', JSON.stringify({ spec: { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition } } } })]);
}

export interface PodView {
  uid: string;
  image: string;
  revision: string;
  ready: boolean;
  terminating: boolean;
}

/** The set's pods by name, as `kubectl get pods -l app=nginx -o json` shows them. */
export async function pods(c: Cluster): Promise<Map<string, PodView>> {
  const list = await c.json(['get', 'pods', '-l', 'app=nginx']);
  return new Map(
    list.items.map((p: Stored<Pod>) => [
      p.metadata.name,
      {
        uid: p.metadata.uid,
        image: p.spec!.containers[0].image,
        revision: p.metadata.labels?.['controller-revision-hash'] ?? '',
        ready: p.status?.phase === 'Running' && p.status?.conditions?.some((x: PodCondition) => x.type === 'Ready' && x.status === 'True'),
        terminating: !!p.metadata.deletionTimestamp,
      },
    ]),
  );
}

export const images = async (c: Cluster): Promise<Record<string, string>> => Object.fromEntries([...(await pods(c))].map(([n, p]) => [n, p.image]));

/** Polls `fn` until it returns something other than undefined/false; the error names what was awaited and the last value seen. */
export async function waitUntil<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until the pod is a new instance (a uid other than `oldUid`) that is Running and Ready. */
export function waitForReplacement(c: Cluster, name: string, oldUid: string): Promise<PodView> {
  return waitUntil(`${name} to come back Running and Ready`, async () => {
    const p = (await pods(c)).get(name);
    return p && p.uid !== oldUid && p.ready && !p.terminating ? p : undefined;
  });
}

type StatusField = 'replicas' | 'readyReplicas' | 'availableReplicas' | 'currentReplicas' | 'updatedReplicas' | 'currentRevision' | 'updateRevision';
export type StatusView = Partial<Record<StatusField, number | string>>;

/**
 * Waits until the set's status has observed its generation and its fields equal `expected` (counts the API
 * omits when zero read as 0). Returns the whole set.
 */
export async function waitForStatus(c: Cluster, expected: StatusView, timeoutMs = 30_000): Promise<Stored<StatefulSet>> {
  let last: unknown;
  try {
    return await waitUntil(
      'status',
      async () => {
        const set = await c.json<Stored<StatefulSet>>(['get', 'sts', 'web']);
        const s = (set.status ?? {}) as Record<string, unknown>;
        last = { generation: set.metadata.generation, ...s };
        if (s.observedGeneration !== set.metadata.generation) return undefined;
        const seen = Object.fromEntries(Object.keys(expected).map((k) => [k, s[k] ?? (k.endsWith('Revision') ? '' : 0)]));
        try {
          assert.deepEqual(seen, expected);
          return set;
        } catch {
          return undefined;
        }
      },
      timeoutMs,
    );
  } catch {
    throw new Error(`status never became ${JSON.stringify(expected)}; last: ${JSON.stringify(last)}`);
  }
}

export interface WatchRow {
  name: string;
  ready: string;
  status: string;
}

/** The rows of a `kubectl get pods -w` stream, header left out. */
export function watchRows(w: Stream): WatchRow[] {
  return w.lines
    .filter((l) => l.trim() && !l.startsWith('NAME'))
    .map((l) => {
      const [name, ready, status] = l.trim().split(/\s+/);
      return { name, ready, status };
    });
}

const up = (r: WatchRow) => r.ready === '1/1' && r.status === 'Running';

/** Waits until the watch shows `name` going down `times` times in all and being back up (1/1 Running) after that. */
export function waitForWatchedReplacement(w: Stream, name: string, times = 1): Promise<true> {
  return waitUntil(`the watch to show ${name} replaced`, async () => {
    let downs = 0;
    let isUp = true;
    for (const r of watchRows(w).filter((x) => x.name === name)) {
      if (isUp && !up(r)) downs++;
      isUp = up(r);
    }
    return downs >= times && isUp;
  });
}

/**
 * Asserts on the order of a pods watch: pods went down (Terminating) exactly in `order`, each only while
 * every other pod was Running and Ready, and each came back through Pending, ContainerCreating, Running.
 */
export function assertReplacedOneAtATime(rows: WatchRow[], order: string[]): void {
  const state = new Map<string, WatchRow>();
  const wentDown: string[] = [];
  const history = new Map<string, string[]>();
  for (const r of rows) {
    const before = state.get(r.name);
    if (before && up(before) && !up(r)) {
      wentDown.push(r.name);
      const othersDown = [...state].filter(([n, s]) => n !== r.name && !up(s)).map(([n, s]) => `${n} ${s.ready} ${s.status}`);
      assert.deepEqual(othersDown, [], `${r.name} went down while others were not Running and Ready`);
      history.set(r.name, []);
    }
    history.get(r.name)?.push(r.status);
    state.set(r.name, r);
  }
  assert.deepEqual(wentDown, order, 'pods replaced in this order');
  for (const name of order) {
    const statuses = history.get(name)!;
    const at = (s: string, from: number) => statuses.indexOf(s, from);
    const t = at('Terminating', 0);
    const p = at('Pending', t);
    const cc = at('ContainerCreating', p);
    const run = at('Running', cc);
    assert.ok(t === 0 && p > t && cc > p && run > cc, `${name} went through Terminating, Pending, ContainerCreating, Running: ${statuses.join(', ')}`);
    assert.ok(up(state.get(name)!), `${name} ends Running and Ready`);
  }
}

/** kubectl rollout status output: only known progress lines, ending with `last`. */
export function assertRolloutStatus(stdout: string, last: string): void {
  const lines = stdout.trim().split('\n');
  assert.equal(lines.at(-1), last);
  const progress = [
    /^Waiting for statefulset spec update to be observed\.\.\.$/,
    /^Waiting for \d+ pods to be ready\.\.\.$/,
    /^Waiting for partitioned roll out to finish: \d+ out of \d+ new pods have been updated\.\.\.$/,
    /^waiting for statefulset rolling update to complete \d+ pods at revision web-\w+\.\.\.$/,
  ];
  for (const l of lines.slice(0, -1)) assert.ok(progress.some((re) => re.test(l)), `unexpected rollout status line: ${l}`);
}
