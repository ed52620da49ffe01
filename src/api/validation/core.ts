// The remaining core/v1 kinds: Namespace, Node, ConfigMap, Secret, ServiceAccount, Event, Binding,
// and coordination.k8s.io/v1 Lease.
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Binding, ConfigMap, Event, Namespace, Node, Secret, ServiceAccount } from 'kubernetes-types/core/v1.js';
import type { Loose } from '../loose.js';
import { fieldForbidden, fieldRequired, fieldTooLong, fieldNotSupported } from '../../machinery/errors.js';
import { isConfigMapKey, isDNS1123Subdomain, isQualifiedName, isValidLabelValue, nameIsDNSLabel, nameIsDNSSubdomain } from '../../machinery/names.js';
import { deepEqual } from './equality.js';
import { arr, child, duplicateRendered, each, index, invalid, isSet, key, obj, str, type Errors } from './field.js';
import { validateKubeFinalizerName, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { readQuantity, validateResourceQuantityValue } from './resources.js';
import { validateTaintEffect } from './scheduling.js';

const MAX_SECRET_SIZE = 1024 * 1024;

export function validateNamespace(ns: Loose<Namespace>): Errors {
  const errs = validateObjectMeta(ns.metadata, false, nameIsDNSLabel);
  for (const f of arr<string>(obj(ns.spec).finalizers)) {
    errs.push(...each('spec.finalizers', f, isQualifiedName(str(f))), ...validateKubeFinalizerName(str(f), 'spec.finalizers'));
  }
  return errs;
}

const dataKeyErrors = (data: unknown, path: string): Errors => Object.keys(obj(data)).flatMap((k) => each(key(path, k), k, isConfigMapKey(k)));

export function validateConfigMap(cm: Loose<ConfigMap>): Errors {
  const errs = validateObjectMeta(cm.metadata, true, nameIsDNSSubdomain);
  errs.push(...dataKeyErrors(cm.data, 'data'), ...dataKeyErrors(cm.binaryData, 'binaryData'));
  for (const k of Object.keys(obj(cm.data))) {
    if (k in obj(cm.binaryData)) errs.push(invalid(key('data', k), k, 'duplicate of key present in binaryData'));
  }
  const size =
    Object.values(obj(cm.data)).reduce((n: number, v) => n + Buffer.byteLength(str(v)), 0) +
    Object.values(obj(cm.binaryData)).reduce((n: number, v) => n + Buffer.from(str(v), 'base64').length, 0);
  if (size > MAX_SECRET_SIZE) errs.push(fieldTooLong('', '', MAX_SECRET_SIZE));
  return errs;
}

function immutableData<T extends { immutable?: boolean }>(next: T, prev: T, fields: Array<keyof T & string>): Errors {
  if (prev.immutable !== true) return [];
  const errs: Errors = next.immutable !== true ? [fieldForbidden('immutable', 'field is immutable when `immutable` is set')] : [];
  for (const f of fields) if (!deepEqual(next[f], prev[f])) errs.push(fieldForbidden(f, 'field is immutable when `immutable` is set'));
  return errs;
}

export const validateConfigMapUpdate = (cm: Loose<ConfigMap>, old: Loose<ConfigMap>): Errors => [
  ...validateObjectMetaUpdate(cm.metadata, old.metadata, true),
  ...immutableData(cm, old, ['data', 'binaryData']),
  ...validateConfigMap(cm),
];

const SECRET_REQUIRED_KEYS: Record<string, string[]> = {
  'kubernetes.io/dockercfg': ['.dockercfg'],
  'kubernetes.io/dockerconfigjson': ['.dockerconfigjson'],
  'kubernetes.io/ssh-auth': ['ssh-privatekey'],
  'kubernetes.io/tls': ['tls.crt', 'tls.key'],
};

/** stringData is merged into data before validation, as the v1 conversion does. */
const secretData = (secret: Loose<Secret>): Record<string, string> => ({
  ...obj(secret.data),
  ...Object.fromEntries(Object.entries(obj(secret.stringData)).map(([k, v]) => [k, Buffer.from(str(v)).toString('base64')])),
});

export function validateSecret(secret: Loose<Secret>): Errors {
  const errs = validateObjectMeta(secret.metadata, true, nameIsDNSSubdomain);
  const data = secretData(secret);
  errs.push(...dataKeyErrors(data, 'data'));
  const size = Object.values(data).reduce((n, v) => n + Buffer.from(str(v), 'base64').length, 0);
  if (size > MAX_SECRET_SIZE) errs.push(fieldTooLong('data', '', MAX_SECRET_SIZE));
  const type = str(secret.type);
  if (type === 'kubernetes.io/service-account-token' && !obj(obj(secret.metadata).annotations)['kubernetes.io/service-account.name']) {
    errs.push(fieldRequired('metadata.annotations[kubernetes.io/service-account.name]'));
  }
  if (type === 'kubernetes.io/basic-auth' && !('username' in data) && !('password' in data)) {
    errs.push(fieldRequired('data[username]'), fieldRequired('data[password]'));
  }
  for (const k of SECRET_REQUIRED_KEYS[type] ?? []) if (!(k in data)) errs.push(fieldRequired(key('data', k)));
  return errs;
}

export function validateSecretUpdate(secret: Loose<Secret>, old: Loose<Secret>): Errors {
  const errs = validateObjectMetaUpdate(secret.metadata, old.metadata, true);
  if (str(secret.type) !== str(old.type)) errs.push(invalid('type', str(secret.type), 'field is immutable'));
  return [...errs, ...immutableData<Loose<Secret>>({ ...secret, data: secretData(secret) }, old, ['data']), ...validateSecret(secret)];
}

export const validateServiceAccount = (sa: Loose<ServiceAccount>): Errors => validateObjectMeta(sa.metadata, true, nameIsDNSSubdomain);

function validateTaints(taints: unknown, path: string): Errors {
  const errs: Errors = [];
  const seen = new Set<string>();
  arr(taints).forEach((t, i) => {
    const p = index(path, i);
    errs.push(...each(child(p, 'key'), str(t.key), isQualifiedName(str(t.key))));
    const msgs = isValidLabelValue(str(t.value));
    if (msgs.length > 0) errs.push(invalid(child(p, 'value'), str(t.value), msgs.join(';')));
    errs.push(...validateTaintEffect(t.effect, false, child(p, 'effect')));
    const id = `${str(t.effect)}\u0000${str(t.key)}`;
    if (seen.has(id)) {
      const rendered = `core.Taint{Key:${JSON.stringify(str(t.key))}, Value:${JSON.stringify(str(t.value))}, Effect:${JSON.stringify(str(t.effect))}, TimeAdded:(*v1.Time)(nil)}`;
      errs.push(duplicateRendered(p, rendered, 'taints must be unique by key and effect pair'));
    }
    seen.add(id);
  });
  return errs;
}

function validateNodeResources(node: Loose<Node>): Errors {
  const errs: Errors = [];
  for (const list of ['capacity', 'allocatable']) {
    for (const [name, raw] of Object.entries(obj(obj(node.status)[list]))) {
      const p = `status.${list}.${name}`;
      const q = readQuantity(raw, p, errs);
      if (q) errs.push(...validateResourceQuantityValue(name, q, p));
    }
  }
  return errs;
}

export function validateNode(node: Loose<Node>): Errors {
  // Upstream reports taint errors under metadata.taints.
  const errs = [...validateObjectMeta(node.metadata, false, nameIsDNSSubdomain), ...validateTaints(obj(node.spec).taints, 'metadata.taints')];
  return [...errs, ...validateNodeResources(node)];
}

export function validateNodeUpdate(node: Loose<Node>, old: Loose<Node>): Errors {
  const errs = [...validateObjectMetaUpdate(node.metadata, old.metadata, false), ...validateNodeResources(node)];
  const spec = obj(node.spec);
  const oldSpec = obj(old.spec);
  const oldCIDRs = arr<string>(oldSpec.podCIDRs);
  if (oldCIDRs.length > 0 && !deepEqual(oldCIDRs, arr(spec.podCIDRs))) {
    errs.push(fieldForbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid'));
  }
  if (oldSpec.providerID && oldSpec.providerID !== spec.providerID) {
    errs.push(fieldForbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'));
  }
  return [...errs, ...validateTaints(spec.taints, 'metadata.taints')];
}

const EVENT_LIMITS: Array<['reportingInstance' | 'action' | 'reason' | 'message', number]> = [
  ['reportingInstance', 128],
  ['action', 128],
  ['reason', 128],
  ['message', 1024],
];

/** legacyValidateEvent: all core/v1 Events get, with metadata names only checked as path segments. */
export function validateEvent(event: Loose<Event>): Errors {
  const errs: Errors = [];
  const namespace = str(obj(event.metadata).namespace);
  const involvedNamespace = str(obj(event.involvedObject).namespace);
  const mismatch = () => invalid('involvedObject.namespace', involvedNamespace, 'does not match event.namespace');
  if (!event.eventTime) {
    if (!involvedNamespace ? namespace !== '' && namespace !== 'default' : namespace !== involvedNamespace) errs.push(mismatch());
  } else {
    if (!involvedNamespace && namespace !== 'default' && namespace !== 'kube-system') errs.push(mismatch());
    if (!event.reportingComponent) errs.push(fieldRequired('reportingController'));
    errs.push(...each('reportingController', str(event.reportingComponent), isQualifiedName(str(event.reportingComponent))));
    for (const [f, limit] of EVENT_LIMITS) {
      if (f !== 'message' && !event[f]) errs.push(fieldRequired(f));
      if (str(event[f]).length > limit) errs.push(invalid(f, '', `can have at most ${limit} characters`));
    }
  }
  return [...errs, ...each('namespace', namespace, isDNS1123Subdomain(namespace))];
}

export function validateBinding(binding: Loose<Binding>): Errors {
  const target = obj(binding.target);
  const errs: Errors = [];
  if (target.kind && target.kind !== 'Node') errs.push(fieldNotSupported('target.kind', target.kind, ['Node', '<empty>']));
  if (!target.name) errs.push(fieldRequired('target.name'));
  return errs;
}

export function validateLease(lease: Loose<Lease>): Errors {
  const errs = validateObjectMeta(lease.metadata, true, nameIsDNSSubdomain);
  const spec = obj(lease.spec);
  if (isSet(spec.leaseDurationSeconds) && spec.leaseDurationSeconds <= 0) errs.push(invalid('spec.leaseDurationSeconds', spec.leaseDurationSeconds, 'must be greater than 0'));
  if (isSet(spec.leaseTransitions) && spec.leaseTransitions < 0) {
    errs.push(invalid('spec.leaseTransitions', spec.leaseTransitions, 'must be greater than or equal to 0'));
  }
  return errs;
}
