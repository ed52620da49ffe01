// Bad workload manifests get the real 422 messages from kubectl: a selector that does not match the
// template, negative replicas, a changed immutable selector, an unparseable cron schedule.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startCluster, type Cluster } from './harness.js';

const deployment = (name: string, replicas: number, templateApp: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: ${templateApp}}}
    spec: {containers: [{name: c, image: nginx}]}
`;

describe('workload validation', () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster();
  });
  after(async () => {
    await c?.destroy();
  });

  const refused = async (args: string[], input: string | undefined, message: string) => {
    const r = await c.kubectl(args, input);
    assert.equal(r.code, 1, r.stdout);
    assert.equal(r.stderr.trim(), message);
  };

  it('a selector that does not match the template labels', async () => {
    await refused(['apply', '-f', '-'], deployment('bad', 1, 'other'), 'The Deployment "bad" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`');
    const sts = `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: s}
spec:
  serviceName: s
  selector: {matchLabels: {app: s}}
  template:
    metadata: {labels: {app: t}}
    spec: {containers: [{name: c, image: nginx}]}
`;
    await refused(['apply', '-f', '-'], sts, 'The StatefulSet "s" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"t"}: `selector` does not match template `labels`');
  });

  it('negative replicas', async () => {
    await refused(['apply', '-f', '-'], deployment('bad', -1, 'web'), 'The Deployment "bad" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0');
  });

  it('a changed selector, which is immutable', async () => {
    await c.ok(['apply', '-f', '-'], deployment('web', 1, 'web'));
    await refused(
      ['patch', 'deploy', 'web', '--type=merge', '-p', '{"spec":{"selector":{"matchLabels":{"app":"other"}},"template":{"metadata":{"labels":{"app":"other"}}}}}'],
      undefined,
      'The Deployment "web" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"other"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
    );
  });

  it('cron schedules that do not parse', async () => {
    await refused(['create', 'cronjob', 'bad', '--image=busybox', '--schedule=61 * * * *'], undefined, 'error: failed to create cronjob: CronJob.batch "bad" is invalid: spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61');
    await refused(['create', 'cronjob', 'bad', '--image=busybox', '--schedule=*/x * * * *'], undefined, 'error: failed to create cronjob: CronJob.batch "bad" is invalid: spec.schedule: Invalid value: "*/x * * * *": failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax');
  });
});
