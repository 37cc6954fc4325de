// Reading a Pod for the views: containers (init first), their states in words, image pull progress, ports.
import type { ContainerStatus, Pod } from 'kubernetes-types/core/v1';

export function podContainers(pod: Pod | undefined): { name: string; init?: boolean }[] {
  const spec = pod?.spec;
  return [...(spec?.initContainers ?? []).map((c) => ({ name: c.name, init: true })), ...(spec?.containers ?? []).map((c) => ({ name: c.name }))];
}

/** `Running since 12:01:02`, `Waiting: ContainerCreating`, `Terminated: Completed (exit 0)` */
export function stateText(cs: ContainerStatus | undefined): { text: string; tone: 'ok' | 'warn' | 'err' | 'neutral' } {
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
export function hostPorts(pod: Pod | undefined): { port: number; url: string }[] {
  const p = pod;
  const host = p?.status?.hostIP && p.status.hostIP !== '' ? p.status.hostIP : '127.0.0.1';
  const out: { port: number; url: string }[] = [];
  for (const c of p?.spec?.containers ?? [])
    for (const port of c.ports ?? []) if (port.hostPort) out.push({ port: port.hostPort, url: `http://${host}:${port.hostPort}/` });
  return out;
}

/** What the kubelet's pull-image step records in its details (free-form JSON; each field checked where read). */
interface PullDetails {
  image?: string;
  layers?: { id?: unknown; status?: unknown; current?: number; total?: number }[];
  sizeBytes?: number;
  durationMs?: number;
}

export interface PullLayerView {
  id: string;
  status: string;
  current?: number;
  total?: number;
}
export interface ImagePullView {
  image: string;
  /** Pulling: live from the node; Pulled / Present / Failed: the kubelet's pull-image trace step */
  state: 'Pulling' | 'Pulled' | 'Present' | 'Failed';
  layers: PullLayerView[];
  sizeBytes?: number;
  durationMs?: number;
  message?: string;
}

/**
 * Each image of the pod as the user should see it: a pull in progress on its node (per layer, live),
 * else the newest pull-image step the kubelet recorded. In container order, init containers first.
 */
export function imagePulls(
  pod: Pod | undefined,
  steps: { action: string; outcome?: string; message?: string; details?: Record<string, unknown> }[],
  live: { node: string; image: string; layers: PullLayerView[] }[],
): ImagePullView[] {
  const spec = pod?.spec;
  const images = [...new Set([...(spec?.initContainers ?? []), ...(spec?.containers ?? [])].map((c) => c.image).filter((x): x is string => !!x))];
  const out: ImagePullView[] = [];
  for (const image of images) {
    const now = spec?.nodeName ? live.find((x) => x.node === spec.nodeName && x.image === image) : undefined;
    if (now) {
      out.push({ image, state: 'Pulling', layers: now.layers.map((l) => ({ ...l })) });
      continue;
    }
    const step = [...steps].reverse().find((s) => s.action === 'pull-image' && (s.details?.image ?? '') === image);
    if (!step) continue;
    const d = (step.details ?? {}) as PullDetails;
    const state = step.outcome === 'success' ? 'Pulled' : step.outcome === 'skipped' ? 'Present' : step.outcome === 'failure' ? 'Failed' : 'Pulling';
    const layers = Array.isArray(d.layers)
      ? d.layers.map((l) => ({ id: String(l.id ?? ''), status: String(l.status ?? ''), current: l.current, total: l.total }))
      : [];
    out.push({ image, state, layers, sizeBytes: d.sizeBytes, durationMs: d.durationMs, message: step.message });
  }
  return out;
}

/** `Downloading 3.1 MB / 8.4 MB` as docker pull prints it, or the bare status. */
export function layerText(l: PullLayerView): string {
  if (l.total && l.current !== undefined && /Downloading|Extracting/.test(l.status)) return `${l.status} ${bytes(l.current)} / ${bytes(l.total)}`;
  return l.status;
}

/** Share of a layer done, 0..100: downloading counts to 50, extracting to 100, as the two halves of a pull. */
export function layerPercent(l: PullLayerView): number {
  const frac = l.total ? Math.min(1, (l.current ?? 0) / l.total) : 0;
  if (/Pull complete|Already exists/.test(l.status)) return 100;
  if (/Extracting/.test(l.status)) return 50 + 50 * frac;
  if (/Download complete|Verifying/.test(l.status)) return 50;
  if (/Downloading/.test(l.status)) return 50 * frac;
  return 0;
}

export function bytes(n: number): string {
  if (n < 1000) return `${n} B`;
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} kB`;
  if (n < 1e9) return `${(n / 1e6).toFixed(1)} MB`;
  return `${(n / 1e9).toFixed(2)} GB`;
}
