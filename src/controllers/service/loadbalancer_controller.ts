// The built-in load balancer: what a cloud's service controller does for `type: LoadBalancer`, with
// addresses from a local pool (as k3s's ServiceLB or MetalLB on a laptop). A Service of that type
// without a loadBalancerClass gets the lowest free address of the pool in
// status.loadBalancer.ingress, so `kubectl get svc` shows it instead of `<pending>`; a Service that is
// no longer a LoadBalancer loses it, and a deleted one gives it back. With the pool exhausted the
// Service stays `<pending>` with a warning event, and gets an address once one is freed.

import type { Service } from 'kubernetes-types/core/v1.js';
import { REFS, type Client } from '../../client/client.js';
import type { EventRecorder } from '../../client/events.js';
import type { Informer } from '../../client/informer.js';
import type { Stored } from '../../client/objects.js';
import { runWorkers, WorkQueue } from '../../client/workqueue.js';
import { isStatusError } from '../../machinery/errors.js';
import type { Controller, ControllerContext } from '../context.js';

/** An inclusive IPv4 range, `first-last`. */
export interface AddressPool {
  first: number;
  last: number;
}

/** 127.0.0.100-127.0.0.199: reachable on this machine only, like everything k8ts serves by default. */
export const DEFAULT_POOL = '127.0.0.100-127.0.0.199';

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function ipToInt(ip: string): number | undefined {
  const m = IPV4.exec(ip);
  if (!m) return undefined;
  const octets = m.slice(1).map(Number);
  if (octets.some((o) => o > 255)) return undefined;
  return octets.reduce((a, o) => a * 256 + o, 0);
}

function intToIp(n: number): string {
  return [Math.floor(n / 2 ** 24) % 256, Math.floor(n / 2 ** 16) % 256, Math.floor(n / 256) % 256, n % 256].join('.');
}

/** Parses `first-last` (or a single address); throws an Error saying what is wrong. */
export function parsePool(text: string): AddressPool {
  const [a, b = a] = text.split('-').map((s) => s.trim());
  const first = ipToInt(a);
  const last = ipToInt(b);
  if (first === undefined || last === undefined) throw new Error(`${JSON.stringify(text)} is not an IPv4 range like ${DEFAULT_POOL}`);
  if (last < first) throw new Error(`${JSON.stringify(text)} ends before it starts`);
  return { first, last };
}

const wantsAddress = (svc: Service): boolean => svc.spec?.type === 'LoadBalancer' && !svc.spec.loadBalancerClass && !svc.metadata?.deletionTimestamp;

const assigned = (svc: Service): string | undefined => svc.status?.loadBalancer?.ingress?.[0]?.ip;

export class LoadBalancerController implements Controller {
  private queue: WorkQueue;
  private client: Client;
  private services: Informer<Service>;
  private recorder: EventRecorder;
  /** What this controller wrote, until the informer shows it: keeps two pending Services from getting one address. */
  private written = new Map<string, string>();

  constructor(
    ctx: ControllerContext,
    private pool: AddressPool,
  ) {
    this.client = ctx.client;
    this.recorder = ctx.recorder('service-controller');
    this.queue = new WorkQueue(ctx.clock, { name: 'service' });
    this.services = ctx.informers.get(REFS.services);
    const enqueue = (svc: Stored<Service>) => this.queue.add(`${svc.metadata.namespace}/${svc.metadata.name}`);
    this.services.addHandler({
      add: enqueue,
      update: (_old, svc) => enqueue(svc),
      // A freed address may be what a pending Service waits for.
      delete: (svc) => {
        if (assigned(svc)) for (const other of this.services.list()) if (wantsAddress(other) && !assigned(other)) enqueue(other);
      },
    });
  }

  start(): void {
    runWorkers(this.queue, 1, (key) => this.sync(key));
  }

  stop(): void {
    this.queue.shutdown();
  }

  private inUse(exceptKey: string): Set<string> {
    const used = new Set<string>();
    for (const s of this.services.list()) {
      const key = `${s.metadata.namespace}/${s.metadata.name}`;
      const ip = assigned(s) ?? this.written.get(key);
      if (ip && key !== exceptKey && wantsAddress(s)) used.add(ip);
    }
    return used;
  }

  private async sync(key: string): Promise<void> {
    const [ns, name] = key.split('/');
    const svc = this.services.getByName(ns, name);
    if (!svc || !wantsAddress(svc)) this.written.delete(key);
    if (!svc) return;
    const current = assigned(svc);
    if (current && current === this.written.get(key)) this.written.delete(key);
    if (!wantsAddress(svc)) {
      if (current && svc.spec?.type !== 'LoadBalancer') await this.setAddress(svc, undefined);
      return;
    }
    const used = this.inUse(key);
    if (current && !used.has(current)) return;
    let ip: string | undefined;
    for (let n = this.pool.first; n <= this.pool.last && !ip; n++) if (!used.has(intToIp(n))) ip = intToIp(n);
    if (!ip) {
      this.recorder.event(svc, 'Warning', 'AllocationFailed', `no address left in the load balancer pool ${intToIp(this.pool.first)}-${intToIp(this.pool.last)}`);
      return;
    }
    await this.setAddress(svc, ip);
    this.written.set(key, ip);
    this.recorder.event(svc, 'Normal', 'EnsuredLoadBalancer', 'Ensured load balancer');
  }

  private async setAddress(svc: Stored<Service>, ip: string | undefined): Promise<void> {
    const next: Service = { ...structuredClone(svc), status: { ...(svc.status ?? {}), loadBalancer: ip ? { ingress: [{ ip, ipMode: 'VIP' }] } : {} } };
    try {
      await this.client.resource(REFS.services).updateStatus(svc.metadata.namespace ?? '', next);
    } catch (e) {
      // A newer version of the Service brings its own event; anything else is retried with back-off.
      if (!isStatusError(e, 'Conflict') && !isStatusError(e, 'NotFound')) throw e;
    }
  }
}
