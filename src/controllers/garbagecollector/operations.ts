// Reads and writes of objects named by identity, through the client (pkg/controller/garbagecollector/operations.go).

import { lookupKind, type ResourceInfo } from '../../api/resources.js';
import type { Client, ResourceClient } from '../../client/client.js';
import { DEFAULT_BACKOFF, retryOnConflict } from '../../client/retry.js';
import type { KubeObject, Stored } from '../../client/objects.js';
import type { DeleteOpts, PatchKind } from '../../client/transport.js';
import type { Clock } from '../../machinery/clock.js';
import { isStatusError } from '../../machinery/errors.js';
import { deepEqual } from '../../machinery/objects.js';
import { describeIdentity, type ObjectIdentity, type OwnerReference } from './identity.js';
import { finalizersPatch } from './patch.js';

/** The reference names an apiVersion/kind this server does not serve. */
export class UnresolvableKindError extends Error {
  constructor(apiVersion: string, kind: string) {
    super(`unable to resolve kind ${kind} in ${apiVersion}`);
  }
}

export class ObjectOperations {
  constructor(
    private client: Client,
    private clock: Clock,
  ) {}

  resolve(apiVersion: string, kind: string): ResourceInfo | undefined {
    return lookupKind(apiVersion, kind);
  }

  private target(id: ObjectIdentity): { rc: ResourceClient<KubeObject>; ns: string } {
    const r = this.resolve(id.apiVersion, id.kind);
    if (!r) throw new UnresolvableKindError(id.apiVersion, id.kind);
    return { rc: this.client.resource<KubeObject>(r), ns: r.namespaced ? id.namespace : '' };
  }

  get(id: ObjectIdentity): Promise<Stored<KubeObject>> {
    const { rc, ns } = this.target(id);
    return rc.get(ns, id.name);
  }

  patch(id: ObjectIdentity, kind: PatchKind, body: object): Promise<Stored<KubeObject>> {
    const { rc, ns } = this.target(id);
    return rc.patch(ns, id.name, kind, body);
  }

  /**
   * Delete with uid and resourceVersion preconditions. A resourceVersion conflict caused by changes other
   * than to ownerReferences is retried with the uid precondition alone, so busy objects are still collected.
   */
  async delete(id: ObjectIdentity, resourceVersion: string, owners: OwnerReference[], policy: NonNullable<DeleteOpts['propagationPolicy']>): Promise<void> {
    const { rc, ns } = this.target(id);
    const opts: DeleteOpts = { propagationPolicy: policy, preconditions: { uid: id.uid, resourceVersion } };
    try {
      await rc.delete(ns, id.name, opts);
    } catch (e) {
      if (isStatusError(e, 'NotFound')) return;
      if (!isStatusError(e, 'Conflict')) throw e;
      let live: Stored<KubeObject>;
      try {
        live = await rc.get(ns, id.name);
      } catch (ge) {
        if (isStatusError(ge, 'NotFound')) return;
        throw e;
      }
      const m = live.metadata;
      if (m.uid !== id.uid || m.resourceVersion === resourceVersion || !deepEqual(m.ownerReferences ?? [], owners)) throw e;
      try {
        await rc.delete(ns, id.name, { propagationPolicy: policy, preconditions: { uid: id.uid } });
      } catch (de) {
        if (!isStatusError(de, 'NotFound')) throw de;
      }
    }
  }

  /** Take `finalizer` off the object if it is still there, re-reading it on conflicts (retry.DefaultBackoff). */
  async removeFinalizer(id: ObjectIdentity, finalizer: string): Promise<void> {
    const { rc, ns } = this.target(id);
    try {
      await retryOnConflict(
        this.clock,
        async () => {
          let obj: Stored<KubeObject>;
          try {
            obj = await rc.get(ns, id.name);
          } catch (e) {
            if (isStatusError(e, 'NotFound')) return;
            throw e;
          }
          if (obj.metadata.uid !== id.uid) return;
          const finalizers: string[] = obj.metadata.finalizers ?? [];
          if (!finalizers.includes(finalizer)) return;
          try {
            await rc.patch(ns, id.name, 'merge', finalizersPatch(obj.metadata.resourceVersion, finalizers.filter((f) => f !== finalizer)));
          } catch (e) {
            if (!isStatusError(e, 'NotFound')) throw e;
          }
        },
        DEFAULT_BACKOFF,
      );
    } catch (e) {
      if (!isStatusError(e, 'Conflict')) throw e;
      throw new Error(`updateMaxRetries(${DEFAULT_BACKOFF.steps}) has reached. The garbage collector will retry later for owner ${describeIdentity(id)}`);
    }
  }
}
