// The serviceaccounts/token subresource (pkg/registry/core/serviceaccount/storage/token.go and
// pkg/apis/authentication/validation): validate a TokenRequest, resolve its bound object, sign the token.

import type { TokenRequest } from 'kubernetes-types/authentication/v1.js';
import { rfc3339 } from '../../../machinery/clock.js';
import { badRequest, conflict, fieldInvalid, invalid, notFound, type FieldError } from '../../../machinery/errors.js';
import {
  boundClaims,
  EXPIRATION_EXTENSION_SECONDS,
  WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS,
  type ObjectRef,
  type TokenLookup,
} from './claims.js';
import { signJwt } from './jwt.js';
import type { SigningKey } from './signingkey.js';

export const MIN_TOKEN_AGE_SECONDS = 10 * 60;
export const DEFAULT_EXPIRATION_SECONDS = 60 * 60;

export interface TokenRequestContext {
  namespace: string;
  serviceAccount: ObjectRef;
  lookup: TokenLookup;
  key: SigningKey;
  issuer: string;
  apiAudiences: string[];
  nowMs: number;
  /** --service-account-max-token-expiration in seconds (0/absent: no cap). */
  maxExpirationSeconds?: number;
  /** --service-account-extend-token-expiration (default true). */
  extendExpiration?: boolean;
  newUUID?: () => string;
}

/** ValidateTokenRequest. */
export function validateTokenRequest(req: TokenRequest): FieldError[] {
  const errs: FieldError[] = [];
  const exp = req.spec.expirationSeconds ?? DEFAULT_EXPIRATION_SECONDS;
  if (exp < MIN_TOKEN_AGE_SECONDS) errs.push(fieldInvalid('spec.expirationSeconds', exp, 'may not specify a duration less than 10 minutes'));
  if (exp > 2 ** 32) errs.push(fieldInvalid('spec.expirationSeconds', exp, 'may not specify a duration larger than 2^32 seconds'));
  return errs;
}

/** schema.FromAPIVersionAndKind. */
function groupVersionKind(apiVersion: string, kind: string) {
  const i = apiVersion.indexOf('/');
  return i < 0 ? { group: '', version: apiVersion, kind } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1), kind };
}

interface Bound {
  pod?: ObjectRef;
  secret?: ObjectRef;
  node?: { name: string; uid?: string };
}

function resolveBoundObject(req: TokenRequest, ctx: TokenRequestContext): Bound {
  const ref = req.spec.boundObjectRef;
  if (!ref) return {};
  const gvk = groupVersionKind(ref.apiVersion ?? '', ref.kind ?? '');
  const name = ref.name ?? '';
  let uid: string;
  const out: Bound = {};
  if (gvk.group === '' && gvk.kind === 'Pod') {
    const pod = ctx.lookup.pod(ctx.namespace, name);
    if (!pod) throw notFound({ group: '', plural: 'pods' }, name);
    if (pod.serviceAccountName !== ctx.serviceAccount.name) {
      throw badRequest(`cannot bind token for serviceaccount ${JSON.stringify(ctx.serviceAccount.name)} to pod running with different serviceaccount name.`);
    }
    uid = pod.uid;
    out.pod = { name, uid };
    // The pod's node goes into the claims too; without a Node object only its name does.
    if (pod.nodeName) out.node = { name: pod.nodeName, uid: ctx.lookup.node?.(pod.nodeName)?.uid };
  } else if (gvk.group === '' && gvk.kind === 'Node') {
    const node = ctx.lookup.node?.(name);
    if (!node) throw notFound({ group: '', plural: 'nodes' }, name);
    uid = node.uid;
    out.node = { name, uid };
  } else if (gvk.group === '' && gvk.kind === 'Secret') {
    const secret = ctx.lookup.secret(ctx.namespace, name);
    if (!secret) throw notFound({ group: '', plural: 'secrets' }, name);
    uid = secret.uid;
    out.secret = { name, uid };
  } else {
    throw badRequest(`cannot bind token to object of type ${gvk.group}/${gvk.version}, Kind=${gvk.kind}`);
  }
  if (ref.uid && ref.uid !== uid) {
    throw conflict(
      { group: gvk.group, plural: gvk.kind },
      name,
      `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`,
    );
  }
  return out;
}

/** Handles POST .../serviceaccounts/<name>/token; throws StatusError for bad requests. */
export function issueToken(body: TokenRequest, ctx: TokenRequestContext): TokenRequest {
  const spec = { ...(body.spec ?? {}) };
  spec.expirationSeconds ??= DEFAULT_EXPIRATION_SECONDS;
  if (!spec.audiences || spec.audiences.length === 0) spec.audiences = [...ctx.apiAudiences];
  const req: TokenRequest = {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    metadata: {
      ...(body.metadata ?? {}),
      name: body.metadata?.name || ctx.serviceAccount.name,
      namespace: body.metadata?.namespace || ctx.namespace,
      creationTimestamp: rfc3339(ctx.nowMs),
    },
    spec,
  };
  const errs = validateTokenRequest(req);
  if (errs.length) throw invalid('TokenRequest', 'authentication.k8s.io', '', errs);
  const bound = resolveBoundObject(req, ctx);

  if (ctx.maxExpirationSeconds && spec.expirationSeconds > ctx.maxExpirationSeconds) spec.expirationSeconds = ctx.maxExpirationSeconds;
  // kubelet's 3607 s pod tokens are issued for a year, with use after 3607 s only reported as stale.
  let exp = spec.expirationSeconds;
  let warnAfter = 0;
  const kubeAudiences = spec.audiences.every((a) => ctx.apiAudiences.includes(a));
  if ((ctx.extendExpiration ?? true) && bound.pod && exp === WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS && kubeAudiences) {
    warnAfter = exp;
    exp = EXPIRATION_EXTENSION_SECONDS;
  }
  const claims = boundClaims({
    issuer: ctx.issuer,
    audiences: spec.audiences,
    namespace: ctx.namespace,
    serviceAccount: ctx.serviceAccount,
    ...bound,
    expirationSeconds: exp,
    warnAfter,
    nowMs: ctx.nowMs,
    newUUID: ctx.newUUID,
  });
  return {
    ...req,
    status: {
      token: signJwt(claims, ctx.key),
      expirationTimestamp: rfc3339(ctx.nowMs + spec.expirationSeconds * 1000),
    },
  };
}
