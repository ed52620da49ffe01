// Leader election on a coordination.k8s.io/v1 Lease, as client-go's tools/leaderelection: candidates try
// to acquire or renew every retry period; a holder that has not renewed for the lease duration (as this
// candidate observed it, on its own clock) may be replaced; a leader that cannot renew within the renew
// deadline stops leading. Unlike client-go, a candidate also watches the Lease, so it observes each
// renewal when it happens rather than at its next poll, and tries to take over the moment the lease
// it observed expires: a dead leader is replaced one lease duration after its last renewal.

import type { Lease, LeaseSpec } from 'kubernetes-types/coordination/v1.js';
import { rfc3339Micro, type Clock, type Timer } from '../machinery/clock.js';
import { isStatusError } from '../machinery/errors.js';
import { logger } from '../machinery/log.js';
import type { ResourceClient } from './client.js';
import type { ClientWatchEvent, WatchHandle } from './transport.js';
import type { Stored } from './objects.js';

const log = logger('leaderelection');

/** wait.JitterUntil's factor in client-go's leader election. */
const JITTER_FACTOR = 1.2;

export interface LeaderCallbacks {
  onStartedLeading(): void;
  onStoppedLeading(): void;
  /** The holder this candidate observed changed (itself included). */
  onNewLeader?(identity: string): void;
}

export interface LeaderElectionConfig {
  namespace: string;
  name: string;
  identity: string;
  /** How long a non-leader waits after the last observed renewal before taking over (15 s). */
  leaseDurationMs?: number;
  /** How long the leader retries renewing before giving up (10 s). */
  renewDeadlineMs?: number;
  /** How often candidates act (2 s). */
  retryPeriodMs?: number;
  /** Give the lease up on stop, so another candidate need not wait for it to expire. */
  releaseOnCancel?: boolean;
  callbacks: LeaderCallbacks;
  random?: () => number;
}

export class LeaderElector {
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private observed: LeaseSpec | undefined;
  private observedRaw = '';
  private observedTime = 0;
  private reportedLeader = '';
  private leading = false;
  private stopped = false;
  private timer: Timer | undefined;
  private lastRenew = 0;
  /** When the lease another holder has last renewed (as this candidate observed it) expires; -1 if none. */
  private heldByOtherUntil = -1;
  private stepping = false;
  private leaseWatch: WatchHandle | undefined;

