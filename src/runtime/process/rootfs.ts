// The shell programs that turn a forked process into a container, like runc's init: the waiter runs
// in the host PID namespace (its child becomes PID 1 of the new one) and reports that child's PID and
// start errors on fd 3; the setup program, as PID 1, builds the root filesystem (an overlay over the
// host's / with a fresh /proc, /dev and /tmp, the pod's /etc files and the volumes), pivots into it,
// joins the container's cgroups and execs the container's command as its user.

import { posix } from 'node:path';
import type { ContainerMount } from '../linuxconfig.js';


export interface RootfsSpec {
  /** Holds upper/, work/ and merged/ of the overlay. */
  containerDir: string;
  /** A directory holding the /dev nodes and links every container gets (see devTemplateScript). */
  devTemplate: string;
  /** Host files bind-mounted over /etc/hosts, /etc/resolv.conf and /etc/hostname. */
  etcFiles: { hosts: string; resolvConf: string; hostname: string };
  mounts: ContainerMount[];
  /** Host file bound at the terminationMessagePath. */
  terminationLog?: { hostPath: string; containerPath: string };
  /** cgroup directories the container joins before it execs. */
  cgroups: string[];
  workingDir?: string;
  user?: { uid: number; gid: number; groups: number[] };
  /** Kill the container when its parent (the waiter, and through it the server) dies. */
  pdeathsig: boolean;
}

/** Single-quoted for sh. */
export function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Argv after `sh -c`: `$1` is the setup program, the rest the container's argv. */
export const WAITER = [
  's=$1; shift',
  'exec 4<&0',
  // The setup dies with the waiter from its first instruction (and the command, which sets its own).
  'setpriv --pdeathsig=KILL -- sh -c "$s" setup "$@" <&4 4<&- &',
  'echo "pid $!" >&3',
  'exec 3>&- 4<&-',
  'wait $!',
].join('\n');

/**
 * The waiter of a container in a pod with shareProcessNamespace: its setup runs in the pod's PID
 * namespace (`$1`, held by the sandbox's pause process) through nsenter, which forks; the PID reported
 * is that of nsenter's child (the container's main process, not PID 1 of the namespace).
 */
export const SHARED_PID_WAITER = [
  'p=$1; s=$2; shift 2',
  'exec 4<&0',
  'nsenter --pid="$p" -- setpriv --pdeathsig=KILL -- sh -c "$s" setup "$@" <&4 4<&- &',
  'n=$!; c=',
  // (dash's read leaves the variable empty at an end of file without a newline, which this file has)
  'while [ -z "$c" ] && [ -d /proc/$n ]; do c=$(cat /proc/$n/task/$n/children); c=${c%% *}; done',
  'echo "pid $c" >&3',
  'exec 3>&- 4<&-',
  'wait $n',
].join('\n');

/** The character devices of a container's /dev (runc's default set), with their major/minor numbers. */
const DEVICES: Array<[string, number, number]> = [
  ['null', 1, 3],
  ['zero', 1, 5],
  ['full', 1, 7],
  ['random', 1, 8],
  ['urandom', 1, 9],
  ['tty', 5, 0],
];

/** Creates the /dev template once per node; containers copy it (one exec instead of a dozen). */
export function devTemplateScript(dir: string): string {
  const d = shQuote(dir);
  return [
    `rm -rf ${d} && mkdir -p ${d} && cd ${d}`,
    ...DEVICES.map(([name, major, minor]) => `mknod -m 666 ${name} c ${major} ${minor}`),
    'mkdir pts shm mqueue',
    'ln -s pts/ptmx ptmx && ln -s /proc/self/fd fd',
    'ln -s /proc/self/fd/0 stdin && ln -s /proc/self/fd/1 stdout && ln -s /proc/self/fd/2 stderr',
  ].join('\n');
}

