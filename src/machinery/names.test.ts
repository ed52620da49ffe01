import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  isConfigMapKey, isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isIPv6, isQualifiedName, isValidLabelValue,
  isValidPathSegmentName, isValidPortName, nameIsDNSSubdomain,
} from './names.js';

test('DNS-1123 subdomain errors carry the upstream text and regex', () => {
  assert.deepEqual(isDNS1123Subdomain('example.com'), []);
  assert.deepEqual(isDNS1123Subdomain('Web_1'), [
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
  ]);
  assert.deepEqual(isDNS1123Subdomain('a'.repeat(254)), ['must be no more than 253 characters']);
});

test('a DNS-1123 label rejects dots with its own message and keeps the double-spaced examples', () => {
  assert.deepEqual(isDNS1123Label('my.name'), ['must not contain dots']);
  assert.deepEqual(isDNS1123Label('-x'), [
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
  ]);
  assert.equal(isDNS1035Label('1abc').length, 1);
});

test('qualified names report prefix and name parts separately', () => {
  assert.deepEqual(isQualifiedName('app.kubernetes.io/name'), []);
  assert.deepEqual(isQualifiedName('/name'), ['prefix part must be non-empty']);
  assert.match(isQualifiedName('a/b/c')[0], /^a qualified name must consist of/);
  assert.deepEqual(isQualifiedName(`x/${'n'.repeat(64)}`), ['name part must be no more than 63 characters']);
  assert.deepEqual(isValidLabelValue(''), []);
  assert.match(isValidLabelValue('-bad')[0], /^a valid label must be an empty string/);
});

test('config keys, port names and path segments', () => {
  assert.deepEqual(isConfigMapKey('zoo.cfg'), []);
  assert.deepEqual(isConfigMapKey('..data').slice(-1), ["must not start with '..'"]);
  assert.deepEqual(isValidPortName('http'), []);
  assert.deepEqual(isValidPortName('80'), ['must contain at least one letter (a-z)']);
  assert.deepEqual(isValidPathSegmentName('a/b'), ["may not contain '/'"]);
  assert.deepEqual(isValidPathSegmentName('..'), ["may not be '..'"]);
});

test('generateName prefixes may end with a dash', () => {
  assert.deepEqual(nameIsDNSSubdomain('web-', true), []);
  assert.equal(nameIsDNSSubdomain('web-', false).length, 1);
});

test('IPv6 addresses', () => {
  for (const ip of ['::1', 'fe80::1', '2001:db8::ffff', '::ffff:10.0.0.1']) assert.ok(isIPv6(ip), ip);
  for (const ip of [':1::2', '1:2:3', '10.0.0.1', 'g::1']) assert.ok(!isIPv6(ip), ip);
});
