import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boundClaims, legacyClaims, validateClaims, type TokenLookup } from './claims.js';

const ISS = 'https://kubernetes.default.svc.cluster.local';
const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const SA = { name: 'default', uid: 'sa-uid' };
const POD = { name: 'web-0', uid: 'pod-uid' };

function lookup(over: Partial<TokenLookup> = {}): TokenLookup {
  return {
    serviceAccount: (ns, name) => (ns === 'default' && name === 'default' ? { uid: 'sa-uid' } : undefined),
    pod: (ns, name) => (ns === 'default' && name === 'web-0' ? { uid: 'pod-uid', nodeName: 'node-1', serviceAccountName: 'default' } : undefined),
    secret: () => undefined,
    node: (name) => (name === 'node-1' ? { uid: 'node-uid' } : undefined),
    ...over,
  };
}

const podToken = (nowMs = NOW) =>
  boundClaims({ issuer: ISS, audiences: [ISS], namespace: 'default', serviceAccount: SA, pod: POD, node: { name: 'node-1', uid: 'node-uid' }, expirationSeconds: 3600, nowMs, newUUID: () => 'a1b2' });

const opts = (over = {}) => ({ issuers: [ISS], audiences: [ISS], nowMs: NOW, lookup: lookup(), ...over });

test('claims of a pod-bound token', () => {
  const now = NOW / 1000;
  assert.deepEqual(
    boundClaims({ issuer: ISS, audiences: ['api'], namespace: 'default', serviceAccount: SA, pod: POD, node: { name: 'node-1', uid: 'node-uid' }, expirationSeconds: 3600, nowMs: NOW + 999, warnAfter: 3607, newUUID: () => 'a1b2' }),
    {
      iss: ISS,
      sub: 'system:serviceaccount:default:default',
      aud: ['api'],
      exp: now + 3600,
      iat: now,
      nbf: now,
      jti: 'a1b2',
      'kubernetes.io': { namespace: 'default', serviceaccount: SA, pod: POD, node: { name: 'node-1', uid: 'node-uid' }, warnafter: now + 3607 },
    },
  );
  assert.match(boundClaims({ issuer: ISS, audiences: [], namespace: 'n', serviceAccount: SA, expirationSeconds: 600, nowMs: NOW }).jti, /^[0-9a-f-]{36}$/);
});

test('a token cannot be bound to a secret and a pod', () => {
  assert.throws(
    () => boundClaims({ issuer: ISS, audiences: [], namespace: 'n', serviceAccount: SA, pod: POD, secret: { name: 's', uid: 'u' }, expirationSeconds: 600, nowMs: NOW }),
    { message: 'internal error, token can only be bound to one object type' },
  );
});

test('legacy Secret token claims', () => {
  assert.deepEqual(legacyClaims({ namespace: 'default', serviceAccount: SA, secretName: 'default-token-abcde' }), {
    iss: 'kubernetes/serviceaccount',
    'kubernetes.io/serviceaccount/namespace': 'default',
    'kubernetes.io/serviceaccount/secret.name': 'default-token-abcde',
    'kubernetes.io/serviceaccount/service-account.name': 'default',
    'kubernetes.io/serviceaccount/service-account.uid': 'sa-uid',
    sub: 'system:serviceaccount:default:default',
  });
});

test('a valid pod-bound token gives the service account user with pod, node and credential extras', () => {
  assert.deepEqual(validateClaims(podToken(), opts()), {
    user: {
      name: 'system:serviceaccount:default:default',
      uid: 'sa-uid',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated'],
      extra: {
        'authentication.kubernetes.io/pod-name': ['web-0'],
        'authentication.kubernetes.io/pod-uid': ['pod-uid'],
        'authentication.kubernetes.io/node-name': ['node-1'],
        'authentication.kubernetes.io/node-uid': ['node-uid'],
        'authentication.kubernetes.io/credential-id': ['JTI=a1b2'],
      },
    },
    audiences: [ISS],
  });
});

