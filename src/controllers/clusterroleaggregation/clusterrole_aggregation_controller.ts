// ClusterRole aggregation (pkg/controller/clusterroleaggregation): a ClusterRole with an aggregationRule
// has its rules kept equal to the union of the rules of every other ClusterRole its selectors match.

import type { ClusterRole, PolicyRule } from 'kubernetes-types/rbac/v1.js';
import type { Client } from '../../client/client.js';
import type { Informer } from '../../client/informer.js';
import type { ResourceRef } from '../../client/transport.js';
import { runWorkers, WorkQueue } from '../../client/workqueue.js';
import { isStatusError } from '../../machinery/errors.js';
import { fromLabelSelector, matches } from '../../machinery/labels.js';
import type { Controller, ControllerContext } from '../context.js';

const CLUSTER_ROLES: ResourceRef = { group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'clusterroles' };

// equality.Semantic.DeepEqual: a missing list equals an empty one.
function sameList(a: string[] | undefined, b: string[] | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

export function ruleEquals(a: PolicyRule, b: PolicyRule): boolean {
  return (
    sameList(a.verbs, b.verbs) &&
    sameList(a.apiGroups, b.apiGroups) &&
    sameList(a.resources, b.resources) &&
    sameList(a.resourceNames, b.resourceNames) &&
    sameList(a.nonResourceURLs, b.nonResourceURLs)
  );
}

export function rulesEqual(a: PolicyRule[] | undefined, b: PolicyRule[] | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  return x.length === y.length && x.every((r, i) => ruleEquals(r, y[i]));
}

/**
 * syncClusterRole's union: per selector in order, the matching roles sorted by name (this one excluded),
 * each rule once.
 */
export function aggregatedRules(role: ClusterRole, all: ClusterRole[]): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const ls of role.aggregationRule?.clusterRoleSelectors ?? []) {
    const sel = fromLabelSelector(ls);
    const selected = all.filter((r) => matches(sel, r.metadata?.labels)).sort((a, b) => compare(a.metadata!.name!, b.metadata!.name!));
    for (const r of selected) {
      if (r.metadata!.name === role.metadata!.name) continue;
      for (const rule of r.rules ?? []) if (!out.some((o) => ruleEquals(o, rule))) out.push(rule);
    }
  }
  return out;
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export class ClusterRoleAggregationController implements Controller {
  private queue: WorkQueue;
  private client: Client;
  private roles: Informer;

  constructor(ctx: ControllerContext) {
    this.client = ctx.client;
    this.queue = new WorkQueue(ctx.clock, { name: 'ClusterRoleAggregator' });
    this.roles = ctx.informers.get(CLUSTER_ROLES);
    // Any change may alter what some aggregating role selects, so every aggregating role is looked at again.
    const enqueueAll = () => {
      for (const r of this.roles.list() as ClusterRole[]) if (r.aggregationRule) this.queue.add(r.metadata!.name!);
    };
    this.roles.addHandler({ add: enqueueAll, update: enqueueAll, delete: enqueueAll });
  }

  start(): void {
    runWorkers(this.queue, 1, (name) => this.sync(name));
  }

  stop(): void {
    this.queue.shutdown();
  }

  private async sync(name: string): Promise<void> {
    const role: ClusterRole | undefined = this.roles.getByName('', name);
    if (!role?.aggregationRule) return;
    const rules = aggregatedRules(role, this.roles.list());
    if (rulesEqual(rules, role.rules)) return;
    const next = structuredClone(role);
    next.rules = structuredClone(rules);
    try {
      await this.client.resource(CLUSTER_ROLES).update('', next);
    } catch (e) {
      // A newer version is on its way through the informer and queues this role again.
      if (!isStatusError(e, 'Conflict') && !isStatusError(e, 'NotFound')) throw e;
    }
  }
}
