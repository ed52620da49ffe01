// Node selector terms as PersistentVolume node affinity uses them (component-helpers
// scheduling/corev1/nodeaffinity): terms are ORed, the requirements inside a term ANDed.

import type { NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, PersistentVolume, VolumeNodeAffinity } from 'kubernetes-types/core/v1.js';
import { LABEL_HOSTNAME } from '../../api/storage/annotations.js';

export interface NodeView {
  name: string;
  labels: Record<string, string>;
}

function matchesRequirement(req: NodeSelectorRequirement, value: string | undefined): boolean {
  const values: string[] = req.values ?? [];
  switch (req.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || values.length !== 1) return false;
      const have = Number.parseInt(value, 10);
      const want = Number.parseInt(values[0], 10);
      if (Number.isNaN(have) || Number.isNaN(want)) return false;
      return req.operator === 'Gt' ? have > want : have < want;
    }
    default:
      return false;
  }
}

function matchesTerm(term: NodeSelectorTerm | undefined, node: NodeView): boolean {
  const exprs = term?.matchExpressions ?? [];
  const fields = term?.matchFields ?? [];
  // An empty term selects nothing.
  if (exprs.length === 0 && fields.length === 0) return false;
  for (const e of exprs) if (!matchesRequirement(e, node.labels[e.key])) return false;
  for (const f of fields) if (!matchesRequirement(f, f.key === 'metadata.name' ? node.name : undefined)) return false;
  return true;
}

/** Whether a v1.NodeSelector admits the node; a missing selector admits every node. */
export function nodeSelectorMatches(selector: NodeSelector | undefined, node: NodeView): boolean {
  if (!selector) return true;
  const terms = selector.nodeSelectorTerms ?? [];
  return terms.some((t) => matchesTerm(t, node));
}

/** volumeutil.CheckNodeAffinity: a PV without required node affinity is reachable from every node. */
export function volumeReachableFrom(pv: PersistentVolume | undefined, node: NodeView): boolean {
  return nodeSelectorMatches(pv?.spec?.nodeAffinity?.required, node);
}

/** The affinity a WaitForFirstConsumer volume is pinned with (GetVolumeNodeAffinity). */
export function hostnameNodeAffinity(hostname: string): VolumeNodeAffinity {
  return {
    required: {
      nodeSelectorTerms: [{ matchExpressions: [{ key: LABEL_HOSTNAME, operator: 'In', values: [hostname] }] }],
    },
  };
}
