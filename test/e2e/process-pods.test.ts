// Real pods: the StatefulSet basics tutorial (../shared/seeds/001, section 1) on process nodes, with the
// steps a simulation cannot do — hostnames and DNS from inside the pods, nginx serving a file kept on
// the PersistentVolume across pod deletion and scaling — plus the failures a user meets (unknown image,
// missing command, a volume that cannot be mounted) and the cleanup after a normal stop and a kill -9.
// One server at a time owns the machine's pod network, so everything runs in this one file, in order.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startCluster, type Cluster } from './harness.js';
import { eventually } from './pod-watch.js';

const root = process.getuid?.() === 0;
const skip = root ? false : 'the process runtime needs root';
const WEB = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/e2e/fixtures/web.yaml');

function links(): string[] {
  return execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => /^\d+: ([^:@]+)/.exec(l)?.[1] ?? '')
    .filter((n) => n.startsWith('k8ts-br') || n.startsWith('k8v'));
}

function mountsUnder(dir: string): string[] {
  return execFileSync('findmnt', ['-rn', '-o', 'TARGET'], { encoding: 'utf8' })
    .split('\n')
    .filter((t) => t.startsWith(dir));
}

/** Processes whose command line holds `marker` (the container commands below carry one). */
function processesWith(marker: string): string[] {
  const out = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.includes(marker) && !l.includes('ps -eo'));
}

async function podIP(c: Cluster, name: string): Promise<string> {
  return c.ok(['get', 'pod', name, '-o', 'jsonpath={.status.podIP}']);
}

async function events(c: Cluster, pod: string): Promise<string> {
  return c.ok(['get', 'events', '--field-selector', `involvedObject.name=${pod}`, '-o', 'custom-columns=TYPE:.type,REASON:.reason,MESSAGE:.message', '--no-headers']);
}

