// Service-account token claims (pkg/serviceaccount/claims.go, legacy.go) and their validation, including the
// authenticator's issuer and audience checks (pkg/serviceaccount/jwt.go).

import { randomUUID } from 'node:crypto';
import { serviceAccountUser, serviceAccountUsername, parseServiceAccountUsername, type UserInfo } from '../user.js';

export const LEGACY_ISSUER = 'kubernetes/serviceaccount';
/** The expirationSeconds kubelet asks for; such pod tokens are extended (see tokenrequest.ts). */
export const WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS = 60 * 60 + 7;
export const EXPIRATION_EXTENSION_SECONDS = 24 * 365 * 60 * 60;
/** go-jose jwt.DefaultLeeway. */
const LEEWAY_MS = 60_000;

export const POD_NAME_KEY = 'authentication.kubernetes.io/pod-name';
export const POD_UID_KEY = 'authentication.kubernetes.io/pod-uid';
export const NODE_NAME_KEY = 'authentication.kubernetes.io/node-name';
export const NODE_UID_KEY = 'authentication.kubernetes.io/node-uid';
export const CREDENTIAL_ID_KEY = 'authentication.kubernetes.io/credential-id';

const LEGACY_PREFIX = 'kubernetes.io/serviceaccount/';
export const LEGACY_NAMESPACE_CLAIM = `${LEGACY_PREFIX}namespace`;
export const LEGACY_SECRET_NAME_CLAIM = `${LEGACY_PREFIX}secret.name`;
export const LEGACY_SA_NAME_CLAIM = `${LEGACY_PREFIX}service-account.name`;
export const LEGACY_SA_UID_CLAIM = `${LEGACY_PREFIX}service-account.uid`;

export interface ObjectRef {
  name: string;
  uid: string;
}

export interface KubernetesClaim {
  namespace: string;
  serviceaccount: ObjectRef;
  pod?: ObjectRef;
  secret?: ObjectRef;
  node?: ObjectRef;
  warnafter?: number;
}

export interface BoundClaims {
  [k: string]: unknown;
  iss: string;
  sub: string;
  aud: string[];
  exp: number;
  iat: number;
  nbf: number;
  jti: string;
  'kubernetes.io': KubernetesClaim;
}

export interface BoundClaimsInput {
  issuer: string;
  audiences: string[];
  namespace: string;
  serviceAccount: ObjectRef;
  pod?: ObjectRef;
  secret?: ObjectRef;
  /** With a pod: the pod's node (uid may be empty when the Node object is missing); alone: a Node-bound token. */
  node?: { name: string; uid?: string };
  expirationSeconds: number;
  nowMs: number;
  /** Seconds from now after which use is reported as stale (0/absent: none). */
  warnAfter?: number;
  newUUID?: () => string;
}

const omitEmpty = (r: { name: string; uid?: string }): ObjectRef => ({ ...(r.name ? { name: r.name } : {}), ...(r.uid ? { uid: r.uid } : {}) }) as ObjectRef;

export function boundClaims(o: BoundClaimsInput): BoundClaims {
  if (o.secret && (o.pod || o.node)) throw new Error('internal error, token can only be bound to one object type');
  const now = Math.floor(o.nowMs / 1000);
  const k: KubernetesClaim = { namespace: o.namespace, serviceaccount: omitEmpty(o.serviceAccount) };
  if (o.pod) {
    k.pod = omitEmpty(o.pod);
    if (o.node) k.node = omitEmpty(o.node);
  } else if (o.secret) k.secret = omitEmpty(o.secret);
  else if (o.node) k.node = omitEmpty(o.node);
  if (o.warnAfter) k.warnafter = now + o.warnAfter;
  return {
    iss: o.issuer,
    sub: serviceAccountUsername(o.namespace, o.serviceAccount.name),
    aud: [...o.audiences],
    exp: now + o.expirationSeconds,
    iat: now,
    nbf: now,
    jti: (o.newUUID ?? randomUUID)(),
    'kubernetes.io': k,
  };
}

