// The shell programs that turn a forked process into a container, like runc's init: the waiter runs
// in the host PID namespace (its child becomes PID 1 of the new one) and reports that child's PID and
// start errors on fd 3; the setup program, as PID 1, builds the root filesystem (an overlay over the
// host's / with a fresh /proc, /dev and /tmp, the pod's /etc files and the volumes), pivots into it,
// joins the container's cgroups and execs the container's command as its user.

export interface ContainerMount {
  /** A directory or file on the host. */
  hostPath: string;
  /** Absolute path in the container. */
  containerPath: string;
  readOnly?: boolean;
}

export interface RootfsSpec {
  /** Holds upper/, work/ and merged/ of the overlay. */
  containerDir: string;
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

const DEVICES = ['null', 'zero', 'full', 'random', 'urandom', 'tty'];

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
    `for d in ${DEVICES.join(' ')}; do : > "$R/dev/$d"; m --bind "/dev/$d" "$R/dev/$d"; done`,
    'mkdir -p "$R/dev/pts" "$R/dev/shm" "$R/dev/mqueue"',
    'm -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts "$R/dev/pts"',
    'ln -s pts/ptmx "$R/dev/ptmx"; ln -s /proc/self/fd "$R/dev/fd"',
    'ln -s /proc/self/fd/0 "$R/dev/stdin"; ln -s /proc/self/fd/1 "$R/dev/stdout"; ln -s /proc/self/fd/2 "$R/dev/stderr"',
    'm -t tmpfs -o nosuid,nodev,mode=1777 shm "$R/dev/shm"',
    'm -t mqueue mqueue "$R/dev/mqueue"',
    'm -t tmpfs -o mode=1777 tmpfs "$R/tmp"',
    'cd "$R" && mkdir -p .k8ts-oldroot && pivot_root . .k8ts-oldroot || fail "pivot_root failed"',
    // Binds happen inside the new root, so symlinks in mount paths (/var/run -> /run) resolve in the
    // container's filesystem, never the host's; host paths are reached through the old root.
    'cd / && O=/.k8ts-oldroot',
  ];
  const bind = (host: string, target: string, readOnly?: boolean) => {
    const src = `"$O"${q(host)}`;
    const t = q(target);
    lines.push(
      `if [ -d ${src} ]; then mkdir -p ${t}; else mkdir -p "$(dirname ${t})"; [ -e ${t} ] || : > ${t}; fi`,
      `m --bind${readOnly ? ' -o ro' : ''} ${src} ${t}`,
    );
  };
  bind(spec.etcFiles.hosts, '/etc/hosts');
  bind(spec.etcFiles.resolvConf, '/etc/resolv.conf');
  bind(spec.etcFiles.hostname, '/etc/hostname');
  for (const mnt of spec.mounts) bind(mnt.hostPath, mnt.containerPath, mnt.readOnly);
  if (spec.terminationLog) bind(spec.terminationLog.hostPath, spec.terminationLog.containerPath);
  for (const cg of spec.cgroups) lines.push(`echo 0 > "$O"${q(`${cg}/cgroup.procs`)} || fail "cannot join cgroup ${cg}"`);
  lines.push(
    'umount -l "$O" && rmdir "$O"',
    `cd ${q(spec.workingDir ?? '/')} 2>/dev/null || fail ${q(`failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: chdir to cwd ("${spec.workingDir}") set in config.json failed: no such file or directory: unknown`)}`,
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
  lines.push(`exec ${setpriv.join(' ')} -- "$@" 3>&-`);
  return lines.join('\n');
}
