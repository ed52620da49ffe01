// NodeSelector matching (component-helpers/scheduling/corev1/nodeaffinity): terms are ORed, the
// requirements of one term ANDed; a term with no requirements matches nothing, and a term that does not
// parse is ignored rather than failing the pod (upstream keeps this for backwards compatibility).

import type { Node, NodeSelectorRequirement, NodeSelectorTerm, Pod, PreferredSchedulingTerm } from 'kubernetes-types/core/v1.js';

type LabelTest = (labels: Record<string, string>) => boolean;
type NodeTest = (node: Node) => boolean;

const INT = /^[+-]?\d+$/;

function labelRequirement(r: NodeSelectorRequirement): LabelTest | undefined {
  const key: string = r.key;
  const values: string[] = r.values ?? [];
  switch (r.operator) {
    case 'In':
      if (!values.length) return undefined;
      return (l) => key in l && values.includes(l[key]);
    case 'NotIn':
      if (!values.length) return undefined;
      return (l) => !(key in l) || !values.includes(l[key]);
    case 'Exists':
      if (values.length) return undefined;
      return (l) => key in l;
    case 'DoesNotExist':
      if (values.length) return undefined;
      return (l) => !(key in l);
    case 'Gt':
    case 'Lt': {
      if (values.length !== 1 || !INT.test(values[0])) return undefined;
      const bound = BigInt(values[0]);
      const gt = r.operator === 'Gt';
      return (l) => {
        const v = l[key];
        if (v === undefined || !INT.test(v)) return false;
        return gt ? BigInt(v) > bound : BigInt(v) < bound;
      };
    }
    default:
      return undefined;
  }
}

// Only metadata.name is a valid node field, with In or NotIn and exactly one value.
function fieldRequirement(r: NodeSelectorRequirement): NodeTest | undefined {
  const values: string[] = r.values ?? [];
  if (r.key !== 'metadata.name' || values.length !== 1) return undefined;
  if (r.operator === 'In') return (n) => n.metadata?.name === values[0];
  if (r.operator === 'NotIn') return (n) => n.metadata?.name !== values[0];
  return undefined;
}

function compileTerm(term: NodeSelectorTerm | undefined): NodeTest | undefined {
  const exprs = term?.matchExpressions ?? [];
  const fields = term?.matchFields ?? [];
  if (!exprs.length && !fields.length) return () => false;
  const labelTests: LabelTest[] = [];
  for (const r of exprs) {
    const t = labelRequirement(r);
    if (!t) return undefined;
    labelTests.push(t);
  }
  const fieldTests: NodeTest[] = [];
  for (const r of fields) {
    const t = fieldRequirement(r);
    if (!t) return undefined;
    fieldTests.push(t);
  }
  return (node) => {
    const labels = node.metadata?.labels ?? {};
    return labelTests.every((t) => t(labels)) && fieldTests.every((t) => t(node));
  };
}

export function compileNodeSelectorTerms(terms: NodeSelectorTerm[] | undefined): NodeTest {
  const tests = (terms ?? []).map(compileTerm).filter((t): t is NodeTest => !!t);
  return (node) => tests.some((t) => t(node));
}

/** The preferred terms' weights a node earns (NodeAffinity scoring). */
export function compilePreferredTerms(terms: PreferredSchedulingTerm[] | undefined): (node: Node) => number {
  const weighted = (terms ?? [])
    .filter((t) => t.weight)
    .map((t) => ({ weight: t.weight as number, test: compileTerm(t.preference) }))
    .filter((t): t is { weight: number; test: NodeTest } => !!t.test);
  return (node) => weighted.reduce((sum, t) => (t.test(node) ? sum + t.weight : sum), 0);
}

/** nodeaffinity.GetRequiredNodeAffinity(pod).Match: spec.nodeSelector AND required node affinity. */
export function compileRequiredNodeAffinity(pod: Pod): NodeTest | undefined {
  const selector: Record<string, string> | undefined = pod.spec?.nodeSelector;
  const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!selector && !required) return undefined;
  const entries = Object.entries(selector ?? {});
  const affinity = required ? compileNodeSelectorTerms(required.nodeSelectorTerms) : undefined;
  return (node) => {
    const labels = node.metadata?.labels ?? {};
    if (!entries.every(([k, v]) => labels[k] === v)) return false;
    return !affinity || affinity(node);
  };
}
