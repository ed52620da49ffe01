// networking.k8s.io/v1 Ingress and IngressClass.
import type { TypedLocalObjectReference } from 'kubernetes-types/core/v1.js';
import type { HTTPIngressPath, Ingress, IngressBackend, IngressClass, IngressClassSpec, IngressSpec } from 'kubernetes-types/networking/v1.js';
import type { Loose } from '../loose.js';
import { fieldNotSupported, fieldRequired, fieldTooLong } from '../../machinery/errors.js';
import { isDNS1123Subdomain, isIP, isValidPathSegmentName, isValidPortName, isValidPortNum, isWildcardDNS1123Subdomain, nameIsDNS1035Label, nameIsDNSSubdomain, regexError } from '../../machinery/names.js';
import { arr, child, each, index, invalid, isSet, obj, str, type Errors } from './field.js';
import { validateName } from './formats.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';

const PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix'];
const INVALID_PATH_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F'];
const INVALID_PATH_SUFFIXES = ['/..', '/.'];

function validateTypedReference(ref: Loose<TypedLocalObjectReference>, path: string): Errors {
  const errs: Errors = [];
  if (isSet(ref.apiGroup)) errs.push(...each(child(path, 'apiGroup'), ref.apiGroup, isDNS1123Subdomain(str(ref.apiGroup))));
  for (const f of ['kind', 'name'] as const) {
    if (!ref[f]) errs.push(fieldRequired(child(path, f), `${f} is required`));
    else errs.push(...each(child(path, f), ref[f], isValidPathSegmentName(str(ref[f]))));
  }
  return errs;
}

function validateBackend(backend: Loose<IngressBackend>, path: string): Errors {
  const errs: Errors = [];
  if (backend.resource && backend.service) return [invalid(path, '', 'cannot set both resource and service backends')];
  if (backend.resource) return validateTypedReference(backend.resource, child(path, 'resource'));
  if (!backend.service) return [invalid(path, '', 'resource or service backend is required')];
  const svc = backend.service;
  if (!svc.name) errs.push(fieldRequired(child(path, 'service', 'name')));
  else errs.push(...validateName(nameIsDNS1035Label, str(svc.name), child(path, 'service', 'name')));
  const port = obj(svc.port);
  if (port.name && port.number) errs.push(invalid(path, '', 'cannot set both port name & port number'));
  else if (port.name) errs.push(...each(child(path, 'service', 'port', 'name'), port.name, isValidPortName(str(port.name))));
  else if (port.number) errs.push(...each(child(path, 'service', 'port', 'number'), port.number, isValidPortNum(port.number)));
  else errs.push(fieldRequired(path, 'port name or number is required'));
  return errs;
}

function validateHTTPPath(p: Loose<HTTPIngressPath>, path: string): Errors {
  if (!isSet(p.pathType)) return [fieldRequired(child(path, 'pathType'), 'pathType must be specified')];
  const errs: Errors = [];
  const value = str(p.path);
  if (p.pathType === 'Exact' || p.pathType === 'Prefix') {
    if (!value.startsWith('/')) errs.push(invalid(child(path, 'path'), value, 'must be an absolute path'));
    for (const seq of INVALID_PATH_SEQUENCES) if (value.includes(seq)) errs.push(invalid(child(path, 'path'), value, `must not contain '${seq}'`));
    for (const suffix of INVALID_PATH_SUFFIXES) if (value.endsWith(suffix)) errs.push(invalid(child(path, 'path'), value, `cannot end with '${suffix}'`));
  } else if (p.pathType === 'ImplementationSpecific') {
    if (value && !value.startsWith('/')) errs.push(invalid(child(path, 'path'), value, 'must be an absolute path'));
  } else {
    errs.push(fieldNotSupported(child(path, 'pathType'), p.pathType, PATH_TYPES));
  }
  return [...errs, ...validateBackend(obj(p.backend), child(path, 'backend'))];
}

const hostErrors = (host: string) => (host.includes('*') ? isWildcardDNS1123Subdomain(host) : isDNS1123Subdomain(host));

