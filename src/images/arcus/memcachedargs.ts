// The arguments of ARCUS memcached, split into what the launcher handles itself (the ZooKeeper
// ensemble, the listen address and port, daemon mode, the ARCUS engine options) and what Debian's
// memcached runs with. Memcached's options take their value as `-m 100`, `-m100` or `--memory-limit=100`.

export interface ArcusArgs {
  /** `-z`: ZooKeeper ensemble; without it the server runs alone, as ARCUS does. */
  zk?: string;
  /** ZooKeeper session timeout in seconds (`-o <sec>` in ARCUS); undefined for the default 30 s. */
  zkTimeoutSec?: number;
  port: number;
  listen: string;
  /** `-m`: memory limit in megabytes, also written into the cache_list znode. */
  memoryMB: number;
  /** Options passed on to Debian's memcached. */
  memcached: string[];
}

/** Short options that take a value (memcached 1.6 and ARCUS). */
const WITH_VALUE = new Set('abBcDeEfgIlmnNoPpRstTuUXYz'.split(''));
const LONG_TO_SHORT: Record<string, string> = {
  port: 'p', listen: 'l', 'memory-limit': 'm', 'udp-port': 'U', 'unix-socket': 's', daemon: 'd', user: 'u',
};
/** ARCUS engine and extension options with no meaning for Debian's memcached. */
const ARCUS_ONLY = new Set(['E', 'e', 'X']);

export function parseArcusArgs(argv: string[]): ArcusArgs {
  const out: ArcusArgs = { port: 11211, listen: '0.0.0.0', memoryMB: 64, memcached: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    let flag: string | undefined;
    let value: string | undefined;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      flag = LONG_TO_SHORT[eq < 0 ? a.slice(2) : a.slice(2, eq)];
      if (flag && eq >= 0) value = a.slice(eq + 1);
      else if (flag && WITH_VALUE.has(flag)) value = argv[++i];
      if (!flag) { out.memcached.push(a); continue; }
    } else if (a.startsWith('-') && a.length > 1 && WITH_VALUE.has(a[1]!)) {
      flag = a[1];
      value = a.length > 2 ? a.slice(2) : argv[++i];
    } else if (a === '-d') {
      continue; // the launcher stays in the foreground as the container's main process
    } else {
      out.memcached.push(a);
      continue;
    }
    switch (flag) {
      case 'z': out.zk = value; break;
      case 'p':
        out.port = Number(value);
        if (!Number.isInteger(out.port) || out.port <= 0 || out.port > 65535) throw new Error(`invalid port "${value}"`);
        break;
      case 'l': out.listen = value ?? out.listen; break;
      case 'U': case 's': case 'd': break;
      case 'o':
        if (value && /^\d+$/.test(value)) out.zkTimeoutSec = Number(value);
        else out.memcached.push('-o', value ?? '');
        break;
      case 'm':
        out.memoryMB = Number(value);
        out.memcached.push('-m', value ?? '');
        break;
      default:
        if (!ARCUS_ONLY.has(flag!)) out.memcached.push(`-${flag}`, value ?? '');
    }
  }
  return out;
}

/** Debian memcached's argv: the passed-on options, serving only the given unix socket. */
export function memcachedArgv(args: ArcusArgs, socketPath: string, runAsRoot: boolean): string[] {
  const user = runAsRoot && !args.memcached.includes('-u') ? ['-u', 'memcache'] : [];
  return [...args.memcached, ...user, '-s', socketPath, '-a', '0700'];
}
