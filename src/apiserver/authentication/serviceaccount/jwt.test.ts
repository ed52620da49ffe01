import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSign, generateKeyPairSync } from 'node:crypto';
import { signingKeyFromPrivateKey } from './signingkey.js';
import { decodeJwt, ERR_ALG, ERR_CRYPTO, ERR_NO_KEYS, ERR_PARTS, peekIssuer, signJwt, verifyJwt } from './jwt.js';

const newKey = () => signingKeyFromPrivateKey(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);
const key = newKey();
const other = newKey();

test('sign/verify round trip with an RS256 header carrying the kid', () => {
  const tok = signJwt({ sub: 'system:serviceaccount:default:default', iss: 'https://kubernetes.default.svc.cluster.local', aud: ['a'] }, key);
  const v = verifyJwt(tok, [other, key]);
  assert.deepEqual(v.header, { alg: 'RS256', kid: key.kid });
  assert.equal(v.payload.sub, 'system:serviceaccount:default:default');
  assert.equal(v.kid, key.kid);
  assert.equal(peekIssuer(tok), 'https://kubernetes.default.svc.cluster.local');
});

test('payload keys are sorted as go-jose encodes them', () => {
  const tok = signJwt({ sub: 's', iss: 'i', 'kubernetes.io': { serviceaccount: { uid: 'u', name: 'n' }, namespace: 'ns' }, aud: ['x'] }, key);
  const json = Buffer.from(tok.split('.')[1], 'base64url').toString();
  assert.equal(json, '{"aud":["x"],"iss":"i","kubernetes.io":{"namespace":"ns","serviceaccount":{"name":"n","uid":"u"}},"sub":"s"}');
});

test('a tampered payload or signature is rejected', () => {
  const tok = signJwt({ sub: 'system:serviceaccount:default:default' }, key);
  const [h, , s] = tok.split('.');
  const forged = Buffer.from(JSON.stringify({ sub: 'system:serviceaccount:kube-system:admin' })).toString('base64url');
  assert.throws(() => verifyJwt(`${h}.${forged}.${s}`, [key]), { message: ERR_CRYPTO });
  const badSig = s.slice(0, -2) + (s.endsWith('AA') ? 'BB' : 'AA');
  assert.throws(() => verifyJwt(`${h}.${tok.split('.')[1]}.${badSig}`, [key]), { message: ERR_CRYPTO });
});

test('a token signed by an unknown key: no key for its kid, or no key verifies it', () => {
  const tok = signJwt({ sub: 'x' }, other);
  assert.throws(() => verifyJwt(tok, [key]), { message: ERR_NO_KEYS });
  // Without a kid every key is tried.
  const input = `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${Buffer.from('{"sub":"x"}').toString('base64url')}`;
  const sig = createSign('RSA-SHA256').update(input).sign(other.privateKey).toString('base64url');
  assert.throws(() => verifyJwt(`${input}.${sig}`, [key]), { message: ERR_CRYPTO });
  assert.equal(verifyJwt(`${input}.${sig}`, [key, other]).kid, other.kid);
});

test('algorithms other than RS256 (none, HS256) are rejected', () => {
  const payload = Buffer.from('{"sub":"x"}').toString('base64url');
  for (const alg of ['none', 'HS256']) {
    const h = Buffer.from(JSON.stringify({ alg, kid: key.kid })).toString('base64url');
    assert.throws(() => verifyJwt(`${h}.${payload}.`, [key]), { message: ERR_ALG });
  }
});

test('malformed tokens', () => {
  assert.throws(() => decodeJwt('abc.def'), { message: ERR_PARTS });
  assert.throws(() => decodeJwt('a.b.c.d'), { message: ERR_PARTS });
  assert.equal(peekIssuer('{"iss":"x"}'), undefined);
  assert.equal(peekIssuer('not-a-jwt'), undefined);
});
