// A minimal ZooKeeper client (protocol of ZooKeeper 3.x): one session over one TCP connection, with
// create, delete, exists, getData, getChildren, sync, pings and closeSession. Lost connections are
// re-established with the same session (so ephemeral znodes survive a ZooKeeper server restart) until
// the session timeout passes or a server reports the session expired.

import net from 'node:net';
import { JuteReader, JuteWriter, readStat, type Stat } from './jute.js';

/** Error codes (KeeperException.Code). */
export const ZOO_ERR = {
  connectionLoss: -4,
  noNode: -101,
  nodeExists: -110,
  notEmpty: -111,
  sessionExpired: -112,
} as const;

export const CreateMode = { persistent: 0, ephemeral: 1, persistentSequential: 2, ephemeralSequential: 3 } as const;
export type CreateMode = (typeof CreateMode)[keyof typeof CreateMode];

const OP = { create: 1, delete: 2, exists: 3, getData: 4, getChildren: 8, sync: 9, ping: 11, closeSession: -11 };
const XID_NOTIFICATION = -1;
const XID_PING = -2;
/** ZooDefs.Ids.OPEN_ACL_UNSAFE: all permissions for world:anyone. */
const OPEN_ACL = { perms: 31, scheme: 'world', id: 'anyone' };

export class ZooKeeperError extends Error {
  constructor(readonly code: number, readonly path: string) {
    super(`ZooKeeper error ${code} (${codeName(code)}) for ${path}`);
  }
}

function codeName(code: number): string {
  return Object.entries(ZOO_ERR).find(([, c]) => c === code)?.[0] ?? 'unknown';
}

export function isZooError(e: unknown, code: number): boolean {
  return e instanceof ZooKeeperError && e.code === code;
}

export interface ZooKeeperOptions {
  /** Requested session timeout; the server bounds it to [2, 20] ticks. */
  sessionTimeoutMs?: number;
  /** Called once when the session is gone for good (expired, or no server reachable within the timeout). */
  onExpired?: () => void;
}

interface Pending {
  path: string;
  resolve: (r: JuteReader) => void;
  reject: (e: Error) => void;
}

/** `host1:2181,host2:2181` → endpoints (a chroot suffix is not supported). */
export function parseConnectString(s: string): { host: string; port: number }[] {
  return s.split(',').filter(Boolean).map((hp) => {
    const i = hp.lastIndexOf(':');
    return i < 0 ? { host: hp, port: 2181 } : { host: hp.slice(0, i), port: Number(hp.slice(i + 1)) };
  });
}

export class ZooKeeperClient {
  sessionId = 0n;
  /** Session timeout as negotiated with the server. */
  timeoutMs: number;
  private passwd = Buffer.alloc(16);
  private lastZxid = 0n;
  private socket: net.Socket | undefined;
  private inbuf = Buffer.alloc(0);
  private xid = 1;
  private pending = new Map<number, Pending>();
  private pingTimer: NodeJS.Timeout | undefined;
  private closing = false;
  private next = 0;
  private readonly hosts: { host: string; port: number }[];

  private constructor(connectString: string, private readonly opts: ZooKeeperOptions) {
    this.hosts = parseConnectString(connectString);
    this.timeoutMs = opts.sessionTimeoutMs ?? 30000;
    if (!this.hosts.length) throw new Error(`no ZooKeeper servers in "${connectString}"`);
  }

  /** Connects to the first server of the ensemble that answers and starts a new session. */
  static async connect(connectString: string, opts: ZooKeeperOptions = {}): Promise<ZooKeeperClient> {
    const zk = new ZooKeeperClient(connectString, opts);
    await zk.establish(Date.now() + zk.timeoutMs);
    return zk;
  }

  async create(path: string, data: Buffer | string | null, mode: CreateMode = CreateMode.persistent): Promise<string> {
    const w = new JuteWriter().string(path).buffer(typeof data === 'string' ? Buffer.from(data) : data);
    w.int(1).int(OPEN_ACL.perms).string(OPEN_ACL.scheme).string(OPEN_ACL.id).int(mode);
    return (await this.request(OP.create, path, w)).string();
  }

  async delete(path: string, version = -1): Promise<void> {
    await this.request(OP.delete, path, new JuteWriter().string(path).int(version));
  }

  /** The node's Stat, or null when there is no such node. */
  async exists(path: string): Promise<Stat | null> {
    try {
      return readStat(await this.request(OP.exists, path, new JuteWriter().string(path).bool(false)));
    } catch (e) {
      if (isZooError(e, ZOO_ERR.noNode)) return null;
      throw e;
    }
  }

  async getData(path: string): Promise<{ data: Buffer | null; stat: Stat }> {
    const r = await this.request(OP.getData, path, new JuteWriter().string(path).bool(false));
    const data = r.buffer();
    return { data: data && Buffer.from(data), stat: readStat(r) };
  }

  async getChildren(path: string): Promise<string[]> {
    return (await this.request(OP.getChildren, path, new JuteWriter().string(path).bool(false))).strings();
  }

  /** Makes the connected server catch up with the leader for path (ZooKeeper's sync). */
  async sync(path: string): Promise<void> {
    await this.request(OP.sync, path, new JuteWriter().string(path));
  }

