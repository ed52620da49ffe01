// The RBAC objects the authorizer reads, straight from the store: bindings indexed by namespace and
// rebuilt only after an RBAC write, so authorization sees a binding as soon as its create returns.

import type { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from 'kubernetes-types/rbac/v1.js';
import type { Store } from '../../storage/store.js';
import type { RoleSource } from './rbac.js';

const ROLES = 'rbac.authorization.k8s.io/roles';
const CLUSTER_ROLES = 'rbac.authorization.k8s.io/clusterroles';
const ROLE_BINDINGS = 'rbac.authorization.k8s.io/rolebindings';
const CLUSTER_ROLE_BINDINGS = 'rbac.authorization.k8s.io/clusterrolebindings';
const RESOURCES = [ROLES, CLUSTER_ROLES, ROLE_BINDINGS, CLUSTER_ROLE_BINDINGS];

export class StoreRoleSource implements RoleSource {
  private roleBindings = new Map<string, RoleBinding[]>();
  private clusterRoleBindings: ClusterRoleBinding[] | undefined;
  private bindingsRev = -1;

  constructor(private store: Store) {}

  /** Changes whenever any RBAC object is written: a key for caches of decisions. */
  version(): number {
    let v = 0;
    for (const r of RESOURCES) v = Math.max(v, this.store.lastWrite(r));
    return v;
  }

  private fresh(): void {
    const rev = Math.max(this.store.lastWrite(ROLE_BINDINGS), this.store.lastWrite(CLUSTER_ROLE_BINDINGS));
    if (rev === this.bindingsRev) return;
    this.bindingsRev = rev;
    this.clusterRoleBindings = undefined;
    this.roleBindings.clear();
  }

  getRole(ns: string, name: string): Role | undefined {
    return this.store.get(ROLES, ns, name)?.object as Role | undefined;
  }

  getClusterRole(name: string): ClusterRole | undefined {
    return this.store.get(CLUSTER_ROLES, '', name)?.object as ClusterRole | undefined;
  }

  listRoleBindings(ns: string): RoleBinding[] {
    this.fresh();
    let list = this.roleBindings.get(ns);
    if (!list) {
      list = this.store.list(ROLE_BINDINGS, ns).entries.map((e) => e.object as unknown as RoleBinding);
      this.roleBindings.set(ns, list);
    }
    return list;
  }

  listClusterRoleBindings(): ClusterRoleBinding[] {
    this.fresh();
    this.clusterRoleBindings ??= this.store.list(CLUSTER_ROLE_BINDINGS).entries.map((e) => e.object as unknown as ClusterRoleBinding);
    return this.clusterRoleBindings;
  }
}
