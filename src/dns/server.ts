// DNS over UDP and TCP (RFC 1035 §4.2; TCP messages carry a 2-byte length prefix, RFC 7766 allows
// several per connection). Malformed input gets FORMERR or is dropped with a log line; nothing a
// client sends can stop the listeners.

import * as dgram from 'node:dgram';
import * as net from 'node:net';
import type { Clock, Timer } from '../machinery/clock.js';
import { logger } from '../machinery/log.js';
import type { Reply, Transport } from './message.js';

const log = logger('dns');

/** A TCP connection idle this long is closed (RFC 7766 §6.2.3 suggests seconds, not minutes). */
export const TCP_IDLE_MS = 10_000;
const SAME_PORT_ATTEMPTS = 5;

/** Turns one wire message into the reply (see message.ts `reply`). */
export type Responder = (msg: Buffer, transport: Transport) => Reply | Promise<Reply>;

export class DnsServer {
  private udp: dgram.Socket | undefined;
  private tcp: net.Server | undefined;
  private conns = new Set<net.Socket>();

  constructor(
    private respond: Responder,
    private clock: Clock,
  ) {}

  /** Listen on `port` for UDP and TCP; with port 0 both get the same free port when one can be found. */
  async listen(host: string, port: number): Promise<{ udpPort: number; tcpPort: number }> {
    if (this.udp || this.tcp) throw new Error('DNS server already listening');
    for (let attempt = 0; ; attempt++) {
      const udp = await this.bindUdp(host, port);
      const udpPort = udp.address().port;
      try {
        const tcp = await this.bindTcp(host, udpPort);
        this.udp = udp;
        this.tcp = tcp;
        return { udpPort, tcpPort: (tcp.address() as net.AddressInfo).port };
      } catch (e) {
        const inUse = (e as NodeJS.ErrnoException).code === 'EADDRINUSE';
        if (port === 0 && inUse && attempt + 1 < SAME_PORT_ATTEMPTS) {
          udp.close();
          continue;
        }
        if (port !== 0 || !inUse) {
          udp.close();
          throw e;
        }
        const tcp = await this.bindTcp(host, 0);
        this.udp = udp;
        this.tcp = tcp;
        return { udpPort, tcpPort: (tcp.address() as net.AddressInfo).port };
      }
    }
  }

  async close(): Promise<void> {
    const udp = this.udp;
    const tcp = this.tcp;
    this.udp = undefined;
    this.tcp = undefined;
    for (const c of this.conns) c.destroy();
    this.conns.clear();
    await Promise.all([
      udp && new Promise<void>((r) => udp.close(() => r())),
      tcp && new Promise<void>((r) => tcp.close(() => r())),
    ]);
  }

  private async answer(msg: Buffer, transport: Transport, from: string): Promise<Buffer | undefined> {
    let r: Reply;
    try {
      r = await this.respond(msg, transport);
    } catch (e) {
      log.error('Answering a DNS message failed', { transport, from, err: e });
      return undefined;
    }
    if (r.problem) log.v(2).info('Bad DNS message', { transport, from, problem: r.problem, answered: !!r.bytes });
    return r.bytes;
  }

  private bindUdp(host: string, port: number): Promise<dgram.Socket> {
    return new Promise((resolve, reject) => {
      const sock = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
      sock.once('error', reject);
      sock.bind(port, host, () => {
        sock.off('error', reject);
        sock.on('error', (e) => log.error('UDP socket error', { err: e }));
        sock.on('message', (msg, rinfo) => {
          void this.answer(msg, 'udp', `${rinfo.address}:${rinfo.port}`).then((out) => {
            if (out) sock.send(out, rinfo.port, rinfo.address, (e) => e && log.v(2).info('UDP send failed', { to: rinfo.address, err: e }));
          });
        });
        resolve(sock);
      });
    });
  }

  private bindTcp(host: string, port: number): Promise<net.Server> {
    return new Promise((resolve, reject) => {
      const srv = net.createServer((sock) => this.serveConnection(sock));
      srv.once('error', reject);
      srv.listen(port, host, () => {
        srv.off('error', reject);
        srv.on('error', (e) => log.error('TCP server error', { err: e }));
        resolve(srv);
      });
    });
  }

  private serveConnection(sock: net.Socket): void {
    this.conns.add(sock);
    const from = `${sock.remoteAddress}:${sock.remotePort}`;
    let pending = Buffer.alloc(0);
    // Answers go out in the order of the queries, though forwarded ones take longer.
    let written: Promise<void> = Promise.resolve();
    let idle: Timer | undefined;
    const arm = () => {
      idle?.cancel();
      idle = this.clock.setTimeout(() => sock.destroy(), TCP_IDLE_MS);
    };
    arm();
    sock.on('data', (chunk) => {
      arm();
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      while (pending.length >= 2) {
        const len = pending.readUInt16BE(0);
        if (pending.length < 2 + len) break;
        const msg = pending.subarray(2, 2 + len);
        pending = pending.subarray(2 + len);
        const answered = this.answer(msg, 'tcp', from);
        written = written.then(async () => {
          const out = await answered;
          if (!out || sock.destroyed) return;
          const prefix = Buffer.alloc(2);
          prefix.writeUInt16BE(out.length, 0);
          sock.write(Buffer.concat([prefix, out]));
        });
      }
    });
    sock.on('error', (e) => log.v(2).info('TCP connection error', { from, err: e }));
    sock.on('close', () => {
      idle?.cancel();
      this.conns.delete(sock);
    });
  }
}
