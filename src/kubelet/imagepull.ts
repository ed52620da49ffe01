// The kubelet's image manager for one pod (pkg/kubelet/images): pull per the container's
// imagePullPolicy with the events a node records, and back off after a failed pull (ErrImagePull,
// then ImagePullBackOff until the back-off has passed).

import type { Container } from 'kubernetes-types/core/v1.js';
import type { Clock } from '../machinery/clock.js';
import { ImagePullFailure, type ImagePullPolicy, type Runtime } from '../runtime/runtime.js';
import { Backoff } from './backoff.js';

const RESYNC_AFTER_FAILURE_MS = 2000;

export type EventSink = (type: 'Normal' | 'Warning', reason: string, message: string) => void;

export type PullOutcome = { ok: true } | { ok: false; waiting: { reason: string; message: string }; retryAt: number };

export class ImagePulls {
  private backoff = new Backoff();
  private failedAt = new Map<string, number>();

  constructor(
    private runtime: Runtime,
    private clock: Clock,
  ) {}

  async ensure(spec: Container, event: EventSink): Promise<PullOutcome> {
    const image = spec.image!;
    const policy = (spec.imagePullPolicy ?? 'IfNotPresent') as ImagePullPolicy;
    if (!this.runtime.pullImage) {
      if (policy === 'Always') {
        event('Normal', 'Pulling', `Pulling image "${image}"`);
        event('Normal', 'Pulled', `Successfully pulled image "${image}" in 0s (0s including waiting). Image size: 0 bytes.`);
      } else event('Normal', 'Pulled', `Container image "${image}" already present on machine`);
      return { ok: true };
    }
    const now = this.clock.now();
    const failed = this.failedAt.get(image);
    if (failed !== undefined && this.backoff.isInBackOffSince(image, failed, now)) {
      const message = `Back-off pulling image "${image}"`;
      event('Normal', 'BackOff', message);
      event('Warning', 'Failed', 'Error: ImagePullBackOff');
      return { ok: false, waiting: { reason: 'ImagePullBackOff', message }, retryAt: failed + this.backoff.get(image) };
    }
    const started = now;
    try {
      const r = await this.runtime.pullImage(image, policy, () => event('Normal', 'Pulling', `Pulling image "${image}"`));
      if (r.pulled) {
        const s = `${((this.clock.now() - started) / 1000).toFixed(3)}s`;
        event('Normal', 'Pulled', `Successfully pulled image "${image}" in ${s} (${s} including waiting). Image size: ${r.sizeBytes} bytes.`);
      } else event('Normal', 'Pulled', `Container image "${image}" already present on machine`);
      this.failedAt.delete(image);
      return { ok: true };
    } catch (e) {
      if (!(e instanceof ImagePullFailure)) throw e;
      const at = this.clock.now();
      this.backoff.next(image, at, at);
      this.failedAt.set(image, at);
      if (e.reason === 'ErrImageNeverPull') event('Warning', 'ErrImageNeverPull', e.message);
      else {
        event('Warning', 'Failed', `Failed to pull image "${image}": ${e.message}`);
        event('Warning', 'Failed', 'Error: ErrImagePull');
      }
      // The next sync comes soon and finds the back-off running: ImagePullBackOff, as a node shows it.
      return { ok: false, waiting: { reason: e.reason, message: e.message }, retryAt: at + Math.min(this.backoff.get(image), RESYNC_AFTER_FAILURE_MS) };
    }
  }
}
