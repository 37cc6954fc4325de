// The ports a user can forward: a pod template's container ports, or a Service's ports.
import type { PodSpec, Service } from 'kubernetes-types/core/v1';

export interface ForwardablePort {
  /** number, or the port's name */
  port: number | string;
  label: string;
}

/** Container ports of a pod spec (a Pod's, or a Deployment's template's): `80/TCP (http, nginx)`. */
export function containerPorts(spec: PodSpec | undefined): ForwardablePort[] {
  const out: ForwardablePort[] = [];
  for (const c of spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if ((p.protocol ?? 'TCP') !== 'TCP' || out.some((x) => x.port === p.containerPort)) continue;
      out.push({ port: p.containerPort, label: `${p.containerPort}${p.name ? ` (${p.name}, ${c.name})` : ` (${c.name})`}` });
    }
  }
  return out;
}

/** A Service's TCP ports, as `kubectl port-forward svc/x LOCAL:PORT` names them: `80 → 8080`. */
export function serviceForwardPorts(svc: Service | undefined): ForwardablePort[] {
  return (svc?.spec?.ports ?? [])
    .filter((p) => (p.protocol ?? 'TCP') === 'TCP')
    .map((p) => ({ port: p.port, label: `${p.port}${p.name ? ` (${p.name})` : ''} → ${p.targetPort ?? p.port}` }));
}
