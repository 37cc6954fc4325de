// A pod's resolv.conf as upstream kubelet's dns configurer writes it (pkg/kubelet/network/dns/dns.go): ClusterFirst
// pods search `<ns>.svc.<domain> svc.<domain> <domain>` with ndots:5, so `web` finds the Service `web` of the pod's
// own namespace and `web.other` that of namespace other; dnsConfig's searches and options are merged in. The
// nameserver stays the node network's embedded DNS (127.0.0.11), which answers the Services' aliases.
import type { Pod } from 'kubernetes-types/core/v1';
import { CLUSTER_DOMAIN } from '../api/defaults';

export interface PodDns {
  /** resolv.conf `search`; undefined: the engine's default */
  search?: string[];
  /** resolv.conf `options`, e.g. `ndots:5` */
  options?: string[];
  /** upstream nameservers (dnsPolicy None) */
  servers?: string[];
}

/** What the sandbox's resolv.conf says, from spec.dnsPolicy and spec.dnsConfig; a hostNetwork pod keeps the host's unless ClusterFirstWithHostNet. */
export function podDns(pod: Pod, clusterDomain = CLUSTER_DOMAIN): PodDns {
  const policy = pod.spec?.dnsPolicy ?? 'ClusterFirst';
  const host = !!pod.spec?.hostNetwork;
  // Docker refuses DNS settings in the host's network namespace, whatever the policy
  if (host) return {};
  const cfg = pod.spec?.dnsConfig;
  let search: string[] = [];
  let options: string[] = [];
  if (policy === 'ClusterFirst' || policy === 'ClusterFirstWithHostNet') {
    const ns = pod.metadata?.namespace ?? 'default';
    search = [`${ns}.svc.${clusterDomain}`, `svc.${clusterDomain}`, clusterDomain];
    options = ['ndots:5'];
  } else if (policy === 'Default' && !cfg) {
    return {};
  }
  for (const s of cfg?.searches ?? []) if (!search.includes(s)) search.push(s);
  // an option named again replaces the earlier one, as upstream's mergeDNSOptions
  for (const o of cfg?.options ?? []) {
    if (!o.name) continue;
    options = options.filter((x) => x.split(':')[0] !== o.name);
    options.push(o.value !== undefined ? `${o.name}:${o.value}` : o.name);
  }
  return {
    ...(search.length ? { search } : {}),
    ...(options.length ? { options } : {}),
    ...(cfg?.nameservers?.length ? { servers: cfg.nameservers } : {}),
  };
}

/**
 * The names other pods resolve to this pod, as upstream's cluster DNS gives them: `<hostname>.<subdomain>.<ns>.svc.<domain>`
 * when spec.subdomain is set (a headless Service of that name), else none: a bare pod name would resolve from every namespace.
 */
export function podDnsAliases(pod: Pod, clusterDomain = CLUSTER_DOMAIN): string[] {
  const sub = pod.spec?.subdomain;
  if (!sub || pod.spec?.hostNetwork) return [];
  const host = pod.spec?.hostname ?? pod.metadata?.name ?? '';
  return host ? [`${host}.${sub}.${pod.metadata?.namespace ?? 'default'}.svc.${clusterDomain}`] : [];
}