/** The claims of a token stored in a kubernetes.io/service-account-token Secret: no exp, no aud. */
export function legacyClaims(o: { namespace: string; serviceAccount: ObjectRef; secretName: string }): Record<string, string> {
  return {
    iss: LEGACY_ISSUER,
    [LEGACY_NAMESPACE_CLAIM]: o.namespace,
    [LEGACY_SECRET_NAME_CLAIM]: o.secretName,
    [LEGACY_SA_NAME_CLAIM]: o.serviceAccount.name,
    [LEGACY_SA_UID_CLAIM]: o.serviceAccount.uid,
    sub: serviceAccountUsername(o.namespace, o.serviceAccount.name),
  };
}

interface Looked {
  uid: string;
  deletionTimestamp?: string;
}

/** What validation reads from the cluster (ServiceAccountTokenGetter). */
export interface TokenLookup {
  serviceAccount(namespace: string, name: string): Looked | undefined;
  pod(namespace: string, name: string): (Looked & { nodeName?: string; serviceAccountName?: string }) | undefined;
  /** `token` is the Secret's decoded data.token, compared for legacy tokens. */
  secret(namespace: string, name: string): (Looked & { token?: string }) | undefined;
  node?(name: string): Looked | undefined;
}

export interface ValidateOptions {
  /** --service-account-issuer values accepted for bound tokens. */
  issuers: string[];
  /** The API audiences (--api-audiences): implicit for tokens without aud and the default target. */
  audiences: string[];
  /** TokenReview spec.audiences; defaults to `audiences`. */
  requestedAudiences?: string[];
  nowMs: number;
  lookup: TokenLookup;
  /** The raw token, needed to compare legacy Secret tokens with the server's copy. */
  tokenData?: string;
}

export interface ValidatedToken {
  user: UserInfo;
  audiences: string[];
}

/** Go's %q of a []string. */
const quoteList = (l: string[]) => `[${l.map((s) => JSON.stringify(s)).join(' ')}]`;

const deletedBefore = (ts: string | undefined, nowMs: number) => ts !== undefined && Date.parse(ts) < nowMs - LEEWAY_MS;

const str = (v: unknown) => (typeof v === 'string' ? v : '');

function audienceList(aud: unknown): string[] {
  if (typeof aud === 'string') return [aud];
  return Array.isArray(aud) ? aud.filter((a): a is string => typeof a === 'string') : [];
}

/** Throws Error with upstream's texts; the claims must come from a verified token. */
export function validateClaims(claims: Record<string, unknown>, o: ValidateOptions): ValidatedToken {
  const iss = str(claims.iss);
  const legacy = iss === LEGACY_ISSUER;
  if (!legacy && !o.issuers.includes(iss)) throw new Error(`token issuer ${JSON.stringify(iss)} is invalid`);
  let tokenAudiences = audienceList(claims.aud);
  if (tokenAudiences.length === 0) tokenAudiences = o.audiences;
  const requested = o.requestedAudiences ?? o.audiences;
  const auds = tokenAudiences.filter((a) => requested.includes(a));
  if (auds.length === 0 && o.audiences.length !== 0) {
    throw new Error(`token audiences ${quoteList(tokenAudiences)} is invalid for the target audiences ${quoteList(requested)}`);
  }
  const user = legacy ? validateLegacy(claims, o) : validateBound(claims, o);
  return { user, audiences: auds };
}

function checkTimes(claims: Record<string, unknown>, nowMs: number): void {
  const t = (k: string) => (typeof claims[k] === 'number' ? (claims[k] as number) * 1000 : undefined);
  const nbf = t('nbf');
  const exp = t('exp');
  const iat = t('iat');
  if (nbf !== undefined && nowMs + LEEWAY_MS < nbf) throw new Error('service account token is not valid yet');
  if (exp !== undefined && nowMs - LEEWAY_MS > exp) throw new Error('service account token has expired');
  if (iat !== undefined && nowMs + LEEWAY_MS < iat) throw new Error('service account token is issued in the future');
}

const saNotFound = (name: string) => new Error(`serviceaccounts ${JSON.stringify(name)} not found`);
const INVALIDATED = 'service account token has been invalidated';

