import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openIDConfiguration } from './discovery.js';

test('discovery document for an issuer', () => {
  assert.deepEqual(openIDConfiguration('https://kubernetes.default.svc.cluster.local'), {
    issuer: 'https://kubernetes.default.svc.cluster.local',
    jwks_uri: 'https://kubernetes.default.svc.cluster.local/openid/v1/jwks',
    response_types_supported: ['id_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
  });
});

test('jwks_uri from the external address or an explicit --service-account-jwks-uri', () => {
  assert.equal(openIDConfiguration('https://kubernetes.default.svc', { externalAddress: '10.0.0.1:6443' }).jwks_uri, 'https://10.0.0.1:6443/openid/v1/jwks');
  assert.equal(openIDConfiguration('https://kubernetes.default.svc', { jwksUri: 'https://example.com/keys' }).jwks_uri, 'https://example.com/keys');
});
