// The node's heartbeat Lease in kube-node-lease (component-helpers/apimachinery/lease controller as the
// kubelet runs it): renewed every 10 s, valid for 40 s, owned by the Node.

import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import { REFS, type Client } from '../client/client.js';
import type { Stored } from '../client/objects.js';
import { rfc3339Micro, type Clock } from '../machinery/clock.js';
import { isStatusError } from '../machinery/errors.js';

export const LEASE_NAMESPACE = 'kube-node-lease';
/** The kubelet's nodeLeaseDurationSeconds default; it matches the node controller's 40 s grace period. */
export const LEASE_DURATION_SECONDS = 40;
/** renewInterval = 0.25 × leaseDuration. */
export const leaseRenewMs = (leaseDurationSeconds: number): number => leaseDurationSeconds * 250;

export class NodeLease {
  private lease?: Stored<Lease>;

  constructor(
    private client: Client,
    private clock: Clock,
    private nodeName: string,
    private nodeUID: string,
    private durationSeconds = LEASE_DURATION_SECONDS,
  ) {}

  async renew(): Promise<void> {
    const leases = this.client.resource(REFS.leases);
    const renewTime = rfc3339Micro(this.clock.now());
    if (!this.lease) {
      try {
        this.lease = await leases.get(LEASE_NAMESPACE, this.nodeName);
      } catch (e) {
        if (!isStatusError(e, 'NotFound')) throw e;
        this.lease = await leases.create(LEASE_NAMESPACE, this.desired(renewTime));
        return;
      }
    }
    try {
      const next = this.desired(renewTime);
      this.lease = await leases.update(LEASE_NAMESPACE, { ...next, metadata: { ...this.lease.metadata, ownerReferences: next.metadata.ownerReferences } });
    } catch (e) {
      // Someone else wrote it (or deleted it): read it again on the next renewal.
      this.lease = undefined;
      if (!isStatusError(e, 'Conflict') && !isStatusError(e, 'NotFound')) throw e;
    }
  }

  private desired(renewTime: string): Lease & { metadata: ObjectMeta } {
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: this.nodeName,
        namespace: LEASE_NAMESPACE,
        ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: this.nodeName, uid: this.nodeUID }],
      },
      spec: { holderIdentity: this.nodeName, leaseDurationSeconds: this.durationSeconds, renewTime },
    };
  }
}
