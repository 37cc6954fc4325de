// Reading a Pod for the views: containers (init first), their states in words, image pull progress, ports.
import type { KubeObject } from '../../main/api/object';

type Obj = Record<string, any>;

export function podContainers(pod: KubeObject | undefined): { name: string; init?: boolean }[] {
  const spec = (pod as Obj | undefined)?.spec ?? {};
  return [
    ...(spec.initContainers ?? []).map((c: Obj) => ({ name: c.name, init: true })),
    ...(spec.containers ?? []).map((c: Obj) => ({ name: c.name })),
  ];
}

/** `Running since 12:01:02`, `Waiting: ContainerCreating`, `Terminated: Completed (exit 0)` */
export function stateText(cs: Obj | undefined): { text: string; tone: 'ok' | 'warn' | 'err' | 'neutral' } {
  const s = cs?.state ?? {};
  if (s.running) return { text: 'Running', tone: 'ok' };
  if (s.waiting) return { text: `Waiting: ${s.waiting.reason ?? ''}`, tone: /Err|BackOff|Invalid/.test(s.waiting.reason ?? '') ? 'err' : 'warn' };
  if (s.terminated) {
    const r = s.terminated.reason ?? (s.terminated.exitCode === 0 ? 'Completed' : 'Error');
    return { text: `Terminated: ${r} (exit ${s.terminated.exitCode})`, tone: s.terminated.exitCode === 0 ? 'neutral' : 'err' };
  }
  return { text: 'Waiting', tone: 'neutral' };
}

/** Published host ports of a pod: hostPort on the node's address (127.0.0.1 for a local engine). */
export function hostPorts(pod: KubeObject | undefined): { port: number; url: string }[] {
  const p = pod as Obj | undefined;
  const host = p?.status?.hostIP && p.status.hostIP !== '' ? p.status.hostIP : '127.0.0.1';
  const out: { port: number; url: string }[] = [];
  for (const c of p?.spec?.containers ?? []) for (const port of c.ports ?? []) if (port.hostPort) out.push({ port: port.hostPort, url: `http://${host}:${port.hostPort}/` });
  return out;
}

/** The image pull progress the kubelet/runtime report in trace steps (pull-image with layers), newest per image. */
export function pullProgress(steps: Obj[]): { image: string; layers: { id: string; status: string; current?: number; total?: number }[]; done: boolean }[] {
  const byImage = new Map<string, { image: string; layers: { id: string; status: string; current?: number; total?: number }[]; done: boolean }>();
  for (const s of steps) {
    if (!/pull/i.test(s.action ?? '')) continue;
    const d = s.details ?? {};
    const image = d.image ?? s.message ?? '';
    const layers = Array.isArray(d.layers) ? d.layers.map((l: Obj) => ({ id: String(l.id ?? l.digest ?? ''), status: String(l.status ?? ''), current: l.current ?? l.bytes, total: l.total ?? l.size })) : [];
    byImage.set(image, { image, layers, done: s.outcome !== 'pending' });
  }
  return [...byImage.values()];
}