export function setupProgram(spec: RootfsSpec): string {
  const C = spec.containerDir;
  const q = shQuote;
  const R = `${C}/merged`;
  const lines = [
    // Every failure is a start error: its message goes to fd 3 and the container never runs.
    'fail() { echo "$1" >&3; exit 128; }',
    // mount's own message goes to fd 3 first; no subshell per mount (they are the start's main cost).
    'm() { mount "$@" 2>&3 || fail "error mounting $*"; }',
    `R=${q(R)}`,
    `m -t overlay overlay -o ${q(`lowerdir=/,upperdir=${C}/upper,workdir=${C}/work`)} "$R"`,
    'm -t proc proc "$R/proc"',
    'm -t sysfs -o ro,nosuid,nodev,noexec sysfs "$R/sys"',
    'm -t tmpfs -o nosuid,mode=755,size=65536k tmpfs "$R/dev"',
    `cp -a ${q(spec.devTemplate)}/. "$R/dev/" || fail "cannot populate /dev"`,
    'm -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts "$R/dev/pts"',
    'm -t tmpfs -o nosuid,nodev,mode=1777 shm "$R/dev/shm"',
    'm -t mqueue mqueue "$R/dev/mqueue"',
    'm -t tmpfs -o mode=1777 tmpfs "$R/tmp"',
    'cd "$R" && mkdir -p .k8ts-oldroot && pivot_root . .k8ts-oldroot || fail "pivot_root failed"',
    // Binds happen inside the new root, so symlinks in mount paths (/var/run -> /run) resolve in the
    // container's filesystem, never the host's; host paths are reached through the old root.
    'cd / && O=/.k8ts-oldroot',
  ];
  const binds: ContainerMount[] = [
    { hostPath: spec.etcFiles.hosts, containerPath: '/etc/hosts' },
    { hostPath: spec.etcFiles.resolvConf, containerPath: '/etc/resolv.conf' },
    { hostPath: spec.etcFiles.hostname, containerPath: '/etc/hostname' },
    ...spec.mounts,
    ...(spec.terminationLog ? [{ ...spec.terminationLog }] : []),
  ];
  // Mount points first, all in one mkdir; a file is bound onto a file, created empty if missing.
  const dirs = new Set(binds.map((b) => (b.isDir ? b.containerPath : posix.dirname(b.containerPath))));
  dirs.delete('/');
  dirs.delete('/etc');
  if (dirs.size) lines.push(`mkdir -p ${[...dirs].map(q).join(' ')}`);
  for (const b of binds) {
    const t = q(b.containerPath);
    if (!b.isDir) lines.push(`[ -e ${t} ] || : > ${t}`);
    lines.push(`m --bind${b.readOnly ? ' -o ro' : ''} "$O"${q(b.hostPath)} ${t}`);
  }
  for (const cg of spec.cgroups) lines.push(`echo 0 > "$O"${q(`${cg}/cgroup.procs`)} || fail "cannot join cgroup ${cg}"`);
  lines.push(
    'umount -l "$O" && rmdir "$O"',
    `cd ${q(spec.workingDir ?? '/')} 2>/dev/null || fail ${q(`failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: chdir to cwd ("${spec.workingDir ?? '/'}") set in config.json failed: no such file or directory: unknown`)}`,
    // The exec of a missing program fails inside the container, as runc reports it.
    'case "$1" in */*) [ -x "$1" ] ;; *) command -v "$1" >/dev/null ;; esac ||',
    `  fail "failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: \\"$1\\": executable file not found in \\$PATH: unknown"`,
  );
  const setpriv = ['setpriv'];
  if (spec.user) {
    setpriv.push(`--reuid=${spec.user.uid}`, `--regid=${spec.user.gid}`);
    setpriv.push(spec.user.groups.length ? `--groups=${spec.user.groups.join(',')}` : '--clear-groups');
  }
  if (spec.pdeathsig) setpriv.push('--pdeathsig=KILL');
  // "exec" on fd 3 says the command is about to run (in a shared PID namespace nsenter keeps fd 3 open,
  // so its end of file comes only when the container ends).
  lines.push('echo exec >&3', `exec ${setpriv.join(' ')} -- "$@" 3>&-`);
  return lines.join('\n');
}
