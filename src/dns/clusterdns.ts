// The cluster DNS server: the informer-fed view, the resolver over it, and the UDP/TCP listeners.
// Resolutions and encoded replies are cached until a watched object changes, so a headless Service
// with many endpoints is resolved and encoded once per change, not once per query.

import type { Question } from 'dns-packet';
import type { InformerFactory } from '../client/informerfactory.js';
import type { Clock } from '../machinery/clock.js';
import { reply, type Reply, type Transport } from './message.js';
import { canonicalName, parseCidr } from './names.js';
import { resolve, type ResolveConfig, type Resolution } from './records.js';
import { DnsServer } from './server.js';
import { forward, rcodeOf, REFUSED, type Upstream } from './upstream.js';
import { InformerView } from './view.js';

export const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';
/** CoreDNS `kubernetes` plugin default; it accepts 0 to 3600. */
export const DEFAULT_TTL_SECONDS = 5;
/** k8ts's Service range (src/registry/service.ts) and node pod ranges (src/server/nodes.ts). */
export const DEFAULT_REVERSE_CIDRS = ['10.96.0.0/12', '10.244.0.0/16'];
const CACHE_ENTRIES = 4096;
/** Only ordinary-sized queries are remembered as reply-cache keys (a query is ~50 bytes). */
const MAX_CACHED_QUERY = 512;

export interface ClusterDNSOptions {
  informers: InformerFactory;
  clock: Clock;
  clusterDomain?: string;
  ttlSeconds?: number;
  reverseCIDRs?: string[];
  pods?: 'verified' | 'insecure';
  /** Where names the cluster does not own are forwarded; without it they are REFUSED. */
  upstream?: Upstream;
}

export class ClusterDNS {
  readonly view: InformerView;
  readonly config: ResolveConfig;
  private server: DnsServer;
  private cache = new Map<string, Resolution>();
  private replies = new Map<string, Buffer>();
  private cacheGen = -1;

  constructor(private opts: ClusterDNSOptions) {
    const ttl = opts.ttlSeconds ?? DEFAULT_TTL_SECONDS;
    if (!Number.isInteger(ttl) || ttl < 0 || ttl > 3600) throw new Error(`DNS TTL must be an integer from 0 to 3600 seconds, got ${ttl}`);
    this.config = {
      zone: canonicalName(opts.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN),
      ttl,
      reverseCIDRs: (opts.reverseCIDRs ?? DEFAULT_REVERSE_CIDRS).map(parseCidr),
      pods: opts.pods ?? 'verified',
    };
    this.view = new InformerView(opts.informers, opts.clock);
    this.server = new DnsServer((msg, transport) => this.respond(msg, transport), opts.clock);
  }

  /** The answer to one question, from the cache while no watched object has changed. */
  resolve(q: Question): Resolution {
    this.expire();
    const key = `${q.type} ${q.class ?? 'IN'} ${q.name}`;
    let r = this.cache.get(key);
    if (!r) {
      r = resolve(this.view, q, this.config);
      this.cache.set(key, r);
    }
    return r;
  }

  /**
   * The reply to one wire message. A message identical but for its id to one answered since the last
   * change gets the same bytes with its own id.
   */
  respond(msg: Buffer, transport: Transport): Reply | Promise<Reply> {
    const r = this.answerLocally(msg, transport);
    const { upstream } = this.opts;
    if (!upstream || !r.bytes || rcodeOf(r.bytes) !== REFUSED) return r;
    return forward(msg, upstream).then((bytes) => ({ bytes }));
  }

  private answerLocally(msg: Buffer, transport: Transport): Reply {
    this.expire();
    const key = msg.length >= 12 && msg.length <= MAX_CACHED_QUERY ? transport + msg.toString('latin1', 2) : '';
    const hit = key && this.replies.get(key);
    if (hit) {
      const out = Buffer.from(hit);
      out.writeUInt16BE(msg.readUInt16BE(0), 0);
      return { bytes: out };
    }
    const r = reply(msg, (q) => this.resolve(q), transport);
    if (key && r.bytes && !r.problem) this.replies.set(key, r.bytes);
    return r;
  }

  private expire(): void {
    const gen = this.view.generation();
    if (gen === this.cacheGen && this.cache.size < CACHE_ENTRIES && this.replies.size < CACHE_ENTRIES) return;
    this.cache.clear();
    this.replies.clear();
    this.cacheGen = gen;
  }

  listen(host: string, port: number): Promise<{ udpPort: number; tcpPort: number }> {
    return this.server.listen(host, port);
  }

  close(): Promise<void> {
    return this.server.close();
  }
}