test('expiry honours the 60 s leeway', () => {
  const c = podToken();
  assert.doesNotThrow(() => validateClaims(c, opts({ nowMs: NOW + 3660_000 })));
  assert.throws(() => validateClaims(c, opts({ nowMs: NOW + 3661_000 })), { message: 'service account token has expired' });
  assert.throws(() => validateClaims(c, opts({ nowMs: NOW - 61_000 })), { message: 'service account token is not valid yet' });
});

test('wrong audience and issuer', () => {
  assert.throws(() => validateClaims(podToken(), opts({ requestedAudiences: ['vault'] })), {
    message: `token audiences ["${ISS}"] is invalid for the target audiences ["vault"]`,
  });
  assert.throws(() => validateClaims({ ...podToken(), iss: 'https://evil' }, opts()), { message: 'token issuer "https://evil" is invalid' });
});

test('deleted or recreated service account', () => {
  assert.throws(() => validateClaims(podToken(), opts({ lookup: lookup({ serviceAccount: () => undefined }) })), { message: 'serviceaccounts "default" not found' });
  assert.throws(() => validateClaims(podToken(), opts({ lookup: lookup({ serviceAccount: () => ({ uid: 'new-uid' }) }) })), {
    message: 'service account UID (new-uid) does not match claim (sa-uid)',
  });
  const deleting = lookup({ serviceAccount: () => ({ uid: 'sa-uid', deletionTimestamp: new Date(NOW - 120_000).toISOString() }) });
  assert.throws(() => validateClaims(podToken(), opts({ lookup: deleting })), { message: 'service account default/default has been deleted' });
});

test('bound pod deleted or recreated', () => {
  assert.throws(() => validateClaims(podToken(), opts({ lookup: lookup({ pod: () => undefined }) })), { message: 'service account token has been invalidated' });
  assert.throws(() => validateClaims(podToken(), opts({ lookup: lookup({ pod: () => ({ uid: 'other' }) }) })), {
    message: 'pod UID (other) does not match service account pod ref claim (pod-uid)',
  });
});

test('secret- and node-bound tokens', () => {
  const sec = boundClaims({ issuer: ISS, audiences: [ISS], namespace: 'default', serviceAccount: SA, secret: { name: 's', uid: 's-uid' }, expirationSeconds: 600, nowMs: NOW });
  assert.throws(() => validateClaims(sec, opts()), { message: 'service account token has been invalidated' });
  assert.throws(() => validateClaims(sec, opts({ lookup: lookup({ secret: () => ({ uid: 'x' }) }) })), {
    message: 'secret UID (x) does not match service account secret ref claim (s-uid)',
  });
  const node = boundClaims({ issuer: ISS, audiences: [ISS], namespace: 'default', serviceAccount: SA, node: { name: 'node-1', uid: 'old' }, expirationSeconds: 600, nowMs: NOW });
  assert.throws(() => validateClaims(node, opts()), { message: 'node UID (node-uid) does not match service account node ref claim (old)' });
});

test('legacy tokens: no exp, implicit audiences, compared with the Secret', () => {
  const c = legacyClaims({ namespace: 'default', serviceAccount: SA, secretName: 'tok' });
  const withSecret = lookup({ secret: () => ({ uid: 'x', token: 'the-token' }) });
  const r = validateClaims(c, opts({ lookup: withSecret, tokenData: 'the-token', nowMs: NOW + 10 * 365 * 86400_000 }));
  assert.equal(r.user.name, 'system:serviceaccount:default:default');
  assert.equal(r.user.extra, undefined);
  assert.deepEqual(r.audiences, [ISS]);
  assert.throws(() => validateClaims(c, opts({ lookup: withSecret, tokenData: 'stale' })), { message: "Token does not match server's copy" });
  assert.throws(() => validateClaims(c, opts({ tokenData: 'the-token' })), { message: 'Token has been invalidated' });
  assert.throws(() => validateClaims({ ...c, sub: 'system:serviceaccount:kube-system:admin' }, opts({ lookup: withSecret, tokenData: 'the-token' })), {
    message: 'sub claim is invalid',
  });
});
