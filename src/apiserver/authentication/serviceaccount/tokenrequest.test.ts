import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import type { TokenRequest } from 'kubernetes-types/authentication/v1.js';
import { isStatusError } from '../../../machinery/errors.js';
import type { BoundClaims, TokenLookup } from './claims.js';
import { verifyJwt } from './jwt.js';
import { signingKeyFromPrivateKey } from './signingkey.js';
import { issueToken, type TokenRequestContext } from './tokenrequest.js';

const ISS = 'https://kubernetes.default.svc.cluster.local';
const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const key = signingKeyFromPrivateKey(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);

const lookup: TokenLookup = {
  serviceAccount: () => ({ uid: 'sa-uid' }),
  pod: (_ns, name) =>
    name === 'web-0' ? { uid: 'pod-uid', nodeName: 'node-1', serviceAccountName: 'default' } : name === 'other-sa' ? { uid: 'p2', serviceAccountName: 'builder' } : undefined,
  secret: (_ns, name) => (name === 's' ? { uid: 's-uid' } : undefined),
  node: (name) => (name === 'node-1' ? { uid: 'node-uid' } : undefined),
};

const ctx: TokenRequestContext = { namespace: 'default', serviceAccount: { name: 'default', uid: 'sa-uid' }, lookup, key, issuer: ISS, apiAudiences: [ISS], nowMs: NOW };

const req = (spec: TokenRequest['spec']): TokenRequest => ({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec });
const payloadOf = (tr: TokenRequest) => verifyJwt(tr.status!.token, [key]).payload as BoundClaims;

function throwsStatus(fn: () => unknown, reason: string, message: string, code?: number) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isStatusError(e, reason), `expected ${reason}, got ${String(e)}`);
    assert.equal(e.message, message);
    if (code) assert.equal(e.code, code);
    return true;
  });
}

test('defaults: API audiences and one hour', () => {
  const out = issueToken(req({} as TokenRequest['spec']), ctx); // kubectl omits audiences
  assert.deepEqual(out.spec, { audiences: [ISS], expirationSeconds: 3600 });
  assert.equal(out.metadata?.name, 'default');
  assert.equal(out.metadata?.namespace, 'default');
  assert.equal(out.status?.expirationTimestamp, '2026-01-01T13:00:00Z');
  const p = payloadOf(out);
  assert.equal(p.iss, ISS);
  assert.deepEqual(p.aud, [ISS]);
  assert.equal(p.exp - p.iat, 3600);
  assert.equal(p['kubernetes.io'].warnafter, undefined);
});

test('expirationSeconds limits', () => {
  throwsStatus(
    () => issueToken(req({ audiences: [], expirationSeconds: 599 }), ctx),
    'Invalid',
    'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 10 minutes',
    422,
  );
  throwsStatus(
    () => issueToken(req({ audiences: [], expirationSeconds: 2 ** 32 + 1 }), ctx),
    'Invalid',
    'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 4294967297: may not specify a duration larger than 2^32 seconds',
  );
  assert.doesNotThrow(() => issueToken(req({ audiences: [], expirationSeconds: 600 }), ctx));
});

test('a 3607 s pod-bound token is issued for a year with warnafter at 3607 s', () => {
  const out = issueToken(req({ audiences: [], expirationSeconds: 3607, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'web-0', uid: 'pod-uid' } }), ctx);
  const p = payloadOf(out);
  const now = NOW / 1000;
  assert.equal(p.exp, now + 365 * 24 * 3600);
  assert.deepEqual(p['kubernetes.io'], {
    namespace: 'default',
    serviceaccount: { name: 'default', uid: 'sa-uid' },
    pod: { name: 'web-0', uid: 'pod-uid' },
    node: { name: 'node-1', uid: 'node-uid' },
    warnafter: now + 3607,
  });
  // The status reports the requested lifetime.
  assert.equal(out.status?.expirationTimestamp, '2026-01-01T13:00:07Z');
});

test('no extension for other audiences, other durations, unbound tokens, or when disabled', () => {
  const pod = { kind: 'Pod', apiVersion: 'v1', name: 'web-0' };
  const exp = (spec: TokenRequest['spec'], c = ctx) => payloadOf(issueToken(req(spec), c)).exp - NOW / 1000;
  assert.equal(exp({ audiences: ['vault'], expirationSeconds: 3607, boundObjectRef: pod }), 3607);
  assert.equal(exp({ audiences: [], expirationSeconds: 3608, boundObjectRef: pod }), 3608);
  assert.equal(exp({ audiences: [], expirationSeconds: 3607 }), 3607);
  assert.equal(exp({ audiences: [], expirationSeconds: 3607, boundObjectRef: pod }, { ...ctx, extendExpiration: false }), 3607);
});

test('bound object errors', () => {
  throwsStatus(() => issueToken(req({ audiences: [], boundObjectRef: { kind: 'ConfigMap', apiVersion: 'v1', name: 'c' } }), ctx), 'BadRequest', 'cannot bind token to object of type /v1, Kind=ConfigMap', 400);
  throwsStatus(() => issueToken(req({ audiences: [], boundObjectRef: { kind: 'Pod', apiVersion: 'apps/v1', name: 'web-0' } }), ctx), 'BadRequest', 'cannot bind token to object of type apps/v1, Kind=Pod');
  throwsStatus(() => issueToken(req({ audiences: [], boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'gone' } }), ctx), 'NotFound', 'pods "gone" not found', 404);
  throwsStatus(
    () => issueToken(req({ audiences: [], boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'other-sa' } }), ctx),
    'BadRequest',
    'cannot bind token for serviceaccount "default" to pod running with different serviceaccount name.',
  );
  throwsStatus(
    () => issueToken(req({ audiences: [], boundObjectRef: { kind: 'Secret', apiVersion: 'v1', name: 's', uid: 'old' } }), ctx),
    'Conflict',
    'Operation cannot be fulfilled on Secret "s": the UID in the bound object reference (old) does not match the UID in record. The object might have been deleted and then recreated',
    409,
  );
});

test('secret- and node-bound tokens carry their reference', () => {
  const s = payloadOf(issueToken(req({ audiences: ['x'], boundObjectRef: { kind: 'Secret', apiVersion: 'v1', name: 's', uid: 's-uid' } }), ctx));
  assert.deepEqual(s['kubernetes.io'].secret, { name: 's', uid: 's-uid' });
  assert.deepEqual(s.aud, ['x']);
  const n = payloadOf(issueToken(req({ audiences: [], boundObjectRef: { kind: 'Node', apiVersion: 'v1', name: 'node-1' } }), ctx));
  assert.deepEqual(n['kubernetes.io'].node, { name: 'node-1', uid: 'node-uid' });
  assert.equal(n['kubernetes.io'].pod, undefined);
});

test('max expiration caps the requested lifetime', () => {
  const out = issueToken(req({ audiences: [], expirationSeconds: 86400 }), { ...ctx, maxExpirationSeconds: 7200 });
  assert.equal(out.spec.expirationSeconds, 7200);
  assert.equal(out.status?.expirationTimestamp, '2026-01-01T14:00:00Z');
});