describe('StatefulSet basics with real nginx and busybox', { skip }, () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster(['--nodes', '2', '--runtime', 'process']);
    await c.ok(['apply', '-f', WEB]);
    await c.ok(['rollout', 'status', 'sts/web', '--timeout=60s']);
  });
  after(async () => {
    const dataDir = c?.dataDir;
    await c?.destroy();
    if (!dataDir) return;
    assert.deepEqual(links(), [], 'bridges and veths are removed when the server stops');
    assert.deepEqual(mountsUnder(dataDir), [], 'no mount is left under the data directory');
  });

  it('each pod has its stable hostname', async () => {
    for (const i of [0, 1]) assert.equal((await c.ok(['exec', `web-${i}`, '--', 'sh', '-c', 'hostname'])).trim(), `web-${i}`);
    assert.equal((await c.ok(['exec', 'web-0', '--', 'hostname', '-f'])).trim(), 'web-0.nginx.default.svc.cluster.local');
    assert.equal((await c.ok(['exec', 'web-0', '--', 'hostname', '-d'])).trim(), 'nginx.default.svc.cluster.local');
  });

  it('a process in a container sees only its own processes, as PID 1 its command', async () => {
    const ps = await c.ok(['exec', 'web-0', '--', 'ps', '-eo', 'pid,args']);
    assert.match(ps, /^\s*1 nginx: master process nginx -g daemon off;$/m);
    assert.doesNotMatch(ps, /k8ts\.js/);
  });

  it('nslookup web-0.nginx from a busybox pod run with kubectl run -i --rm answers with the pod IP', async () => {
    const ip0 = await podIP(c, 'web-0');
    const r = await c.kubectl(['run', '-i', '--rm', '--image', 'busybox:1.28', 'dns-test', '--restart=Never'], 'nslookup web-0.nginx\n', 60_000);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`Name:\\s+web-0\\.nginx\\nAddress 1: ${ip0.replace(/\./g, '\\.')}`));
    assert.match(r.stdout, /pod "dns-test" deleted/);
    assert.equal((await c.kubectl(['get', 'pod', 'dns-test'])).code, 1, 'the pod is gone after the session');
  });

  it('nginx serves the hostname written to its PersistentVolume, and the file survives pod deletion and scaling', async () => {
    for (const i of [0, 1]) await c.ok(['exec', `web-${i}`, '--', 'sh', '-c', 'echo "$(hostname)" > /usr/share/nginx/html/index.html']);
    for (const i of [0, 1]) assert.equal(await c.ok(['exec', `web-${i}`, '--', 'curl', '-s', 'http://localhost/']), `web-${i}\n`);
    await c.ok(['delete', 'pod', '-l', 'app=nginx']);
    await c.ok(['rollout', 'status', 'sts/web', '--timeout=60s']);
    for (const i of [0, 1]) assert.equal(await c.ok(['exec', `web-${i}`, '--', 'curl', '-s', 'http://localhost/']), `web-${i}\n`);
    await c.ok(['run', 'dns', '--image', 'busybox:1.28', '--restart=Never', '--', 'sleep', '3600']);
    await eventually(async () => assert.equal(await c.ok(['get', 'pod', 'dns', '-o', 'jsonpath={.status.phase}']), 'Running'));
    // The names follow the new pods (the DNS TTL is 5 s and nothing caches in between).
    for (const i of [0, 1]) {
      const ip = await podIP(c, `web-${i}`);
      const out = await c.ok(['exec', 'dns', '--', 'nslookup', `web-${i}.nginx`]);
      assert.match(out, new RegExp(`Address 1: ${ip.replace(/\./g, '\\.')} web-${i}\\.nginx\\.default\\.svc\\.cluster\\.local`));
    }
    await c.ok(['scale', 'sts', 'web', '--replicas=1']);
    await eventually(async () => assert.equal((await c.kubectl(['get', 'pod', 'web-1'])).code, 1), 60_000);
    await c.ok(['scale', 'sts', 'web', '--replicas=2']);
    await c.ok(['rollout', 'status', 'sts/web', '--timeout=60s']);
    assert.equal(await c.ok(['exec', 'dns', '--', 'wget', '-qO-', 'http://web-1.nginx']), 'web-1\n');
  });

  it('a ClusterIP Service forwards to its ready pods from the host and from pods; NodePort, load-balancer address and ClientIP affinity work', async () => {
    await c.ok(['apply', '-f', '-'], 'apiVersion: v1\nkind: Service\nmetadata: {name: web-svc}\nspec:\n  type: LoadBalancer\n  selector: {app: nginx}\n  ports: [{port: 8080, targetPort: 80}]\n');
    const svc = await eventually(async () => {
      const s = await c.json(['get', 'svc', 'web-svc']);
      assert.ok(s.status.loadBalancer.ingress?.[0]?.ip, 'load-balancer address');
      return s;
    });
    const seen = async (fetch: () => Promise<string>) => {
      const names = new Set<string>();
      for (let i = 0; i < 40 && names.size < 2; i++) names.add((await fetch()).trim());
      return [...names].sort();
    };
    const curl = (url: string) => () => Promise.resolve(execFileSync('curl', ['-s', '-m', '5', url], { encoding: 'utf8' }));
    await eventually(async () => assert.deepEqual(await seen(curl(`http://${svc.spec.clusterIP}:8080/`)), ['web-0', 'web-1']));
    assert.deepEqual(await seen(() => c.ok(['exec', 'dns', '--', 'wget', '-qO-', 'http://web-svc:8080'])), ['web-0', 'web-1']);
    // A pod reaching its own Service may land on itself (hairpin).
    assert.deepEqual(await seen(() => c.ok(['exec', 'web-0', '--', 'curl', '-s', '-m', '5', 'http://web-svc.default.svc.cluster.local:8080'])), ['web-0', 'web-1']);
    assert.deepEqual(await seen(curl(`http://127.0.0.1:${svc.spec.ports[0].nodePort}/`)), ['web-0', 'web-1']);
    assert.deepEqual(await seen(curl(`http://${svc.status.loadBalancer.ingress[0].ip}:8080/`)), ['web-0', 'web-1']);
    await c.ok(['patch', 'svc', 'web-svc', '-p', '{"spec":{"sessionAffinity":"ClientIP"}}']);
    await eventually(async () => {
      const answers = new Set<string>();
      for (let i = 0; i < 10; i++) answers.add((await c.ok(['exec', 'dns', '--', 'wget', '-qO-', 'http://web-svc:8080'])).trim());
      assert.equal(answers.size, 1, 'one client IP, one endpoint');
    });
  });

  it('kubectl port-forward reaches nginx in web-0', async () => {
    const pf = c.stream(['port-forward', 'pod/web-0', ':80']);
    try {
      const line = await pf.waitFor(/^Forwarding from 127\.0\.0\.1:\d+ -> 80$/);
      const port = /:(\d+) ->/.exec(line)![1];
      assert.equal(execFileSync('curl', ['-s', '-m', '5', `http://127.0.0.1:${port}/`], { encoding: 'utf8' }), 'web-0\n');
      await pf.waitFor(new RegExp(`^Handling connection for ${port}$`));
    } finally {
      pf.stop();
    }
  });

  it('an image nothing provides fails with ErrImagePull, then ImagePullBackOff, and the server stays healthy', async () => {
    await c.ok(['run', 'noimage', '--image', 'example.com/no/such-image:1.0', '--restart=Never']);
    await eventually(async () => {
      const ev = await events(c, 'noimage');
      assert.match(ev, /Normal\s+Pulling\s+Pulling image "example\.com\/no\/such-image:1\.0"/);
      assert.match(ev, /Warning\s+Failed\s+Failed to pull image "example\.com\/no\/such-image:1\.0": no image profile for "example\.com\/no\/such-image:1\.0"/);
      assert.match(ev, /Warning\s+Failed\s+Error: ErrImagePull/);
    });
    await eventually(async () => {
      const waiting = (await c.json(['get', 'pod', 'noimage'])).status.containerStatuses[0].state.waiting;
      assert.deepEqual(waiting, { reason: 'ImagePullBackOff', message: 'Back-off pulling image "example.com/no/such-image:1.0"' });
    });
    assert.match(await events(c, 'noimage'), /Normal\s+BackOff\s+Back-off pulling image "example\.com\/no\/such-image:1\.0"/);
    assert.equal((await c.ok(['get', '--raw', '/readyz'])).trim(), 'ok');
  });

  it('a command that does not exist is a StartError with runc\'s message', async () => {
    await c.ok(['run', 'nocmd', '--image', 'busybox', '--restart=Never', '--command', '--', 'no-such-command']);
    const terminated = await eventually(async () => {
      const t = await c.json(['get', 'pod', 'nocmd']);
      const state = t.status.containerStatuses?.[0]?.state?.terminated;
      assert.ok(state, 'terminated');
      return state;
    });
    assert.equal(terminated.reason, 'StartError');
    assert.equal(terminated.exitCode, 128);
    assert.match(terminated.message, /exec: "no-such-command": executable file not found in \$PATH: unknown/);
  });

  it('a volume that cannot be mounted gives FailedMount events and the pod waits in ContainerCreating', async () => {
    const pod = `apiVersion: v1
kind: Pod
metadata: {name: nomount}
spec:
  containers:
  - {name: c, image: busybox, command: [sleep, "3600"], volumeMounts: [{name: cfg, mountPath: /cfg}]}
  volumes:
  - {name: cfg, configMap: {name: missing-config}}
`;
    await c.ok(['apply', '-f', '-'], pod);
    await eventually(async () => assert.match(await events(c, 'nomount'), /Warning\s+FailedMount\s+MountVolume\.SetUp failed for volume "cfg" : configmap "missing-config" not found/));
    await eventually(async () => assert.equal(await c.ok(['get', 'pod', 'nomount', '-o', 'jsonpath={.status.containerStatuses[0].state.waiting.reason}']), 'ContainerCreating'));
    await c.ok(['create', 'configmap', 'missing-config', '--from-literal=k=v']);
    await eventually(async () => assert.equal(await c.ok(['exec', 'nomount', '--', 'cat', '/cfg/k']), 'v'), 30_000);
  });
});

