import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDuration } from './durationparse.js';

// Cases from Go's time/time_test.go parseDurationTests, converted from nanoseconds to milliseconds.
const VALID: [string, number][] = [
  ['0', 0],
  ['-0', 0],
  ['+0', 0],
  ['5s', 5000],
  ['30s', 30000],
  ['1478s', 1478000],
  ['-5s', -5000],
  ['+5s', 5000],
  ['5.0s', 5000],
  ['5.6s', 5600],
  ['5.s', 5000],
  ['.5s', 500],
  ['1.004s', 1004],
  ['100.00100s', 100001],
  ['10ns', 10 / 1e6],
  ['11us', 11 / 1e3],
  ['12µs', 12 / 1e3],
  ['12μs', 12 / 1e3],
  ['13ms', 13],
  ['15m', 15 * 60000],
  ['16h', 16 * 3600000],
  ['3h30m', 12600000],
  ['10.5s4m', 250500],
  ['-2m3.4s', -123400],
  ['1h2m3s4ms5us6ns', 3723004005006 / 1e6],
  ['39h9m14.425s', 140954425],
  ['0.3333333333333333333h', 20 * 60000],
  ['200ms', 200],
  ['2s', 2000],
  ['1m', 60000],
];

for (const [text, ms] of VALID) {
  test(`parseDuration(${JSON.stringify(text)}) = ${ms}ms`, () => {
    assert.equal(parseDuration(text), ms);
  });
}

const INVALID: [string, string][] = [
  ['', 'invalid duration ""'],
  ['3', 'missing unit in duration "3"'],
  ['-', 'invalid duration "-"'],
  ['s', 'invalid duration "s"'],
  ['.', 'invalid duration "."'],
  ['-.', 'invalid duration "-."'],
  ['.s', 'invalid duration ".s"'],
  ['+.s', 'invalid duration "+.s"'],
  ['1d', 'unknown unit "d" in duration "1d"'],
  ['abc', 'invalid duration "abc"'],
  ['2 s', 'unknown unit " s" in duration "2 s"'],
  ['1s2', 'missing unit in duration "1s2"'],
  ['9223372036854775808ns', 'invalid duration "9223372036854775808ns"'],
];

for (const [text, message] of INVALID) {
  test(`parseDuration(${JSON.stringify(text)}) throws`, () => {
    assert.throws(() => parseDuration(text), { message });
  });
}
