// Pod IPs from the node's pod CIDR, handed out round-robin like the host-local IPAM plugin: the
// network address and the gateway (the first address) are never given to pods.

export class PodIPAM {
  private base: number;
  private size: number;
  private used = new Set<number>();
  private last: number;

  constructor(readonly cidr: string) {
    const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(cidr);
    const bits = m ? Number(m[2]) : NaN;
    if (!m || !(bits >= 0 && bits <= 30) || toInt(m[1]) === undefined) throw new Error(`invalid IPv4 pod CIDR ${JSON.stringify(cidr)}`);
    this.size = 2 ** (32 - bits);
    this.base = toInt(m[1])! - (toInt(m[1])! % this.size);
    this.last = 1;
  }

  /** Whether `ip` lies in the range pods get addresses from. */
  contains(ip: string): boolean {
    const n = toInt(ip);
    return n !== undefined && n - this.base >= 2 && n - this.base < this.size - 1;
  }

  /** The preferred address when it is in range and free, else the next free one after the last handed out. */
  allocate(preferred?: string): string {
    if (preferred && this.contains(preferred) && !this.used.has(toInt(preferred)! - this.base)) {
      this.used.add(toInt(preferred)! - this.base);
      return preferred;
    }
    const first = 2;
    const count = this.size - 3;
    for (let i = 1; i <= count; i++) {
      const off = first + ((this.last - first + i + count) % count);
      if (!this.used.has(off)) {
        this.used.add(off);
        this.last = off;
        return toIP(this.base + off);
      }
    }
    throw new Error(
      `failed to allocate for range 0: no IP addresses available in range set: ${toIP(this.base + 1)}-${toIP(this.base + this.size - 2)}`,
    );
  }

  release(ip: string): void {
    const n = toInt(ip);
    if (n !== undefined) this.used.delete(n - this.base);
  }
}

function toInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

function toIP(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}
