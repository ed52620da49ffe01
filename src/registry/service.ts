// Service cluster IP and node port allocation (pkg/registry/core/service/ipallocator, portallocator).

import type { Service, ServiceSpec } from 'kubernetes-types/core/v1.js';
import { fieldInvalid, type FieldError } from '../machinery/errors.js';
import type { Strategy, StrategyContext } from './strategy.js';

const CIDR_BASE = (10 << 24) | (96 << 16); // 10.96.0.0/12
const CIDR_SIZE = 1 << 20;
const NODE_PORT_MIN = 30000;
const NODE_PORT_MAX = 32767;

export const KUBERNETES_SERVICE_IP = '10.96.0.1';
/** The cluster DNS Service (kube-system/kube-dns), at the address kubeadm gives it: the kubelets' --cluster-dns. */
export const KUBE_DNS_SERVICE_IP = '10.96.0.10';

function ipToInt(ip: string): number {
  return ip.split('.').reduce((a, o) => ((a << 8) | Number(o)) >>> 0, 0);
}

function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function inRange(ip: string): boolean {
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(ip)) return false;
  const n = ipToInt(ip);
  return n > CIDR_BASE >>> 0 && n < (CIDR_BASE + CIDR_SIZE - 1) >>> 0;
}

function services(ctx: StrategyContext): Service[] {
  return ctx.list('services') as Service[];
}

function usedIPs(ctx: StrategyContext): Set<string> {
  return new Set(services(ctx).map((s) => s.spec?.clusterIP).filter((ip): ip is string => !!ip));
}

/** Node ports in use, except by `self` (a Service being updated keeps its own). */
function usedPorts(ctx: StrategyContext, self?: Service): Set<number> {
  const out = new Set<number>();
  for (const s of services(ctx)) {
    if (self && s.metadata?.namespace === self.metadata?.namespace && s.metadata?.name === self.metadata?.name) continue;
    for (const p of s.spec?.ports ?? []) if (p.nodePort) out.add(p.nodePort);
  }
  return out;
}

function needsClusterIP(svc: Service): boolean {
  return svc.spec?.type !== 'ExternalName' && svc.spec?.clusterIP !== 'None';
}

function needsNodePorts(svc: Service): boolean {
  return svc.spec?.type === 'NodePort' || svc.spec?.type === 'LoadBalancer';
}

/**
 * The service registry's dropTypeDependentFields: a type change takes away what only the old type
 * had (node ports, the load balancer's fields, the external traffic policy), unless the update itself
 * changed them.
 */
function dropTypeDependentFields(spec: ServiceSpec, old: ServiceSpec): void {
  if (spec.type === old.type) return;
  const newType = { spec } as Service;
  if (!needsNodePorts(newType)) {
    for (const p of spec.ports ?? []) {
      const prior = (old.ports ?? []).find((o) => o.port === p.port && (o.protocol ?? 'TCP') === (p.protocol ?? 'TCP'));
      if (p.nodePort !== undefined && p.nodePort === prior?.nodePort) delete p.nodePort;
    }
  }
  if (spec.type !== 'LoadBalancer') {
    if (spec.allocateLoadBalancerNodePorts === old.allocateLoadBalancerNodePorts) delete spec.allocateLoadBalancerNodePorts;
    if (spec.loadBalancerClass === old.loadBalancerClass) delete spec.loadBalancerClass;
    if (spec.healthCheckNodePort === old.healthCheckNodePort) delete spec.healthCheckNodePort;
  }
  if (!needsNodePorts(newType) && spec.externalTrafficPolicy === old.externalTrafficPolicy) delete spec.externalTrafficPolicy;
}

export const serviceStrategy: Strategy = {
  validateCreate(obj, ctx) {
    const svc = obj as Service;
    const errs: FieldError[] = [];
    const ip = svc.spec?.clusterIP;
    if (needsClusterIP(svc) && ip) {
      if (!inRange(ip)) errs.push(fieldInvalid('spec.clusterIPs', [ip], 'failed to allocate IP ' + ip + ': the provided IP (' + ip + ') is not in the valid range. The range of valid IPs is 10.96.0.0/12'));
      else if (usedIPs(ctx).has(ip)) errs.push(fieldInvalid('spec.clusterIPs', [ip], `failed to allocate IP ${ip}: provided IP is already allocated`));
    }
    if (needsNodePorts(svc)) {
      const used = usedPorts(ctx);
      (svc.spec?.ports ?? []).forEach((p, i) => {
        if (!p.nodePort) return;
        if (p.nodePort < NODE_PORT_MIN || p.nodePort > NODE_PORT_MAX)
          errs.push(fieldInvalid(`spec.ports[${i}].nodePort`, p.nodePort, `provided port is not in the valid range. The range of valid ports is ${NODE_PORT_MIN}-${NODE_PORT_MAX}`));
        else if (used.has(p.nodePort)) errs.push(fieldInvalid(`spec.ports[${i}].nodePort`, p.nodePort, 'provided port is already allocated'));
      });
    }
    return errs;
  },
  prepareForUpdate(obj, stored) {
    const svc = obj as Service;
    const old = stored as Service;
    const spec = (svc.spec ??= {});
    if (!spec.clusterIP && old.spec?.clusterIP) spec.clusterIP = old.spec.clusterIP;
    if (!spec.clusterIPs && old.spec?.clusterIPs) spec.clusterIPs = old.spec.clusterIPs;
    if (needsNodePorts(svc)) {
      for (const p of spec.ports ?? []) {
        const prior = (old.spec?.ports ?? []).find((o) => o.port === p.port && (o.protocol ?? 'TCP') === (p.protocol ?? 'TCP'));
        if (!p.nodePort && prior?.nodePort) p.nodePort = prior.nodePort;
      }
    }
    dropTypeDependentFields(spec, old.spec ?? {});
  },
  allocate(obj, ctx) {
    const svc = obj as Service;
    const spec = (svc.spec ??= {});
    if (needsClusterIP(svc) && !spec.clusterIP) {
      const used = usedIPs(ctx);
      for (let off = 10; off < CIDR_SIZE - 1; off++) {
        const ip = intToIp((CIDR_BASE + off) >>> 0);
        if (!used.has(ip)) {
          spec.clusterIP = ip;
          break;
        }
      }
    }
    if (spec.clusterIP) spec.clusterIPs = [spec.clusterIP];
    if (needsNodePorts(svc)) {
      const used = usedPorts(ctx, svc);
      let next = NODE_PORT_MIN;
      for (const p of spec.ports ?? []) {
        if (p.nodePort) continue;
        while (used.has(next)) next++;
        p.nodePort = next;
        used.add(next);
      }
    }
  },
};
