import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { setupProgram, shQuote, WAITER, SHARED_PID_WAITER } from './rootfs.js';

// Paths and names come from pod specs: nothing in them may end a quote or run a command.
const HOSTILE = ["it's", 'a b', '$(touch /tmp/pwned)', '`id`', 'x"y', 'new\nline', '\\', '; rm -rf /', "'\"'\"'", '$HOME', '*'];

test('shQuote hands sh every string back unchanged', () => {
  for (const s of HOSTILE) {
    const r = spawnSync('sh', ['-c', `printf %s ${shQuote(s)}`], { encoding: 'utf8' });
    assert.equal(r.stdout, s);
  }
});

test('the setup program stays one valid sh program whatever the mount paths, and never holds the argv', () => {
  const mounts = HOSTILE.map((s, i) => ({ hostPath: `/var/lib/k8ts/${s}`, containerPath: `/data/${i}/${s}`, readOnly: i % 2 === 0, isDir: i % 3 !== 0 }));
  const script = setupProgram({
    containerDir: "/var/lib/k8ts/c'1",
    devTemplate: '/var/lib/k8ts/dev template',
    etcFiles: { hosts: '/p/hosts', resolvConf: '/p/resolv.conf', hostname: '/p/hostname' },
    mounts,
    terminationLog: { hostPath: '/p/term', containerPath: "/dev/it's-log" },
    cgroups: ['/sys/fs/cgroup/pids/k8ts/abc'],
    workingDir: '/work $(id)',
    user: { uid: 1000, gid: 1000, groups: [1000] },
    pdeathsig: true,
  });
  for (const program of [script, WAITER, SHARED_PID_WAITER]) {
    const r = spawnSync('sh', ['-n', '-c', program], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  }
  for (const m of mounts) assert.ok(script.includes(shQuote(m.containerPath)), m.containerPath);
  assert.match(script, /exec setpriv --reuid=1000 --regid=1000 --groups=1000 --pdeathsig=KILL -- "\$@" 3>&-$/);
});