function validateBound(claims: Record<string, unknown>, o: ValidateOptions): UserInfo {
  checkTimes(claims, o.nowMs);
  const k = (claims['kubernetes.io'] ?? {}) as Partial<KubernetesClaim>;
  const ns = str(k.namespace);
  const saRef = { name: str(k.serviceaccount?.name), uid: str(k.serviceaccount?.uid) };
  const sa = o.lookup.serviceAccount(ns, saRef.name);
  if (!sa) throw saNotFound(saRef.name);
  if (sa.uid !== saRef.uid) throw new Error(`service account UID (${sa.uid}) does not match claim (${saRef.uid})`);
  if (deletedBefore(sa.deletionTimestamp, o.nowMs)) throw new Error(`service account ${ns}/${saRef.name} has been deleted`);

  if (k.secret) {
    const secret = o.lookup.secret(ns, str(k.secret.name));
    if (!secret) throw new Error(INVALIDATED);
    if (secret.uid !== str(k.secret.uid)) {
      throw new Error(`secret UID (${secret.uid}) does not match service account secret ref claim (${str(k.secret.uid)})`);
    }
    if (deletedBefore(secret.deletionTimestamp, o.nowMs)) throw new Error(INVALIDATED);
  }
  const extra: Record<string, string[]> = {};
  if (k.pod) {
    const pod = o.lookup.pod(ns, str(k.pod.name));
    if (!pod) throw new Error(INVALIDATED);
    if (pod.uid !== str(k.pod.uid)) throw new Error(`pod UID (${pod.uid}) does not match service account pod ref claim (${str(k.pod.uid)})`);
    if (deletedBefore(pod.deletionTimestamp, o.nowMs)) throw new Error(INVALIDATED);
    if (k.pod.name && k.pod.uid) {
      extra[POD_NAME_KEY] = [k.pod.name];
      extra[POD_UID_KEY] = [k.pod.uid];
    }
  }
  if (k.node) {
    if (!k.pod) {
      const node = o.lookup.node?.(str(k.node.name));
      if (!node) throw new Error(INVALIDATED);
      if (node.uid !== str(k.node.uid)) throw new Error(`node UID (${node.uid}) does not match service account node ref claim (${str(k.node.uid)})`);
      if (deletedBefore(node.deletionTimestamp, o.nowMs)) throw new Error(INVALIDATED);
    }
    if (k.node.name) {
      extra[NODE_NAME_KEY] = [k.node.name];
      if (k.node.uid) extra[NODE_UID_KEY] = [k.node.uid];
    }
  }
  const jti = str(claims.jti);
  if (jti) extra[CREDENTIAL_ID_KEY] = [`JTI=${jti}`];
  return serviceAccountUser(ns, saRef.name, saRef.uid, Object.keys(extra).length ? extra : undefined);
}

function validateLegacy(claims: Record<string, unknown>, o: ValidateOptions): UserInfo {
  const sub = str(claims.sub);
  if (!sub) throw new Error('sub claim is missing');
  const ns = str(claims[LEGACY_NAMESPACE_CLAIM]);
  if (!ns) throw new Error('namespace claim is missing');
  const secretName = str(claims[LEGACY_SECRET_NAME_CLAIM]);
  if (!secretName) throw new Error('secretName claim is missing');
  const saName = str(claims[LEGACY_SA_NAME_CLAIM]);
  if (!saName) throw new Error('serviceAccountName claim is missing');
  const saUID = str(claims[LEGACY_SA_UID_CLAIM]);
  if (!saUID) throw new Error('serviceAccountUID claim is missing');
  const parsed = parseServiceAccountUsername(sub);
  if (!parsed || parsed.namespace !== ns || parsed.name !== saName) throw new Error('sub claim is invalid');

  const secret = o.lookup.secret(ns, secretName);
  if (!secret || secret.deletionTimestamp) throw new Error('Token has been invalidated');
  if (o.tokenData === undefined || secret.token !== o.tokenData) throw new Error("Token does not match server's copy");
  const sa = o.lookup.serviceAccount(ns, saName);
  if (!sa) throw saNotFound(saName);
  if (sa.deletionTimestamp) throw new Error(`ServiceAccount ${ns}/${saName} has been deleted`);
  if (sa.uid !== saUID) throw new Error(`ServiceAccount UID (${sa.uid}) does not match claim (${saUID})`);
  return serviceAccountUser(ns, saName, saUID);
}
