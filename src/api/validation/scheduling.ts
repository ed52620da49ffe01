// The scheduling parts of a PodSpec: node and pod (anti-)affinity, tolerations and topology spread.
import type { Affinity, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, PodAffinity, PodAffinityTerm, PodAntiAffinity, PreferredSchedulingTerm, WeightedPodAffinityTerm } from 'kubernetes-types/core/v1.js';
import type { Loose } from '../loose.js';
import { fieldDuplicate, fieldForbidden, fieldNotSupported, fieldRequired } from '../../machinery/errors.js';
import { isQualifiedName, isValidLabelValue, nameIsDNSLabel } from '../../machinery/names.js';
import { arr, child, duplicateRendered, each, index, invalid, isSet, obj, str, type Errors } from './field.js';
import { validateLabelSelector } from './selector.js';

const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const SCHEDULE_ACTIONS = ['DoNotSchedule', 'ScheduleAnyway'];

function validateNodeSelectorRequirement(rq: Loose<NodeSelectorRequirement>, allowInvalidValues: boolean, path: string): Errors {
  const errs: Errors = [];
  const values = arr<string>(rq.values);
  switch (rq.operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) errs.push(fieldRequired(child(path, 'values'), "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length > 0) errs.push(fieldForbidden(child(path, 'values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    case 'Gt':
    case 'Lt':
      if (values.length !== 1) errs.push(fieldRequired(child(path, 'values'), "must be specified single value when `operator` is 'Lt' or 'Gt'"));
      break;
    default:
      errs.push(invalid(child(path, 'operator'), rq.operator ?? '', 'not a valid selector operator'));
  }
  errs.push(...each(child(path, 'key'), str(rq.key), isQualifiedName(str(rq.key))));
  if (!allowInvalidValues) values.forEach((v, i) => errs.push(...each(index(child(path, 'values'), i), v, isValidLabelValue(str(v)))));
  return errs;
}

function validateNodeSelectorTerm(term: Loose<NodeSelectorTerm>, allowInvalidValues: boolean, path: string): Errors {
  const errs: Errors = [];
  arr<Loose<NodeSelectorRequirement>>(term.matchExpressions).forEach((rq, i) => errs.push(...validateNodeSelectorRequirement(rq, allowInvalidValues, index(child(path, 'matchExpressions'), i))));
  arr<Loose<NodeSelectorRequirement>>(term.matchFields).forEach((rq, i) => {
    const p = index(child(path, 'matchFields'), i);
    if (rq.operator !== 'In' && rq.operator !== 'NotIn') errs.push(invalid(child(p, 'operator'), rq.operator ?? '', 'not a valid selector operator'));
    else if (arr(rq.values).length !== 1) errs.push(fieldRequired(child(p, 'values'), "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"));
    if (rq.key !== 'metadata.name') errs.push(invalid(child(p, 'key'), str(rq.key), 'not a valid field selector key'));
  });
  return errs;
}

/** ValidateNodeSelector (required node affinity, PersistentVolume node affinity). */
export function validateNodeSelector(selector: Loose<NodeSelector>, path: string): Errors {
  const terms = arr<Loose<NodeSelectorTerm>>(selector.nodeSelectorTerms);
  const termsPath = child(path, 'nodeSelectorTerms');
  if (terms.length === 0) return [fieldRequired(termsPath, 'must have at least one node selector term')];
  return terms.flatMap((t, i) => validateNodeSelectorTerm(t, false, index(termsPath, i)));
}

function validateWeight(weight: unknown, path: string): Errors {
  const w = Number(weight ?? 0);
  return w <= 0 || w > 100 ? [invalid(path, w, 'must be in the range 1-100')] : [];
}

function validatePodAffinityTerm(term: Loose<PodAffinityTerm>, path: string): Errors {
  const errs = validateLabelSelector(term.labelSelector, child(path, 'labelSelector'));
  errs.push(...validateLabelSelector(term.namespaceSelector, child(path, 'namespaceSelector')));
  for (const ns of arr<string>(term.namespaces)) errs.push(...each(child(path, 'namespace'), ns, nameIsDNSLabel(str(ns), false)));
  if (!term.topologyKey) errs.push(fieldRequired(child(path, 'topologyKey'), 'can not be empty'));
  return [...errs, ...each(child(path, 'topologyKey'), str(term.topologyKey), isQualifiedName(str(term.topologyKey)))];
}

function validatePodAffinity(affinity: Loose<PodAffinity | PodAntiAffinity>, path: string): Errors {
  const errs: Errors = [];
  const required = child(path, 'requiredDuringSchedulingIgnoredDuringExecution');
  arr<Loose<PodAffinityTerm>>(affinity.requiredDuringSchedulingIgnoredDuringExecution).forEach((t, i) => errs.push(...validatePodAffinityTerm(t, index(required, i))));
  const preferred = child(path, 'preferredDuringSchedulingIgnoredDuringExecution');
  arr<Loose<WeightedPodAffinityTerm>>(affinity.preferredDuringSchedulingIgnoredDuringExecution).forEach((t, i) => {
    errs.push(...validateWeight(t.weight, child(index(preferred, i), 'weight')));
    errs.push(...validatePodAffinityTerm(obj(t.podAffinityTerm), child(index(preferred, i), 'podAffinityTerm')));
  });
  return errs;
}

export function validateAffinity(affinity: Loose<Affinity> | undefined, path: string): Errors {
  if (!affinity) return [];
  const errs: Errors = [];
  const node = affinity.nodeAffinity;
  if (node) {
    const np = child(path, 'nodeAffinity');
    if (node.requiredDuringSchedulingIgnoredDuringExecution) {
      errs.push(...validateNodeSelector(node.requiredDuringSchedulingIgnoredDuringExecution, child(np, 'requiredDuringSchedulingIgnoredDuringExecution')));
    }
    const preferred = child(np, 'preferredDuringSchedulingIgnoredDuringExecution');
    arr<Loose<PreferredSchedulingTerm>>(node.preferredDuringSchedulingIgnoredDuringExecution).forEach((t, i) => {
      errs.push(...validateWeight(t.weight, child(index(preferred, i), 'weight')));
      errs.push(...validateNodeSelectorTerm(obj(t.preference), true, child(index(preferred, i), 'preference')));
    });
  }
  if (affinity.podAffinity) errs.push(...validatePodAffinity(affinity.podAffinity, child(path, 'podAffinity')));
  if (affinity.podAntiAffinity) errs.push(...validatePodAffinity(affinity.podAntiAffinity, child(path, 'podAntiAffinity')));
  return errs;
}

export function validateTaintEffect(effect: unknown, allowEmpty: boolean, path: string): Errors {
  if (!allowEmpty && !effect) return [fieldRequired(path)];
  return TAINT_EFFECTS.includes(str(effect)) ? [] : [fieldNotSupported(path, effect ?? '', TAINT_EFFECTS)];
}

export function validateTolerations(tolerations: unknown, path: string): Errors {
  const errs: Errors = [];
  arr(tolerations).forEach((t, i) => {
    const p = index(path, i);
    const k = str(t.key);
    if (k) errs.push(...each(child(p, 'key'), k, isQualifiedName(k)));
    if (!k && t.operator !== 'Exists') {
      errs.push(invalid(child(p, 'operator'), t.operator ?? '', 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (isSet(t.tolerationSeconds) && t.effect !== 'NoExecute') {
      errs.push(invalid(child(p, 'effect'), t.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    if (!t.operator || t.operator === 'Equal') {
      const msgs = isValidLabelValue(str(t.value));
      if (msgs.length > 0) errs.push(invalid(child(p, 'operator'), str(t.value), msgs.join(';')));
    } else if (t.operator === 'Exists') {
      if (t.value) errs.push(invalid(child(p, 'operator'), t.value, "value must be empty when `operator` is 'Exists'"));
    } else {
      errs.push(fieldNotSupported(child(p, 'operator'), t.operator, ['Equal', 'Exists']));
    }
    if (t.effect) errs.push(...validateTaintEffect(t.effect, true, child(p, 'effect')));
  });
  return errs;
}

export function validateTopologySpreadConstraints(constraints: unknown, path: string): Errors {
  const errs: Errors = [];
  const list = arr(constraints);
  list.forEach((c, i) => {
    const p = index(path, i);
    if (!(Number(c.maxSkew ?? 0) > 0)) errs.push(invalid(child(p, 'maxSkew'), c.maxSkew ?? 0, 'must be greater than zero'));
    if (!c.topologyKey) errs.push(fieldRequired(child(p, 'topologyKey'), 'can not be empty'));
    if (!SCHEDULE_ACTIONS.includes(c.whenUnsatisfiable)) errs.push(fieldNotSupported(child(p, 'whenUnsatisfiable'), c.whenUnsatisfiable ?? '', SCHEDULE_ACTIONS));
    const repeated = list.slice(i + 1).some((o) => o.topologyKey === c.topologyKey && o.whenUnsatisfiable === c.whenUnsatisfiable);
    if (repeated) errs.push(duplicateRendered(child(p, '{topologyKey, whenUnsatisfiable}'), JSON.stringify(`{${str(c.topologyKey)}, ${str(c.whenUnsatisfiable)}}`)));
    if (isSet(c.minDomains)) {
      if (c.minDomains <= 0) errs.push(invalid(child(p, 'minDomains'), c.minDomains, 'must be greater than zero'));
      if (c.whenUnsatisfiable !== 'DoNotSchedule') {
        errs.push(invalid(child(p, 'minDomains'), c.minDomains, `can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ${str(c.whenUnsatisfiable)}`));
      }
    }
    errs.push(...validateLabelSelector(c.labelSelector, child(p, 'labelSelector')));
  });
  return errs;
}

export function validateSchedulingGates(gates: unknown, path: string): Errors {
  const errs: Errors = [];
  const seen = new Set<string>();
  arr(gates).forEach((g, i) => {
    const name = str(g.name);
    errs.push(...each(index(path, i), name, isQualifiedName(name)));
    if (seen.has(name)) errs.push(fieldDuplicate(index(path, i), name));
    seen.add(name);
  });
  return errs;
}