  /** Ends the session: the server deletes its ephemeral znodes at once. */
  async close(): Promise<void> {
    if (this.closing) return;
    const closed = this.socket ? this.request(OP.closeSession, '', new JuteWriter()).catch(() => undefined) : undefined;
    this.closing = true;
    await Promise.race([closed, new Promise((r) => setTimeout(r, 2000).unref())]);
    this.teardown(new ZooKeeperError(ZOO_ERR.connectionLoss, ''));
  }

  private request(op: number, path: string, body: JuteWriter): Promise<JuteReader> {
    const sock = this.socket;
    if (this.closing || !sock) return Promise.reject(new ZooKeeperError(ZOO_ERR.connectionLoss, path));
    const xid = this.xid++;
    const packet = new JuteWriter().int(xid).int(op).raw(body.bytes()).framed();
    return new Promise((resolve, reject) => {
      this.pending.set(xid, { path, resolve, reject });
      sock.write(packet);
    });
  }

  private async establish(deadline: number): Promise<void> {
    let lastError: unknown;
    while (Date.now() < deadline && !this.closing) {
      const { host, port } = this.hosts[this.next++ % this.hosts.length]!;
      try {
        await this.handshake(host, port, Math.max(1000, Math.min(deadline - Date.now(), this.timeoutMs / this.hosts.length)));
        return;
      } catch (e) {
        lastError = e;
        if (isZooError(e, ZOO_ERR.sessionExpired)) throw e;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    throw lastError instanceof Error ? lastError : new ZooKeeperError(ZOO_ERR.connectionLoss, '');
  }

  private handshake(host: string, port: number, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const sock = net.connect({ host, port });
      sock.setNoDelay(true);
      const timer = setTimeout(() => fail(new Error(`ZooKeeper ${host}:${port}: no answer in ${timeoutMs} ms`)), timeoutMs);
      let buf = Buffer.alloc(0);
      const fail = (e: Error): void => {
        clearTimeout(timer);
        sock.destroy();
        reject(e);
      };
      sock.on('error', fail);
      sock.on('close', () => fail(new Error(`ZooKeeper ${host}:${port}: connection closed`)));
      sock.on('connect', () => {
        const req = new JuteWriter().int(0).long(this.lastZxid).int(this.timeoutMs).long(this.sessionId).buffer(this.passwd).bool(false);
        sock.write(req.framed());
      });
      sock.on('data', (chunk) => {
        buf = Buffer.concat([buf, chunk]);
        if (buf.length < 4 || buf.length < 4 + buf.readInt32BE(0)) return;
        const len = buf.readInt32BE(0);
        const r = new JuteReader(buf.subarray(4, 4 + len));
        r.int(); // protocol version
        const timeout = r.int();
        const sessionId = r.long();
        const passwd = r.buffer();
        if (timeout <= 0) return fail(new ZooKeeperError(ZOO_ERR.sessionExpired, ''));
        clearTimeout(timer);
        sock.removeAllListeners();
        Object.assign(this, { timeoutMs: timeout, sessionId, passwd: Buffer.from(passwd ?? Buffer.alloc(16)) });
        this.attach(sock, buf.subarray(4 + len));
        resolve();
      });
    });
  }

  private attach(sock: net.Socket, rest: Buffer): void {
    this.socket = sock;
    this.inbuf = Buffer.from(rest);
    sock.on('data', (chunk) => this.onData(chunk));
    sock.on('error', () => sock.destroy());
    sock.on('close', () => this.onLost(sock));
    this.pingTimer = setInterval(() => {
      sock.write(new JuteWriter().int(XID_PING).int(OP.ping).framed());
    }, this.timeoutMs / 3);
  }

  private onData(chunk: Buffer): void {
    this.inbuf = Buffer.concat([this.inbuf, chunk]);
    while (this.inbuf.length >= 4 && this.inbuf.length >= 4 + this.inbuf.readInt32BE(0)) {
      const len = this.inbuf.readInt32BE(0);
      const r = new JuteReader(this.inbuf.subarray(4, 4 + len));
      this.inbuf = this.inbuf.subarray(4 + len);
      const xid = r.int();
      const zxid = r.long();
      const err = r.int();
      if (zxid > 0n) this.lastZxid = zxid;
      if (xid === XID_PING || xid === XID_NOTIFICATION) continue;
      const p = this.pending.get(xid);
      if (!p) continue;
      this.pending.delete(xid);
      if (err !== 0) p.reject(new ZooKeeperError(err, p.path));
      else p.resolve(r);
    }
  }

  private onLost(sock: net.Socket): void {
    if (this.socket !== sock) return;
    this.teardown(new ZooKeeperError(ZOO_ERR.connectionLoss, ''));
    if (this.closing) return;
    this.establish(Date.now() + this.timeoutMs).catch(() => {
      this.closing = true;
      this.opts.onExpired?.();
    });
  }

  private teardown(reason: Error): void {
    clearInterval(this.pingTimer);
    const sock = this.socket;
    this.socket = undefined;
    sock?.destroy();
    for (const p of this.pending.values()) p.reject(reason);
    this.pending.clear();
  }
}
