// Forwarding of names the cluster does not own to an upstream resolver (`--cluster-dns-upstream`;
// off by default, so outside names are REFUSED): the query goes as it came, over UDP, and the
// upstream's answer goes back unchanged; no answer in time is SERVFAIL.

import * as dgram from 'node:dgram';
import * as net from 'node:net';

export interface Upstream {
  host: string;
  port: number;
}

export const UPSTREAM_TIMEOUT_MS = 2000;

/** `10.0.0.2`, `10.0.0.2:5353`, `[::1]:53` */
export function parseUpstream(text: string): Upstream {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(text) ?? /^([^:]+)(?::(\d+))?$/.exec(text);
  const host = m?.[1] ?? '';
  const port = m?.[2] === undefined ? 53 : Number(m[2]);
  if (!net.isIP(host) || !(port > 0 && port < 65536)) throw new Error(`${JSON.stringify(text)} is not an IP address with an optional port, like 10.0.0.2 or 10.0.0.2:53`);
  return { host, port };
}

/** The header's RCODE. */
export const rcodeOf = (msg: Buffer): number => (msg.length >= 4 ? msg[3] & 0x0f : -1);
export const REFUSED = 5;

/** SERVFAIL for `query`: its header with QR set and RCODE 2, its question kept. */
export function servfail(query: Buffer): Buffer {
  const out = Buffer.from(query);
  out[2] = (out[2] | 0x80) & ~0x04;
  out[3] = (out[3] & 0xf0) | 2;
  out.writeUInt16BE(0, 6);
  out.writeUInt16BE(0, 8);
  out.writeUInt16BE(0, 10);
  return out;
}

export function forward(query: Buffer, upstream: Upstream, timeoutMs = UPSTREAM_TIMEOUT_MS): Promise<Buffer> {
  return new Promise((resolve) => {
    const sock = dgram.createSocket(net.isIPv6(upstream.host) ? 'udp6' : 'udp4');
    const done = (reply: Buffer) => {
      clearTimeout(timer);
      sock.close();
      resolve(reply);
    };
    const timer = setTimeout(() => done(servfail(query)), timeoutMs);
    sock.on('error', () => done(servfail(query)));
    sock.on('message', (msg) => {
      if (msg.length >= 2 && msg.readUInt16BE(0) === query.readUInt16BE(0)) done(msg);
    });
    sock.send(query, upstream.port, upstream.host);
  });
}
