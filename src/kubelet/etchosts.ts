// The kubelet-managed /etc/hosts (kubelet_pods.go managedHostsFileContent / nodeHostsFileContent):
// fields separated by TABs, the pod's FQDN before its short name so `hostname -f` resolves the FQDN.

import type { HostAlias, Pod } from 'kubernetes-types/core/v1.js';

export const MANAGED_HOSTS_HEADER = '# Kubernetes-managed hosts file.\n';
export const MANAGED_HOSTS_HEADER_HOST_NETWORK = '# Kubernetes-managed hosts file (host network).\n';

export function hostAliasesEntries(aliases: readonly HostAlias[] | undefined): string {
  if (!aliases || aliases.length === 0) return '';
  return '\n# Entries added by HostAliases.\n' + aliases.map((a) => `${a.ip ?? ''}\t${(a.hostnames ?? []).join('\t')}\n`).join('');
}

/** hostDomain is `<subdomain>.<ns>.svc.<clusterDomain>` or '' (see podHostnameAndDomain). */
export function managedHostsFileContent(podIPs: readonly string[], hostname: string, hostDomain: string, aliases?: readonly HostAlias[]): string {
  let out = MANAGED_HOSTS_HEADER;
  out += '127.0.0.1\tlocalhost\n';
  out += '::1\tlocalhost ip6-localhost ip6-loopback\n';
  out += 'fe00::0\tip6-localnet\n';
  out += 'fe00::0\tip6-mcastprefix\n';
  out += 'fe00::1\tip6-allnodes\n';
  out += 'fe00::2\tip6-allrouters\n';
  for (const ip of podIPs) out += hostDomain ? `${ip}\t${hostname}.${hostDomain}\t${hostname}\n` : `${ip}\t${hostname}\n`;
  return out + hostAliasesEntries(aliases);
}

/** hostNetwork pods: the node's own hosts file (passed in as text) under a different header. */
export function nodeHostsFileContent(nodeHosts: string, aliases?: readonly HostAlias[]): string {
  return MANAGED_HOSTS_HEADER_HOST_NETWORK + nodeHosts + hostAliasesEntries(aliases);
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** GeneratePodHostNameAndDomain (without the HostnameOverride gate); throws the kubelet's message on invalid input. */
export function podHostnameAndDomain(pod: Pod, clusterDomain: string): { hostname: string; domain: string } {
  const name = pod.metadata?.name ?? '';
  let hostname = name;
  const spec = pod.spec;
  if (spec?.hostname) {
    if (!isDNS1123Label(spec.hostname)) throw new Error(`pod Hostname ${JSON.stringify(spec.hostname)} is not a valid DNS label`);
    hostname = spec.hostname;
  }
  if (hostname.length > 63) {
    hostname = hostname.slice(0, 63).replace(/[-.]+$/, '');
    if (!hostname) throw new Error(`hostname for pod ${JSON.stringify(name)} was invalid: ${JSON.stringify(name)}`);
  }
  let domain = '';
  if (spec?.subdomain) {
    if (!isDNS1123Label(spec.subdomain)) throw new Error(`pod Subdomain ${JSON.stringify(spec.subdomain)} is not a valid DNS label`);
    domain = `${spec.subdomain}.${pod.metadata?.namespace ?? 'default'}.svc.${clusterDomain}`;
  }
  return { hostname, domain };
}

const isDNS1123Label = (s: string) => s.length <= 63 && DNS1123_LABEL.test(s);

/** The file a container sees at /etc/hosts; `nodeHosts` is required for hostNetwork pods. */
export function podHostsFile(pod: Pod, opts: { podIPs: readonly string[]; clusterDomain: string; nodeHosts?: string }): string {
  if (pod.spec?.hostNetwork) return nodeHostsFileContent(opts.nodeHosts ?? '', pod.spec.hostAliases);
  const { hostname, domain } = podHostnameAndDomain(pod, opts.clusterDomain);
  return managedHostsFileContent(opts.podIPs, hostname, domain, pod.spec?.hostAliases);
}
