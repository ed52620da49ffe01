// Container resource requirements and quantity checks (validateResourceRequirements and helpers).
import { fieldForbidden, fieldRequired } from '../../machinery/errors.js';
import { isQualifiedName } from '../../machinery/names.js';
import { compareQuantity, formatQuantity, quantityError, toQuantity, type Quantity } from '../../machinery/quantity.js';
import { child, each, invalid, key, obj, type Errors } from './field.js';

const STANDARD_RESOURCES = new Set([
  'cpu', 'memory', 'ephemeral-storage', 'requests.cpu', 'requests.memory', 'requests.ephemeral-storage', 'limits.cpu',
  'limits.memory', 'limits.ephemeral-storage', 'pods', 'resourcequotas', 'services', 'replicationcontrollers', 'secrets',
  'persistentvolumeclaims', 'configmaps', 'services.nodeports', 'services.loadbalancers', 'requests.storage',
]);

const isHugePages = (name: string) => name.startsWith('hugepages-');
const isNativeResource = (name: string) => !name.includes('/') || name.includes('kubernetes.io/');
const isExtendedResource = (name: string) =>
  !isNativeResource(name) && !name.startsWith('requests.') && isQualifiedName(`requests.${name}`).length === 0;
const isOvercommitAllowed = (name: string) => isNativeResource(name) && !isHugePages(name);
const isStandardResource = (name: string) => STANDARD_RESOURCES.has(name) || isHugePages(name) || name.startsWith('requests.hugepages-');
const isStandardContainerResource = (name: string) => ['cpu', 'memory', 'ephemeral-storage'].includes(name) || isHugePages(name);

function validateResourceName(name: string, path: string): Errors {
  const errs = each(path, name, isQualifiedName(name));
  if (errs.length > 0) return errs;
  if (!name.includes('/') && !isStandardResource(name)) return [invalid(path, name, 'must be a standard resource type or fully qualified')];
  return [];
}

function validateContainerResourceName(name: string, path: string): Errors {
  const errs = validateResourceName(name, path);
  if (!name.includes('/')) {
    if (!isStandardContainerResource(name)) errs.push(invalid(path, name, 'must be a standard resource for containers'));
  } else if (!isNativeResource(name) && !isExtendedResource(name)) {
    errs.push(invalid(path, name, "doesn't follow extended resource name standard"));
  }
  return errs;
}

/** Parses a quantity, or reports the decode error upstream would answer with. */
export function readQuantity(raw: unknown, path: string, errs: Errors): Quantity | undefined {
  if (typeof raw !== 'string' && typeof raw !== 'number') {
    errs.push(invalid(path, raw, 'must be a quantity'));
    return undefined;
  }
  const problem = quantityError(String(raw));
  if (problem) {
    errs.push(invalid(path, raw, problem));
    return undefined;
  }
  return toQuantity(raw);
}

const ZERO = toQuantity('0');

/** ValidateResourceQuantityValue: not negative, and whole for integer-only (extended) resources. */
export function validateResourceQuantityValue(name: string, q: Quantity, path: string): Errors {
  const errs: Errors = [];
  if (compareQuantity(q, ZERO) < 0) errs.push(invalid(path, formatQuantity(q), 'must be greater than or equal to 0'));
  if (isExtendedResource(name) && q.scale < 0 && q.value % 10n ** BigInt(-q.scale) !== 0n) {
    errs.push(invalid(path, formatQuantity(q), 'must be an integer'));
  }
  return errs;
}

export function validatePositiveQuantity(q: Quantity, path: string): Errors {
  return compareQuantity(q, ZERO) <= 0 ? [invalid(path, formatQuantity(q), 'must be greater than zero')] : [];
}

export function validateContainerResources(resources: unknown, path: string): Errors {
  const errs: Errors = [];
  const limPath = child(path, 'limits');
  const reqPath = child(path, 'requests');
  const limits = new Map<string, Quantity>();
  let cpuOrMemory = false;
  let hugePages = false;
  for (const [name, raw] of Object.entries(obj(obj(resources).limits))) {
    const p = key(limPath, name);
    errs.push(...validateContainerResourceName(name, p));
    const q = readQuantity(raw, p, errs);
    if (!q) continue;
    limits.set(name, q);
    errs.push(...validateResourceQuantityValue(name, q, p));
    hugePages ||= isHugePages(name);
    cpuOrMemory ||= name === 'cpu' || name === 'memory';
  }
  for (const [name, raw] of Object.entries(obj(obj(resources).requests))) {
    const p = key(reqPath, name);
    errs.push(...validateContainerResourceName(name, p));
    const q = readQuantity(raw, p, errs);
    if (!q) continue;
    errs.push(...validateResourceQuantityValue(name, q, p));
    const limit = limits.get(name);
    if (limit) {
      const cmp = compareQuantity(q, limit);
      if (cmp !== 0 && !isOvercommitAllowed(name)) {
        errs.push(invalid(reqPath, formatQuantity(q), `must be equal to ${name} limit of ${formatQuantity(limit)}`));
      } else if (cmp > 0) {
        errs.push(invalid(reqPath, formatQuantity(q), `must be less than or equal to ${name} limit of ${formatQuantity(limit)}`));
      }
    } else if (!isOvercommitAllowed(name)) {
      errs.push(fieldRequired(limPath, 'Limit must be set for non overcommitable resources'));
    }
    hugePages ||= isHugePages(name);
    cpuOrMemory ||= name === 'cpu' || name === 'memory';
  }
  if (hugePages && !cpuOrMemory) errs.push(fieldForbidden(path, 'HugePages require cpu or memory'));
  return errs;
}
