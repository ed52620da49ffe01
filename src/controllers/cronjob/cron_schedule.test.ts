import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseStandard } from './cron_schedule.js';

const at = (s: string) => Date.parse(s);
const iso = (t: number | undefined) => (t === undefined ? undefined : new Date(t).toISOString());

test('*/1 and */15 step through minutes, strictly after t', () => {
  assert.equal(iso(parseStandard('*/1 * * * *').next(at('2026-01-01T00:00:00Z'))), '2026-01-01T00:01:00.000Z');
  assert.equal(iso(parseStandard('*/1 * * * *').next(at('2026-01-01T00:00:30Z'))), '2026-01-01T00:01:00.000Z');
  assert.equal(iso(parseStandard('*/15 * * * *').next(at('2026-01-01T00:15:00Z'))), '2026-01-01T00:30:00.000Z');
  assert.equal(iso(parseStandard('5/20 * * * *').next(at('2026-01-01T00:30:00Z'))), '2026-01-01T00:45:00.000Z');
});

test('descriptors: @hourly, @daily, @weekly, @monthly, @yearly', () => {
  const t = at('2026-01-07T10:30:00Z'); // a Wednesday
  assert.equal(iso(parseStandard('@hourly').next(t)), '2026-01-07T11:00:00.000Z');
  assert.equal(iso(parseStandard('@daily').next(t)), '2026-01-08T00:00:00.000Z');
  assert.equal(iso(parseStandard('@weekly').next(t)), '2026-01-11T00:00:00.000Z');
  assert.equal(iso(parseStandard('@monthly').next(t)), '2026-02-01T00:00:00.000Z');
  assert.equal(iso(parseStandard('@yearly').next(t)), '2027-01-01T00:00:00.000Z');
});

test('day of month and day of week: OR when both are restricted, AND when one is *', () => {
  const t = at('2026-01-01T00:00:00Z'); // a Thursday
  // 13th or any Friday: Friday the 2nd comes first.
  assert.equal(iso(parseStandard('0 0 13 * 5').next(t)), '2026-01-02T00:00:00.000Z');
  // Only Mondays (dom is *).
  assert.equal(iso(parseStandard('30 9 * * mon').next(t)), '2026-01-05T09:30:00.000Z');
  assert.equal(iso(parseStandard('0 12 * feb 1-5').next(t)), '2026-02-02T12:00:00.000Z');
});

test('TZ= evaluates the fields in that zone', () => {
  const t = at('2026-01-01T00:00:00Z');
  // 09:00 in Tokyo (UTC+9) is midnight UTC; the next one is a day later.
  assert.equal(iso(parseStandard('TZ=Asia/Tokyo 0 9 * * *').next(t)), '2026-01-02T00:00:00.000Z');
  // New York in July is UTC-4.
  assert.equal(iso(parseStandard('TZ=America/New_York 0 6 * * *').next(at('2026-07-01T00:00:00Z'))), '2026-07-01T10:00:00.000Z');
  assert.throws(() => parseStandard('TZ=Mars/Olympus 0 6 * * *'), /unknown time zone Mars\/Olympus/);
});

test('@every and impossible dates', () => {
  assert.equal(iso(parseStandard('@every 1h30m').next(at('2026-01-01T00:00:00.500Z'))), '2026-01-01T01:30:00.000Z');
  assert.equal(parseStandard('0 0 30 2 *').next(at('2026-01-01T00:00:00Z')), undefined);
  assert.throws(() => parseStandard('* * * *'), /expected exactly 5 fields, found 4/);
});
