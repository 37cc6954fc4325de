// A Service's ports as `kubectl get svc` prints them, and where a NodePort opens on this machine.
import type { Endpoints, Service } from 'kubernetes-types/core/v1';

export interface ServicePortView {
  name?: string;
  port: number;
  targetPort: string;
  nodePort?: number;
  protocol: string;
  /** kubectl's PORT(S) cell for this port: `80:30080/TCP` */
  text: string;
  /** the lab's NodePort proxy listens on 127.0.0.1 (main/proxy) */
  url?: string;
}

export function servicePorts(svc: Service | undefined): ServicePortView[] {
  return (svc?.spec?.ports ?? []).map((p): ServicePortView => {
    const protocol = p.protocol ?? 'TCP';
    const nodePort = p.nodePort ? Number(p.nodePort) : undefined;
    return {
      name: p.name,
      port: p.port,
      targetPort: String(p.targetPort ?? p.port),
      nodePort,
      protocol,
      text: `${p.port}${nodePort ? `:${nodePort}` : ''}/${protocol}`,
      url: nodePort && protocol === 'TCP' ? `http://127.0.0.1:${nodePort}/` : undefined,
    };
  });
}

/** The PORT(S) column: every port, comma-separated, or <none>. */
export const servicePortsText = (svc: Service | undefined): string =>
  servicePorts(svc)
    .map((p) => p.text)
    .join(',') || '<none>';

export interface EndpointView {
  ip: string;
  pod?: string;
  node?: string;
  ready: boolean;
}

/** The addresses behind a Service, ready first, from its Endpoints object. */
export function endpointAddresses(ep: Endpoints | undefined): EndpointView[] {
  const out: EndpointView[] = [];
  for (const s of ep?.subsets ?? []) {
    for (const a of s.addresses ?? []) out.push({ ip: a.ip, pod: a.targetRef?.name, node: a.nodeName, ready: true });
    for (const a of s.notReadyAddresses ?? []) out.push({ ip: a.ip, pod: a.targetRef?.name, node: a.nodeName, ready: false });
  }
  return out;
}
