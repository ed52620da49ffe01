// Object identities and owner references as the garbage collector compares them
// (pkg/controller/garbagecollector/graph.go objectReference, ownerReferenceMatchesCoordinates).

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** apiVersion, kind, name and uid of an object plus its namespace ('' when cluster-scoped or unknown). */
export interface ObjectIdentity {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  namespace: string;
}

/** The identity an owner reference names, read in the dependent's namespace. */
export function identityOfReference(ref: OwnerReference, namespace: string): ObjectIdentity {
  return { apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name, uid: ref.uid, namespace };
}

export function sameIdentity(a: ObjectIdentity, b: ObjectIdentity): boolean {
  return a.uid === b.uid && a.name === b.name && a.kind === b.kind && a.apiVersion === b.apiVersion && a.namespace === b.namespace;
}

/** Key for the absent-owner cache: every coordinate counts. */
export function identityKey(id: ObjectIdentity): string {
  return [id.apiVersion, id.kind, id.namespace, id.name, id.uid].join('\u0000');
}

/** objectReference.String() upstream: `[apps/v1/StatefulSet, namespace: default, name: web, uid: ...]`. */
export function describeIdentity(id: ObjectIdentity): string {
  return `[${id.apiVersion}/${id.kind}, namespace: ${id.namespace}, name: ${id.name}, uid: ${id.uid}]`;
}

function groupOf(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

/** Same uid, name, kind and API group; the version may differ, as upstream allows. */
export function ownerReferenceMatchesCoordinates(a: Pick<OwnerReference, 'apiVersion' | 'kind' | 'name' | 'uid'>, b: Pick<OwnerReference, 'apiVersion' | 'kind' | 'name' | 'uid'>): boolean {
  return a.uid === b.uid && a.name === b.name && a.kind === b.kind && groupOf(a.apiVersion) === groupOf(b.apiVersion);
}

/** Ordering used to walk alternative identities deterministically: kind, apiVersion, namespace, name, uid. */
export function referenceLessThan(a: ObjectIdentity, b: ObjectIdentity): boolean {
  for (const k of ['kind', 'apiVersion', 'namespace', 'name', 'uid'] as const) {
    if (a[k] !== b[k]) return a[k] < b[k];
  }
  return false;
}

export function isBlocking(ref: OwnerReference): boolean {
  return ref.blockOwnerDeletion === true;
}