describe('probes and hooks of real containers', { skip }, () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster(['--runtime', 'process']);
  });
  after(async () => c?.destroy());

  it('a failing liveness probe restarts the container and RESTARTS counts up; postStart ran before it started', async () => {
    const pod = `apiVersion: v1
kind: Pod
metadata: {name: live}
spec:
  terminationGracePeriodSeconds: 2
  containers:
  - name: c
    image: busybox
    command: [sh, -c, "touch /tmp/healthy; trap 'exit 0' TERM; while true; do sleep 1; done"]
    lifecycle:
      postStart: {exec: {command: [sh, -c, "echo hooked > /tmp/poststart"]}}
    livenessProbe: {exec: {command: [cat, /tmp/healthy]}, periodSeconds: 1, failureThreshold: 2}
    readinessProbe: {exec: {command: [cat, /tmp/healthy]}, periodSeconds: 1}
`;
    await c.ok(['apply', '-f', '-'], pod);
    await eventually(async () => assert.equal(await c.ok(['get', 'pod', 'live', '-o', 'jsonpath={.status.containerStatuses[0].ready}']), 'true'), 30_000);
    assert.equal(await c.ok(['exec', 'live', '--', 'cat', '/tmp/poststart']), 'hooked\n');
    await c.ok(['exec', 'live', '--', 'rm', '/tmp/healthy']);
    await eventually(async () => assert.equal(await c.ok(['get', 'pod', 'live', '-o', 'jsonpath={.status.containerStatuses[0].restartCount}']), '1'), 30_000);
    const ev = await events(c, 'live');
    assert.match(ev, /Warning\s+Unhealthy\s+Liveness probe failed: cat: \/tmp\/healthy: No such file or directory/);
    assert.match(ev, /Normal\s+Killing\s+Container c failed liveness probe, will be restarted/);
    // The new container has a fresh writable layer: the file the probe needs is back, the hook ran again.
    await eventually(async () => assert.equal(await c.ok(['get', 'pod', 'live', '-o', 'jsonpath={.status.containerStatuses[0].ready}']), 'true'), 30_000);
    assert.equal(await c.ok(['get', 'pod', 'live', '-o', 'jsonpath={.status.containerStatuses[0].lastState.terminated.exitCode}']), '0');
  });

  it('with shareProcessNamespace the containers see each other\'s processes under the pause process', async () => {
    const pod = `apiVersion: v1
kind: Pod
metadata: {name: shared}
spec:
  shareProcessNamespace: true
  terminationGracePeriodSeconds: 1
  containers:
  - {name: a, image: busybox, command: [sh, -c, "exec sleep 3601"]}
  - {name: b, image: busybox, command: [sh, -c, "exec sleep 3602"]}
`;
    await c.ok(['apply', '-f', '-'], pod);
    await eventually(async () => assert.equal(await c.ok(['get', 'pod', 'shared', '-o', 'jsonpath={.status.containerStatuses[*].ready}']), 'true true'), 30_000);
    const ps = await c.ok(['exec', 'shared', '-c', 'a', '--', 'ps', '-eo', 'pid,args']);
    assert.match(ps, /^\s*1 sleep infinity$/m);
    assert.match(ps, /^\s*\d+ sleep 3601$/m);
    assert.match(ps, /^\s*\d+ sleep 3602$/m);
    await c.ok(['delete', 'pod', 'shared']);
  });

  it('a memory limit is enforced by the cgroup: OOMKilled', async () => {
    const pod = `apiVersion: v1
kind: Pod
metadata: {name: oom}
spec:
  restartPolicy: Never
  containers:
  - name: c
    image: deb.k8ts.io/python3
    command: [python3, -c, "x = bytearray(300 * 1024 * 1024); print(len(x))"]
    resources: {limits: {memory: 64Mi}}
`;
    await c.ok(['apply', '-f', '-'], pod);
    const t = await eventually(async () => {
      const s = (await c.json(['get', 'pod', 'oom'])).status.containerStatuses?.[0]?.state?.terminated;
      assert.ok(s);
      return s;
    }, 60_000);
    assert.equal(t.reason, 'OOMKilled');
    assert.equal(t.exitCode, 137);
  });
});

