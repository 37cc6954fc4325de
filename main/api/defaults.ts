// Defaulting as upstream's pkg/apis/core/v1/defaults.go, shared by pods and every pod template.
import { compareQuantity, isQuantity } from './quantity';

type Obj = Record<string, any>;

/** The cluster's DNS domain, as upstream kubelet's default --cluster-domain. */
export const CLUSTER_DOMAIN = 'cluster.local';

/** `Always` for `:latest` or no tag, else `IfNotPresent` (a digest counts as pinned). */
export function defaultPullPolicy(image: string | undefined): string {
  if (!image) return 'IfNotPresent';
  if (image.includes('@')) return 'IfNotPresent';
  const lastSlash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  const tag = colon > lastSlash ? image.slice(colon + 1) : '';
  return tag === '' || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

const setIfAbsent = (o: Obj, k: string, v: unknown) => {
  if (o[k] === undefined || o[k] === null || o[k] === '') o[k] = v;
};

function defaultProbe(p: Obj | undefined) {
  if (!p) return;
  setIfAbsent(p, 'timeoutSeconds', 1);
  setIfAbsent(p, 'periodSeconds', 10);
  setIfAbsent(p, 'successThreshold', 1);
  setIfAbsent(p, 'failureThreshold', 3);
  defaultHandler(p);
}

function defaultHandler(h: Obj | undefined) {
  if (h?.httpGet) {
    setIfAbsent(h.httpGet, 'path', '/');
    setIfAbsent(h.httpGet, 'scheme', 'HTTP');
  }
}

function defaultFieldRefs(items: Obj[] | undefined) {
  for (const it of items ?? []) if (it.fieldRef) setIfAbsent(it.fieldRef, 'apiVersion', 'v1');
}

function defaultContainer(c: Obj, hostNetwork: boolean) {
  setIfAbsent(c, 'imagePullPolicy', defaultPullPolicy(c.image));
  setIfAbsent(c, 'terminationMessagePath', '/dev/termination-log');
  setIfAbsent(c, 'terminationMessagePolicy', 'File');
  for (const p of c.ports ?? []) {
    setIfAbsent(p, 'protocol', 'TCP');
    if (hostNetwork && !p.hostPort) p.hostPort = p.containerPort;
  }
  for (const e of c.env ?? []) if (e.valueFrom?.fieldRef) setIfAbsent(e.valueFrom.fieldRef, 'apiVersion', 'v1');
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  defaultHandler(c.lifecycle?.postStart);
  defaultHandler(c.lifecycle?.preStop);
  // Limits without requests: requests default to the limits.
  if (c.resources?.limits) {
    c.resources.requests ??= {};
    for (const [k, v] of Object.entries(c.resources.limits)) if (c.resources.requests[k] === undefined) c.resources.requests[k] = v;
  }
  c.resources ??= {};
}

/** Pod spec defaults, in place. */
export function defaultPodSpec(spec: Obj | undefined): void {
  if (!spec) return;
  setIfAbsent(spec, 'restartPolicy', 'Always');
  setIfAbsent(spec, 'dnsPolicy', 'ClusterFirst');
  setIfAbsent(spec, 'terminationGracePeriodSeconds', 30);
  setIfAbsent(spec, 'schedulerName', 'default-scheduler');
  spec.securityContext ??= {};
  if (spec.enableServiceLinks === undefined) spec.enableServiceLinks = true;
  if (spec.serviceAccountName && !spec.serviceAccount) spec.serviceAccount = spec.serviceAccountName;
  if (spec.serviceAccount && !spec.serviceAccountName) spec.serviceAccountName = spec.serviceAccount;
  if (spec.hostNetwork && spec.dnsPolicy === undefined) spec.dnsPolicy = 'ClusterFirst';
  for (const c of spec.initContainers ?? []) defaultContainer(c, !!spec.hostNetwork);
  for (const c of spec.containers ?? []) defaultContainer(c, !!spec.hostNetwork);
  for (const v of spec.volumes ?? []) {
    if (v.secret) setIfAbsent(v.secret, 'defaultMode', 420);
    if (v.configMap) setIfAbsent(v.configMap, 'defaultMode', 420);
    if (v.downwardAPI) {
      setIfAbsent(v.downwardAPI, 'defaultMode', 420);
      defaultFieldRefs(v.downwardAPI.items);
    }
    if (v.projected) {
      setIfAbsent(v.projected, 'defaultMode', 420);
      for (const src of v.projected.sources ?? []) {
        defaultFieldRefs(src.downwardAPI?.items);
        if (src.serviceAccountToken) setIfAbsent(src.serviceAccountToken, 'expirationSeconds', 3600);
      }
    }
    if (v.hostPath) setIfAbsent(v.hostPath, 'type', '');
  }
  for (const t of spec.tolerations ?? []) if (t.operator === undefined && t.key) t.operator = 'Equal';
}

/** Pod QoS class as upstream's qos.GetPodQOS: Guaranteed, Burstable or BestEffort. */
export function podQOSClass(spec: Obj | undefined): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const containers: Obj[] = [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];
  let any = false;
  let guaranteed = true;
  for (const c of containers) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    const nonZero = (q: unknown) => q !== undefined && isQuantity(q) && compareQuantity(q as string, 0) !== 0;
    if (['cpu', 'memory'].some((r) => nonZero(req[r]) || nonZero(lim[r]))) any = true;
    for (const r of ['cpu', 'memory']) {
      if (!nonZero(lim[r])) guaranteed = false;
      else if (req[r] !== undefined && isQuantity(req[r]) && compareQuantity(req[r], lim[r]) !== 0) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
