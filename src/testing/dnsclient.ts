// A minimal DNS client for tests: one query over UDP or TCP to 127.0.0.1.

import * as dgram from 'node:dgram';
import * as net from 'node:net';
import * as dnsPacket from 'dns-packet';
import type { DecodedPacket, RecordType } from 'dns-packet';

export interface QueryOptions {
  tcp?: boolean;
  /** Advertise EDNS with this UDP payload size. */
  edns?: number;
  timeoutMs?: number;
}

let nextId = 1;

export function encodeQuery(name: string, type: RecordType, edns?: number): Buffer {
  return dnsPacket.encode({
    type: 'query',
    id: nextId++ & 0xffff,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type, class: 'IN' }],
    additionals: edns ? [{ type: 'OPT', name: '.', udpPayloadSize: edns, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] : [],
  });
}

export async function query(port: number, name: string, type: RecordType, opts: QueryOptions = {}): Promise<DecodedPacket & { rcode?: string }> {
  const msg = encodeQuery(name, type, opts.edns);
  const raw = await (opts.tcp ? sendTcp : sendUdp)(port, msg, opts.timeoutMs ?? 2000);
  if (!raw) throw new Error(`no answer for ${name} ${type}`);
  const p = dnsPacket.decode(raw);
  if (p.id !== msg.readUInt16BE(0)) throw new Error(`answer id ${p.id} does not match query id ${msg.readUInt16BE(0)}`);
  return p;
}

/** Send raw bytes over UDP; resolves to the reply, or undefined when none comes within the timeout. */
export function sendUdp(port: number, msg: Buffer, timeoutMs = 300): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const sock = dgram.createSocket('udp4');
    const done = (v: Buffer | undefined) => {
      clearTimeout(t);
      sock.close();
      resolve(v);
    };
    const t = setTimeout(() => done(undefined), timeoutMs);
    sock.on('message', (m) => done(m));
    sock.send(msg, port, '127.0.0.1');
  });
}

/** Send one length-prefixed message over a fresh TCP connection; resolves to the reply body. */
export function sendTcp(port: number, msg: Buffer, timeoutMs = 2000): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    const t = setTimeout(() => {
      sock.destroy();
      resolve(undefined);
    }, timeoutMs);
    sock.on('error', (e) => {
      clearTimeout(t);
      reject(e);
    });
    sock.on('data', (c) => {
      buf = Buffer.concat([buf, c]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        clearTimeout(t);
        sock.destroy();
        resolve(buf.subarray(2, 2 + buf.readUInt16BE(0)));
      }
    });
    const prefix = Buffer.alloc(2);
    prefix.writeUInt16BE(msg.length, 0);
    sock.write(Buffer.concat([prefix, msg]));
  });
}