describe('RuntimeClass on a cluster of simulated and real nodes', { skip }, () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster(['--nodes', '2', '--runtime', 'sim,process']);
  });
  after(async () => c?.destroy());

  it('runtimeClassName picks the node that runs that runtime; an unknown class is refused', async () => {
    assert.match(await c.ok(['get', 'runtimeclass']), /^NAME\s+HANDLER\s+AGE\nprocess\s+process\s+\S+\nsim\s+sim\s+/);
    const pod = (name: string, rc: string) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  runtimeClassName: ${rc}
  containers: [{name: c, image: busybox, command: [sleep, "3600"]}]
`;
    await c.ok(['apply', '-f', '-'], pod('real', 'process'));
    await c.ok(['apply', '-f', '-'], pod('fake', 'sim'));
    await eventually(async () => assert.equal(await c.ok(['get', 'pod', 'real', '-o', 'jsonpath={.status.phase}']), 'Running'), 30_000);
    await eventually(async () => assert.equal(await c.ok(['get', 'pod', 'fake', '-o', 'jsonpath={.status.phase}']), 'Running'), 30_000);
    assert.equal(await c.ok(['get', 'pod', 'real', '-o', 'jsonpath={.spec.nodeName} {.spec.nodeSelector}']), 'k8ts-m02 {"k8ts.io/runtime":"process"}');
    assert.equal(await c.ok(['get', 'pod', 'fake', '-o', 'jsonpath={.spec.nodeName}']), 'k8ts');
    assert.equal((await c.ok(['exec', 'real', '--', 'hostname'])).trim(), 'real');
    const sim = await c.kubectl(['exec', 'fake', '--', 'hostname']);
    assert.equal(sim.code, 1);
    assert.match(sim.stderr, /exec is not available: pod fake runs on the simulated runtime/);
    const r = await c.kubectl(['apply', '-f', '-'], pod('nope', 'gvisor'));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /pods "nope" is forbidden: pod rejected: RuntimeClass "gvisor" not found/);
  });
});

describe('cleanup after kill -9', { skip }, () => {
  it('container processes die with the server, and the next start removes what was left', async () => {
    const marker = `k8ts-kill9-${process.pid}`;
    const first = await startCluster(['--runtime', 'process']);
    let second: Cluster | undefined;
    try {
      await first.ok(['run', 'sleeper', '--image', 'busybox', '--restart=Never', '--command', '--', 'sh', '-c', `sleep 3600; echo ${marker}`]);
      await eventually(async () => assert.equal(await first.ok(['get', 'pod', 'sleeper', '-o', 'jsonpath={.status.phase}']), 'Running'), 30_000);
      assert.ok(processesWith(marker).length > 0);
      await first.kill9();
      await eventually(async () => assert.deepEqual(processesWith(marker), []), 10_000);
      assert.ok(links().length > 0, 'the crashed server left its devices');
      second = await startCluster(['--runtime', 'process']);
      assert.deepEqual(mountsUnder(first.dataDir), [], 'the sandbox mounts of the crashed server are gone');
      assert.deepEqual(
        links().filter((l) => l.startsWith('k8v')),
        [],
        'the veths of the crashed server are gone',
      );
    } finally {
      await second?.destroy();
      await first.destroy();
    }
    assert.deepEqual(links(), []);
  });
});
