// ObjectMeta rules shared by every resource: names, uids, timestamps, what clients may not set.

import { randomBytes, randomUUID } from 'node:crypto';
import { rfc3339 } from '../machinery/clock.js';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import { badRequest } from '../machinery/errors.js';
import type { Mutable } from '../machinery/objects.js';
import type { KObject } from '../storage/store.js';

const GENERATE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** names.SimpleNameGenerator: base (cut to 58 chars) plus five random characters. */
export function generateName(base: string): string {
  const b = base.length > 58 ? base.slice(0, 58) : base;
  const bytes = randomBytes(5);
  let suffix = '';
  for (const x of bytes) suffix += GENERATE_ALPHABET[x % GENERATE_ALPHABET.length];
  return b + suffix;
}

/** Fill what the server owns on create: uid, creationTimestamp; drop what clients may not set. */
export function initObjectMeta(meta: Mutable<ObjectMeta>, now: number): void {
  meta.uid = randomUUID();
  meta.creationTimestamp = rfc3339(now);
  delete meta.resourceVersion;
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  delete meta.selfLink;
  delete meta.managedFields;
  if (meta.generation !== undefined) delete meta.generation;
}

/** On update the server keeps identity and lifecycle fields from the stored object. */
export function carryObjectMeta(meta: Mutable<ObjectMeta>, old: ObjectMeta): void {
  meta.uid = old.uid;
  meta.creationTimestamp = old.creationTimestamp;
  meta.name = old.name;
  if (old.namespace !== undefined) meta.namespace = old.namespace;
  if (old.deletionTimestamp) meta.deletionTimestamp = old.deletionTimestamp;
  else delete meta.deletionTimestamp;
  if (old.deletionGracePeriodSeconds !== undefined) meta.deletionGracePeriodSeconds = old.deletionGracePeriodSeconds;
  else delete meta.deletionGracePeriodSeconds;
  if (old.generation !== undefined) meta.generation = old.generation;
  else delete meta.generation;
  delete meta.selfLink;
  delete meta.managedFields;
  if (meta.generateName === undefined && old.generateName !== undefined) meta.generateName = old.generateName;
}

/** Everything but metadata and status: what a generation counts. */
export function specOf(obj: KObject): Record<string, unknown> {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj;
  return rest;
}

/**
 * A resourceVersion a client sent (APIObjectVersioner.ParseResourceVersion): '' and '0' mean "any", anything
 * else must be an unsigned integer, or the request is a 400 before any comparison.
 */
export function parseResourceVersion(rv: unknown): number {
  const text = typeof rv === 'string' ? rv : String(rv);
  if (text === '' || text === '0') return 0;
  const n = Number(text);
  const why = !/^\d+$/.test(text) ? 'invalid syntax' : !Number.isSafeInteger(n) ? 'value out of range' : '';
  if (why) throw badRequest(`resourceVersion: Invalid value: ${JSON.stringify(text)}: strconv.ParseUint: parsing ${JSON.stringify(text)}: ${why}`);
  return n;
}