  constructor(
    private leases: ResourceClient<Lease>,
    private clock: Clock,
    private config: LeaderElectionConfig,
  ) {
    this.leaseDurationMs = config.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = config.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = config.retryPeriodMs ?? 2_000;
    if (this.leaseDurationMs <= this.renewDeadlineMs) throw new Error('leaseDuration must be greater than renewDeadline');
    if (this.renewDeadlineMs <= JITTER_FACTOR * this.retryPeriodMs) throw new Error('renewDeadline must be greater than retryPeriod*JitterFactor');
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** The holder last observed on the lease. */
  getLeader(): string {
    return this.observed?.holderIdentity ?? '';
  }

  run(): void {
    this.schedule(0);
    this.watchLease();
  }

  /** Stop campaigning; a leader stops leading (and releases the lease if configured to). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    this.leaseWatch?.stop();
    if (this.leading) {
      if (this.config.releaseOnCancel) await this.release();
      this.loseLeadership();
    }
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(() => void this.step(), ms);
  }

  /** One attempt; then the next is scheduled: jittered while acquiring, every retry period while leading. */
  private async step(): Promise<void> {
    if (this.stopped) return;
    this.stepping = true;
    const ok = await this.tryAcquireOrRenew().finally(() => (this.stepping = false));
    if (this.stopped) return;
    const now = this.clock.now();
    if (ok) {
      this.lastRenew = now;
      if (!this.leading) {
        this.leading = true;
        log.info('successfully acquired lease', { lease: `${this.config.namespace}/${this.config.name}`, identity: this.config.identity });
        this.config.callbacks.onStartedLeading();
      }
      this.schedule(this.retryPeriodMs);
      return;
    }
    if (this.leading && now - this.lastRenew >= this.renewDeadlineMs) {
      log.info('failed to renew lease', { lease: `${this.config.namespace}/${this.config.name}`, err: 'timed out waiting for the condition' });
      this.loseLeadership();
    }
    const jitter = this.leading ? 0 : (this.config.random ?? Math.random)() * JITTER_FACTOR * this.retryPeriodMs;
    // A candidate that saw the holder's last renewal tries again the moment that lease would expire,
    // not up to a jittered retry period later.
    const untilExpiry = this.heldByOtherUntil - now;
    this.schedule(untilExpiry >= 0 ? Math.min(this.retryPeriodMs + jitter, untilExpiry + 1) : this.retryPeriodMs + jitter);
  }

  /** Follow the Lease between attempts; a broken watch is started again a retry period later. */
  private watchLease(): void {
    if (this.stopped) return;
    const { namespace, name } = this.config;
    const restart = () => {
      if (!this.stopped) this.clock.setTimeout(() => this.watchLease(), this.retryPeriodMs);
    };
    try {
      this.leaseWatch = this.leases.watch(namespace, { fieldSelector: `metadata.name=${name}` }, (ev) => this.onLeaseEvent(ev), (err) => {
        if (err) log.info('lease watch ended', { lease: `${namespace}/${name}`, err });
        restart();
      });
    } catch (e) {
      log.error('cannot watch lease', { lease: `${namespace}/${name}`, err: e });
      restart();
    }
  }

  /** A candidate's next attempt moves to the expiry of what it just observed (at once if nobody holds it). */
  private onLeaseEvent(ev: ClientWatchEvent): void {
    if (this.stopped || this.leading || this.stepping || (ev.type !== 'ADDED' && ev.type !== 'MODIFIED')) return;
    const spec: LeaseSpec = (ev.object as Lease).spec ?? {};
    const now = this.clock.now();
    this.observe(spec, now);
    const heldByOther = !!spec.holderIdentity && spec.holderIdentity !== this.config.identity;
    this.heldByOtherUntil = heldByOther ? this.observedTime + (spec.leaseDurationSeconds ?? 0) * 1000 : -1;
    this.timer?.cancel();
    this.schedule(heldByOther ? Math.max(0, this.heldByOtherUntil - now) + 1 : 0);
  }

  private loseLeadership(): void {
    this.leading = false;
    this.config.callbacks.onStoppedLeading();
  }

  private record(now: number, old?: LeaseSpec): LeaseSpec {
    const time = rfc3339Micro(now);
    const mine = old?.holderIdentity === this.config.identity;
    return {
      holderIdentity: this.config.identity,
      leaseDurationSeconds: Math.round(this.leaseDurationMs / 1000),
      acquireTime: mine ? old?.acquireTime : time,
      renewTime: time,
      leaseTransitions: old === undefined ? 0 : mine ? (old.leaseTransitions ?? 0) : (old.leaseTransitions ?? 0) + 1,
    };
  }

  private observe(spec: LeaseSpec, now: number): void {
    const raw = JSON.stringify(spec);
    if (raw !== this.observedRaw) {
      this.observed = spec;
      this.observedRaw = raw;
      this.observedTime = now;
    }
    const holder = spec.holderIdentity ?? '';
    if (holder && holder !== this.reportedLeader) {
      this.reportedLeader = holder;
      this.config.callbacks.onNewLeader?.(holder);
    }
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, name } = this.config;
    const now = this.clock.now();
    let current: Stored<Lease>;
    try {
      current = await this.leases.get(namespace, name);
    } catch (e) {
      if (!isStatusError(e, 'NotFound')) {
        log.error('error retrieving resource lock', { lease: `${namespace}/${name}`, err: e });
        return false;
      }
      try {
        const created = await this.leases.create(namespace, { metadata: { name, namespace }, spec: this.record(now) });
        this.observe(created.spec ?? {}, now);
        return true;
      } catch (err) {
        if (!isStatusError(err, 'AlreadyExists')) log.error('error initially creating lease lock', { lease: `${namespace}/${name}`, err });
        return false;
      }
    }
    const old = current.spec ?? {};
    this.observe(old, now);
    const heldByOther = !!old.holderIdentity && old.holderIdentity !== this.config.identity;
    this.heldByOtherUntil = heldByOther ? this.observedTime + (old.leaseDurationSeconds ?? 0) * 1000 : -1;
    if (heldByOther && this.heldByOtherUntil > now) return false;
    try {
      const updated = await this.leases.update(namespace, { ...current, spec: { ...old, ...this.record(now, old) } });
      this.observe(updated.spec ?? {}, now);
      return true;
    } catch (e) {
      if (!isStatusError(e, 'Conflict')) log.error('Failed to update lock', { lease: `${namespace}/${name}`, err: e });
      return false;
    }
  }

  private async release(): Promise<void> {
    const { namespace, name } = this.config;
    try {
      const current = await this.leases.get(namespace, name);
      if (current.spec?.holderIdentity !== this.config.identity) return;
      const time = rfc3339Micro(this.clock.now());
      await this.leases.update(namespace, {
        ...current,
        spec: { ...current.spec, holderIdentity: '', leaseDurationSeconds: 1, acquireTime: time, renewTime: time },
      });
    } catch (e) {
      log.error('Failed to release lock', { lease: `${namespace}/${name}`, err: e });
    }
  }
}
