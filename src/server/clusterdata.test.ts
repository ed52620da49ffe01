import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openClusterData, sealClusterData } from './clusterdata.js';

const files = { 'ca.crt': 'CERT', 'ca.key': 'KEY', 'sa.key': 'SA', 'admin.token': 'TOKEN' };

test('cluster data sealed with a token opens only with that token and shows none of the keys', () => {
  const sealed = sealClusterData(files, 's3cret');
  for (const secret of Object.values(files)) assert.ok(!sealed.includes(secret), `${secret} is not readable in etcd`);
  assert.deepEqual(openClusterData(sealed, 's3cret'), files);
  assert.throws(() => openClusterData(sealed, 'wrong'), /does not open with this --token: start with the token the first server was given/);
  assert.throws(() => openClusterData(sealed, undefined), /is encrypted: start with the --token the first server was given/);
});

test('cluster data stored without a token refuses a server that brings one', () => {
  const plain = sealClusterData(files, undefined);
  assert.deepEqual(openClusterData(plain, undefined), files);
  assert.throws(() => openClusterData(plain, 's3cret'), /is not encrypted, but --token was given/);
});

test('a tampered sealed value is refused, not half-read', () => {
  const sealed = JSON.parse(sealClusterData(files, 's3cret'));
  const data = Buffer.from(sealed.sealed.data, 'base64');
  data[0] ^= 1;
  sealed.sealed.data = data.toString('base64');
  assert.throws(() => openClusterData(JSON.stringify(sealed), 's3cret'), /does not open with this --token/);
});
