// Compact JWS (RS256 only) as go-jose produces and checks it for service-account tokens.

import { createSign, createVerify } from 'node:crypto';
import type { SigningKey } from './signingkey.js';

export interface JwtHeader {
  alg: string;
  kid?: string;
  typ?: string;
}

export type JwtPayload = Record<string, unknown>;

export interface VerifiedJwt {
  header: JwtHeader;
  payload: JwtPayload;
  /** The kid of the key that verified the signature. */
  kid: string;
}

// go-jose and the authenticator's own texts.
export const ERR_PARTS = 'square/go-jose: compact JWS format must have three parts';
export const ERR_CRYPTO = 'square/go-jose: error in cryptographic primitive';
export const ERR_ALG = 'square/go-jose: unknown/unsupported algorithm';
export const ERR_NO_KEYS = 'invalid signature, no keys found';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64url');

/** go-jose merges claim structs through map[string]interface{}, so the encoded keys come out sorted at every level. */
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k] = sortKeys(x);
    }
    return out;
  }
  return v;
}

export function signJwt(payload: JwtPayload, key: SigningKey): string {
  const input = `${b64(JSON.stringify({ alg: 'RS256', kid: key.kid }))}.${b64(JSON.stringify(sortKeys(payload)))}`;
  const sig = createSign('RSA-SHA256').update(input).sign(key.privateKey).toString('base64url');
  return `${input}.${sig}`;
}

function decodeJson(part: string): unknown {
  if (!/^[A-Za-z0-9_-]*$/.test(part)) throw new Error('illegal base64 data');
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
}

/** The header and payload without checking the signature (callers must not trust them). */
export function decodeJwt(token: string): { header: JwtHeader; payload: JwtPayload; signingInput: string; signature: Buffer } {
  const parts = token.split('.');
  if (parts.length !== 3) throw new Error(ERR_PARTS);
  const header = decodeJson(parts[0]) as JwtHeader;
  const payload = decodeJson(parts[1]);
  if (!header || typeof header !== 'object' || !payload || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new Error('square/go-jose: invalid JWS object');
  }
  return { header, payload: payload as JwtPayload, signingInput: `${parts[0]}.${parts[1]}`, signature: Buffer.from(parts[2], 'base64url') };
}

/** The unverified `iss`, as the authenticator peeks at it to decide whether a token is its own; undefined if not a JWT. */
export function peekIssuer(token: string): string | undefined {
  if (token.trim().startsWith('{')) return undefined;
  try {
    const iss = decodeJwt(token).payload.iss;
    return typeof iss === 'string' ? iss : undefined;
  } catch {
    return undefined;
  }
}

/** Checks the signature with the keys matching the token's kid (all keys when it has none). Throws Error with go-jose's texts. */
export function verifyJwt(token: string, keys: SigningKey[]): VerifiedJwt {
  const { header, payload, signingInput, signature } = decodeJwt(token);
  if (header.alg !== 'RS256') throw new Error(ERR_ALG);
  const candidates = header.kid ? keys.filter((k) => k.kid === header.kid) : keys;
  if (candidates.length === 0) throw new Error(ERR_NO_KEYS);
  for (const k of candidates) {
    if (createVerify('RSA-SHA256').update(signingInput).verify(k.publicKey, signature)) return { header, payload, kid: k.kid };
  }
  throw new Error(ERR_CRYPTO);
}