function validateIngressSpec(spec: Loose<IngressSpec>): Errors {
  const errs: Errors = [];
  const rules = arr(spec.rules);
  if (rules.length === 0 && !spec.defaultBackend) errs.push(invalid('spec', rules, 'either `defaultBackend` or `rules` must be specified'));
  if (spec.defaultBackend) errs.push(...validateBackend(spec.defaultBackend, 'spec.defaultBackend'));
  rules.forEach((rule, i) => {
    const p = index('spec.rules', i);
    const host = str(rule.host);
    if (host) {
      if (isIP(host)) errs.push(invalid(child(p, 'host'), host, 'must be a DNS name, not an IP address'));
      errs.push(...each(child(p, 'host'), host, hostErrors(host)));
    }
    if (rule.http) {
      const paths = arr(rule.http.paths);
      if (paths.length === 0) errs.push(fieldRequired(child(p, 'http', 'paths')));
      paths.forEach((hp, j) => errs.push(...validateHTTPPath(hp, index(child(p, 'http', 'paths'), j))));
    }
  });
  arr(spec.tls).forEach((tls, i) => {
    const p = index('spec.tls', i);
    arr<string>(tls.hosts).forEach((h, j) => errs.push(...each(index(child(p, 'hosts'), j), h, hostErrors(str(h)))));
    if (tls.secretName) errs.push(...validateName(nameIsDNSSubdomain, str(tls.secretName), child(p, 'secretName')));
  });
  if (isSet(spec.ingressClassName)) errs.push(...validateName(nameIsDNSSubdomain, str(spec.ingressClassName), 'spec.ingressClassName'));
  return errs;
}

export const validateIngress = (ing: Loose<Ingress>): Errors => [...validateObjectMeta(ing.metadata, true, nameIsDNSSubdomain), ...validateIngressSpec(obj(ing.spec))];

export const validateIngressUpdate = (ing: Loose<Ingress>, old: Loose<Ingress>): Errors => [
  ...validateObjectMetaUpdate(ing.metadata, old.metadata, true),
  ...validateIngressSpec(obj(ing.spec)),
];

const HTTP_PATH_FMT = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+";

/** IsDomainPrefixedPath: "acme.io/foo". */
function validateDomainPrefixedPath(value: string, path: string): Errors {
  if (!value) return [fieldRequired(path)];
  const slash = value.indexOf('/');
  if (slash <= 0 || slash === value.length - 1) return [invalid(path, value, 'must be a domain-prefixed path (such as "acme.io/foo")')];
  const host = value.slice(0, slash);
  const rest = value.slice(slash + 1);
  const errs = each(path, host, isDNS1123Subdomain(host));
  if (!new RegExp(`^${HTTP_PATH_FMT}$`).test(rest)) errs.push(invalid(path, rest, regexError('Invalid path', HTTP_PATH_FMT)));
  return errs;
}

function validateIngressClassSpec(spec: Loose<IngressClassSpec>): Errors {
  const controller = str(spec.controller);
  const errs: Errors = controller.length > 250 ? [fieldTooLong('spec.controller', controller, 250)] : [];
  errs.push(...validateDomainPrefixedPath(controller, 'spec.controller'));
  const params = spec.parameters;
  if (params) {
    if (!params.kind) errs.push(fieldRequired('spec.parameters.kind', 'kind is required'));
    if (!params.name) errs.push(fieldRequired('spec.parameters.name', 'name is required'));
    if (isSet(params.scope) && !['Cluster', 'Namespace'].includes(str(params.scope))) errs.push(fieldNotSupported('spec.parameters.scope', params.scope, ['Cluster', 'Namespace']));
    if (params.scope === 'Namespace' && !params.namespace) errs.push(fieldRequired('spec.parameters.namespace', '`parameters.scope` is set to "Namespace"'));
    if (params.scope === 'Cluster' && params.namespace) errs.push(invalid('spec.parameters.namespace', params.namespace, '`parameters.scope` is set to "Cluster"'));
  }
  return errs;
}

export const validateIngressClass = (ic: Loose<IngressClass>): Errors => [...validateObjectMeta(ic.metadata, false, nameIsDNSSubdomain), ...validateIngressClassSpec(obj(ic.spec))];

export function validateIngressClassUpdate(ic: Loose<IngressClass>, old: Loose<IngressClass>): Errors {
  const errs = [...validateObjectMetaUpdate(ic.metadata, old.metadata, false), ...validateIngressClassSpec(obj(ic.spec))];
  if (str(obj(ic.spec).controller) !== str(obj(old.spec).controller)) errs.push(invalid('spec.controller', str(obj(ic.spec).controller), 'field is immutable'));
  return errs;
}
