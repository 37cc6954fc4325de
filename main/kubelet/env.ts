// A container's environment as upstream builds it: envFrom first, then env in order, each value
// with $(VAR) expanded against what came before; fieldRef and resourceFieldRef from the pod.
import type { ConfigMap, Container, Pod, Secret } from 'kubernetes-types/core/v1';
import { toMilli } from '../api/quantity';

/** Expand $(VAR) references; $$ escapes; unknown references stay as written (upstream's expansion). */
export function expandVars(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const ch = input[i];
    if (ch !== '$' || i + 1 >= input.length) {
      out += ch;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, close);
      const v = lookup(name);
      out += v ?? `$(${name})`;
      i = close;
    } else {
      out += ch;
    }
  }
  return out;
}

export interface EnvSources {
  configMap(namespace: string, name: string): Promise<ConfigMap | undefined>;
  secret(namespace: string, name: string): Promise<Secret | undefined>;
  nodeName: string;
  hostIP?: string;
  podIP?: string;
  nodeAllocatable?: { cpu?: string; memory?: string };
}

export class EnvError extends Error {}

/** The pod field a fieldRef names, as the downward API serves it. */
export function podField(pod: Pod, path: string, src: { nodeName?: string; hostIP?: string; podIP?: string }): string | undefined {
  const m = pod.metadata ?? {};
  const label = /^metadata\.labels\['(.+)'\]$/.exec(path);
  if (label) return m.labels?.[label[1]];
  const ann = /^metadata\.annotations\['(.+)'\]$/.exec(path);
  if (ann) return m.annotations?.[ann[1]];
  switch (path) {
    case 'metadata.name':
      return m.name;
    case 'metadata.namespace':
      return m.namespace;
    case 'metadata.uid':
      return m.uid;
    case 'metadata.labels':
      return Object.entries(m.labels ?? {})
        .map(([k, v]) => `${k}="${v}"`)
        .join('\n');
    case 'metadata.annotations':
      return Object.entries(m.annotations ?? {})
        .map(([k, v]) => `${k}="${v}"`)
        .join('\n');
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? src.nodeName;
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? 'default';
    case 'status.hostIP':
      return src.hostIP ?? pod.status?.hostIP;
    case 'status.hostIPs':
      return src.hostIP ?? pod.status?.hostIP;
    case 'status.podIP':
      return src.podIP ?? pod.status?.podIP;
    case 'status.podIPs':
      return src.podIP ?? pod.status?.podIP;
    default:
      return undefined;
  }
}

/** resourceFieldRef: limits fall back to the node's allocatable, as upstream. */
export function resourceField(
  container: Container | undefined,
  resource: string,
  divisor: string | undefined,
  allocatable?: { cpu?: string; memory?: string },
): string {
  const [kind, name] = resource.split('.') as ['limits' | 'requests', string];
  const q = container?.resources?.[kind]?.[name] ?? (kind === 'limits' ? allocatable?.[name as 'cpu' | 'memory'] : undefined) ?? '0';
  const value = toMilli(String(q));
  const div = toMilli(String(divisor ?? '1')) || 1000n;
  // upstream rounds up: 250m of cpu with divisor 1 is "1"
  return String((value + div - 1n) / div);
}

function decode(secret: Secret, key: string): string | undefined {
  const d = secret.data?.[key];
  if (d !== undefined) return Buffer.from(d, 'base64').toString('utf8');
  return secret.stringData?.[key];
}

/** Build a container's environment; throws EnvError with upstream's wording when a required source is missing. */
export async function buildEnv(pod: Pod, container: Container, src: EnvSources): Promise<Array<{ name: string; value: string }>> {
  const ns = pod.metadata?.namespace ?? 'default';
  const env = new Map<string, string>();
  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    if (from.configMapRef) {
      const cm = await src.configMap(ns, from.configMapRef.name ?? '');
      if (!cm) {
        if (from.configMapRef.optional) continue;
        throw new EnvError(`configmap "${from.configMapRef.name}" not found`);
      }
      for (const [k, v] of Object.entries(cm.data ?? {})) env.set(prefix + k, v);
    }
    if (from.secretRef) {
      const s = await src.secret(ns, from.secretRef.name ?? '');
      if (!s) {
        if (from.secretRef.optional) continue;
        throw new EnvError(`secret "${from.secretRef.name}" not found`);
      }
      for (const k of Object.keys({ ...(s.data ?? {}), ...(s.stringData ?? {}) })) env.set(prefix + k, decode(s, k) ?? '');
    }
  }
  for (const e of container.env ?? []) {
    if (e.value !== undefined || !e.valueFrom) {
      env.set(
        e.name,
        expandVars(e.value ?? '', (n) => env.get(n)),
      );
      continue;
    }
    const vf = e.valueFrom;
    if (vf.configMapKeyRef) {
      const ref = vf.configMapKeyRef;
      const cm = await src.configMap(ns, ref.name ?? '');
      const v = cm?.data?.[ref.key];
      if (v === undefined) {
        if (ref.optional) continue;
        throw new EnvError(cm ? `couldn't find key ${ref.key} in ConfigMap ${ns}/${ref.name}` : `configmap "${ref.name}" not found`);
      }
      env.set(e.name, v);
    } else if (vf.secretKeyRef) {
      const ref = vf.secretKeyRef;
      const s = await src.secret(ns, ref.name ?? '');
      const v = s ? decode(s, ref.key) : undefined;
      if (v === undefined) {
        if (ref.optional) continue;
        throw new EnvError(s ? `couldn't find key ${ref.key} in Secret ${ns}/${ref.name}` : `secret "${ref.name}" not found`);
      }
      env.set(e.name, v);
    } else if (vf.fieldRef) {
      env.set(e.name, podField(pod, vf.fieldRef.fieldPath, src) ?? '');
    } else if (vf.resourceFieldRef) {
      const target = pod.spec?.containers.find((c) => c.name === (vf.resourceFieldRef!.containerName || container.name)) ?? container;
      env.set(e.name, resourceField(target, vf.resourceFieldRef.resource, vf.resourceFieldRef.divisor as string | undefined, src.nodeAllocatable));
    }
  }
  return [...env].map(([name, value]) => ({ name, value }));
}
