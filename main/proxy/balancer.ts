// Which endpoint a new connection goes to: round robin over the ready addresses of one Service port.
import type { Endpoints, ServicePort } from 'kubernetes-types/core/v1';

export interface Backend {
  ip: string;
  port: number;
  nodeName?: string;
  pod?: { namespace?: string; name?: string; uid?: string };
}

/** The ready backends for a Service port: the Endpoints port with the same name (or the only one). */
export function backendsFor(ep: Endpoints | undefined, sp: ServicePort): Backend[] {
  const out: Backend[] = [];
  for (const s of ep?.subsets ?? []) {
    const ports = s.ports ?? [];
    const p =
      ports.find((x) => (x.name ?? '') === (sp.name ?? '') && (x.protocol ?? 'TCP') === (sp.protocol ?? 'TCP')) ??
      (ports.length === 1 && !sp.name ? ports[0] : undefined);
    if (!p) continue;
    for (const a of s.addresses ?? [])
      out.push({
        ip: a.ip,
        port: p.port,
        nodeName: a.nodeName,
        pod: a.targetRef ? { namespace: a.targetRef.namespace, name: a.targetRef.name, uid: a.targetRef.uid } : undefined,
      });
  }
  return out;
}

export class RoundRobin {
  private next = 0;
  pick(backends: Backend[]): Backend | undefined {
    if (backends.length === 0) return undefined;
    const b = backends[this.next % backends.length];
    this.next = (this.next + 1) % Number.MAX_SAFE_INTEGER;
    return b;
  }
}
