// metav1.LabelSelector: its validation (ValidateLabelSelector) and the parts of LabelSelectorAsSelector
// validation needs: whether it converts, whether it is empty, and whether it matches a label set.
// A nil selector selects nothing; an empty one selects everything.
import { isQualifiedName, isValidLabelValue } from '../../machinery/names.js';
import { fieldForbidden, fieldRequired } from '../../machinery/errors.js';
import type { LabelSelector, LabelSelectorRequirement } from 'kubernetes-types/meta/v1.js';
import type { Loose } from '../loose.js';
import { arr, child, each, index, invalid, obj, str, type Errors } from './field.js';

type Selector = Loose<LabelSelector> | undefined | null;
type Requirement = Loose<LabelSelectorRequirement>;

export function validateLabels(labels: unknown, path: string): Errors {
  const errs: Errors = [];
  for (const [k, v] of Object.entries(obj(labels))) {
    errs.push(...each(path, k, isQualifiedName(k)));
    errs.push(...each(path, v, isValidLabelValue(str(v))));
  }
  return errs;
}

export function validateLabelSelector(sel: Selector, path: string, allowInvalidLabelValue = false): Errors {
  if (!sel) return [];
  const errs = validateLabels(sel.matchLabels, child(path, 'matchLabels'));
  arr<Requirement>(sel.matchExpressions).forEach((req, i) => {
    const p = index(child(path, 'matchExpressions'), i);
    const values = arr<string>(req.values);
    switch (req.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) errs.push(fieldRequired(child(p, 'values'), "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) errs.push(fieldForbidden(child(p, 'values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        errs.push(invalid(child(p, 'operator'), req.operator ?? '', 'not a valid selector operator'));
    }
    errs.push(...each(child(p, 'key'), str(req.key), isQualifiedName(str(req.key))));
    if (!allowInvalidLabelValue) values.forEach((v, j) => errs.push(...each(index(child(p, 'values'), j), v, isValidLabelValue(str(v)))));
  });
  return errs;
}

/** True when LabelSelectorAsSelector would return an error. */
export function selectorFailsToConvert(sel: Selector): boolean {
  if (!sel) return false;
  const labelsBad = Object.entries(obj(sel.matchLabels)).some(([k, v]) => isQualifiedName(k).length > 0 || isValidLabelValue(str(v)).length > 0);
  const exprBad = arr<Requirement>(sel.matchExpressions).some((req) => {
    const values = arr<string>(req.values);
    if (isQualifiedName(str(req.key)).length > 0 || values.some((v) => isValidLabelValue(str(v)).length > 0)) return true;
    if (req.operator === 'In' || req.operator === 'NotIn') return values.length === 0;
    if (req.operator === 'Exists' || req.operator === 'DoesNotExist') return values.length > 0;
    return true;
  });
  return labelsBad || exprBad;
}

export const selectorIsEmpty = (sel: Selector) =>
  !!sel && Object.keys(obj(sel.matchLabels)).length === 0 && arr(sel.matchExpressions).length === 0;

export function selectorMatches(sel: Selector, labels: Record<string, string> | undefined): boolean {
  if (!sel) return false;
  const set = labels ?? {};
  const has = (k: string) => Object.prototype.hasOwnProperty.call(set, k);
  if (!Object.entries(obj(sel.matchLabels)).every(([k, v]) => has(k) && set[k] === v)) return false;
  return arr<Requirement>(sel.matchExpressions).every((req) => {
    const values = arr<string>(req.values);
    // A selector that passed validation has a key; an unvalidated one is looked up as before.
    const key = req.key as string;
    switch (req.operator) {
      case 'In':
        return has(key) && values.includes(set[key]);
      case 'NotIn':
        return !has(key) || !values.includes(set[key]);
      case 'Exists':
        return has(key);
      case 'DoesNotExist':
        return !has(key);
      default:
        return false;
    }
  });
}
