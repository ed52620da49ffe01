// Privilege escalation prevention (pkg/registry/rbac/validation/policy_comparator.go, rule.go
// ConfirmNoEscalation): a role or binding may only grant what its author already holds.

import type { PolicyRule } from 'kubernetes-types/rbac/v1.js';
import type { UserInfo } from '../authentication/user.js';
import type { RuleResolver } from './attributes.js';

const has = (set: string[] | undefined, v: string) => !!set?.includes(v);
const hasAll = (set: string[] | undefined, vs: string[] | undefined) => (vs ?? []).every((v) => has(set, v));

/** BreakdownRule: one rule per group, resource and verb (and per URL and verb). */
export function breakdownRule(rule: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const group of rule.apiGroups ?? []) {
    for (const resource of rule.resources ?? []) {
      for (const verb of rule.verbs) {
        out.push({ apiGroups: [group], resources: [resource], verbs: [verb], ...(rule.resourceNames?.length ? { resourceNames: rule.resourceNames } : {}) });
      }
    }
  }
  for (const url of rule.nonResourceURLs ?? []) for (const verb of rule.verbs) out.push({ nonResourceURLs: [url], verbs: [verb] });
  return out;
}

function resourceCoversAll(set: string[] | undefined, covers: string[] | undefined): boolean {
  if (has(set, '*') || hasAll(set, covers)) return true;
  return (covers ?? []).every((path) => {
    if (has(set, path)) return true;
    const slash = path.indexOf('/');
    return slash >= 0 && has(set, `*/${path.slice(slash + 1)}`);
  });
}

function nonResourceURLsCoverAll(set: string[] | undefined, covers: string[] | undefined): boolean {
  return (covers ?? []).every((url) => (set ?? []).some((owner) => owner === url || (owner.endsWith('*') && url.startsWith(owner.slice(0, -1)))));
}

function ruleCovers(owner: PolicyRule, sub: PolicyRule): boolean {
  const verbs = has(owner.verbs, '*') || hasAll(owner.verbs, sub.verbs);
  const groups = has(owner.apiGroups, '*') || hasAll(owner.apiGroups, sub.apiGroups);
  const names = !sub.resourceNames?.length ? !owner.resourceNames?.length : !owner.resourceNames?.length || hasAll(owner.resourceNames, sub.resourceNames);
  return verbs && groups && resourceCoversAll(owner.resources, sub.resources) && names && nonResourceURLsCoverAll(owner.nonResourceURLs, sub.nonResourceURLs);
}

/** Covers: the broken-down rules of `servant` that no rule of `owner` covers. */
export function uncoveredRules(owner: PolicyRule[], servant: PolicyRule[]): PolicyRule[] {
  return servant.flatMap(breakdownRule).filter((sub) => !owner.some((o) => ruleCovers(o, sub)));
}

const quoted = (l: string[]) => `[${l.map((s) => JSON.stringify(s)).join(' ')}]`;

/** rbacv1helpers.CompactString. */
export function compactString(r: PolicyRule): string {
  const parts: string[] = [];
  if (r.apiGroups?.length) parts.push(`APIGroups:${quoted(r.apiGroups)}`);
  if (r.resources?.length) parts.push(`Resources:${quoted(r.resources)}`);
  if (r.nonResourceURLs?.length) parts.push(`NonResourceURLs:${quoted(r.nonResourceURLs)}`);
  if (r.resourceNames?.length) parts.push(`ResourceNames:${quoted(r.resourceNames)}`);
  if (r.verbs.length) parts.push(`Verbs:${quoted(r.verbs)}`);
  return `{${parts.join(', ')}}`;
}

/** CompactRules: simple rules differing only in their verbs become one. */
function compactRules(rules: PolicyRule[]): PolicyRule[] {
  const byKey = new Map<string, PolicyRule>();
  const out: PolicyRule[] = [];
  for (const r of rules) {
    const key = JSON.stringify([r.apiGroups, r.resources, r.resourceNames, r.nonResourceURLs]);
    const seen = byKey.get(key);
    if (seen) seen.verbs = [...seen.verbs, ...r.verbs.filter((v) => !seen.verbs.includes(v))];
    else {
      const copy = { ...r, verbs: [...r.verbs] };
      byKey.set(key, copy);
      out.push(copy);
    }
  }
  return out;
}

/** The rules `user` holds in `namespace`, as PolicyRules. */
export function heldRules(resolver: RuleResolver, user: UserInfo, namespace: string): { rules: PolicyRule[]; error?: string } {
  const held = resolver.rulesFor(user, namespace);
  const rules: PolicyRule[] = [
    ...held.resourceRules.map((r) => ({ verbs: r.verbs, apiGroups: r.apiGroups, resources: r.resources, ...(r.resourceNames ? { resourceNames: r.resourceNames } : {}) })),
    ...held.nonResourceRules.map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs })),
  ];
  return { rules, ...(held.evaluationError ? { error: held.evaluationError } : {}) };
}

/** ConfirmNoEscalation: the error text when `rules` grant what `user` does not hold in `namespace`, else undefined. */
export function escalationError(resolver: RuleResolver, user: UserInfo, namespace: string, rules: PolicyRule[]): string | undefined {
  const held = heldRules(resolver, user, namespace);
  const missing = uncoveredRules(held.rules, rules);
  if (!missing.length) return undefined;
  const described = [...new Set(compactRules(missing).map(compactString))].sort();
  let msg = `user ${JSON.stringify(user.name)} (groups=${quoted(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${described.join('\n')}`;
  if (held.error) msg += `; resolution errors: [${held.error}]`;
  return msg;
}
