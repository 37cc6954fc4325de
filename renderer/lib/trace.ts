// Reading a PodTrace: lanes, durations, and the scheduler's verdicts in words. Pure, for tests and views.
import type { Event, Pod } from 'kubernetes-types/core/v1';
import type { TraceComponent, TraceStep } from '../../main/trace/types';

export const LANES: TraceComponent[] = ['client', 'apiserver', 'store', 'controller-manager', 'scheduler', 'kubelet', 'runtime', 'proxy'];

export interface LaidStep extends TraceStep {
  index: number;
  t0: number;
  t1: number;
  /** percent of the whole flow */
  left: number;
  width: number;
}

export function layoutSteps(steps: TraceStep[], nowMs = Date.now()): { steps: LaidStep[]; startMs: number; endMs: number } {
  const times = steps.map((s) => Date.parse(s.start)).filter((x) => !Number.isNaN(x));
  if (!times.length) return { steps: [], startMs: 0, endMs: 0 };
  const startMs = Math.min(...times);
  const ends = steps.map((s) => (s.end ? Date.parse(s.end) : s.outcome === 'pending' ? nowMs : Date.parse(s.start)));
  const endMs = Math.max(startMs + 1, ...ends.filter((x) => !Number.isNaN(x)));
  const span = endMs - startMs;
  return {
    startMs,
    endMs,
    steps: steps.map((s, index) => {
      const t0 = Date.parse(s.start);
      const t1 = Math.max(t0, ends[index]);
      return { ...s, index, t0, t1, left: ((t0 - startMs) / span) * 100, width: Math.max(((t1 - t0) / span) * 100, 0) };
    }),
  };
}

export function formatMs(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  return `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
}

/** A scheduler step's details: JSON whose shapes differ by step and version (arrays or maps); each field is checked where read. */
interface ScoreRow {
  node?: string;
  nodeName?: string;
  plugin: string;
  score?: number;
  weighted?: number;
  normalized?: number;
  total?: number;
  plugins?: Record<string, unknown>;
}
interface FilterRow {
  node?: string;
  nodeName?: string;
  plugin: string;
  ok?: boolean;
  feasible?: boolean;
  passed?: boolean;
  code?: string;
  reason?: string;
  message?: string;
  explain?: string;
  reasons?: string[];
  scores?: ScoreRow[];
  total?: unknown;
}
type FilterVerdict = string | string[] | { ok?: boolean; reason?: string; reasons?: string[] } | undefined;
interface SchedulerDetails {
  filters?: FilterRow[] | Record<string, FilterVerdict>;
  nodes?: FilterRow[] | Record<string, FilterVerdict>;
  verdicts?: FilterRow[] | Record<string, FilterVerdict>;
  scores?: ScoreRow[] | Record<string, unknown>;
  chosen?: unknown;
  node?: unknown;
  nodeName?: unknown;
  selected?: unknown;
}

/** Per node: filter verdicts and scores, from the scheduler's steps' details (shape tolerant: arrays or maps). */
export interface NodeVerdict {
  node: string;
  ok: boolean;
  reasons: string[];
  plugins: Record<string, { verdict?: string; score?: number }>;
  total?: number;
  chosen?: boolean;
}

export function schedulerTable(steps: TraceStep[]): NodeVerdict[] {
  const nodes = new Map<string, NodeVerdict>();
  const get = (n: string) => {
    let v = nodes.get(n);
    if (!v) nodes.set(n, (v = { node: n, ok: true, reasons: [], plugins: {} }));
    return v;
  };
  for (const s of steps) {
    if (s.component !== 'scheduler') continue;
    const d = (s.details ?? {}) as SchedulerDetails;
    const filters = d.filters ?? d.nodes ?? d.verdicts;
    if (Array.isArray(filters)) {
      for (const f of filters) {
        const n = f.node ?? f.nodeName;
        if (!n) continue;
        const v = get(n);
        if (f.plugin) v.plugins[f.plugin] = { ...v.plugins[f.plugin], verdict: f.ok === false || f.code ? (f.reason ?? f.message ?? 'rejected') : 'ok' };
        const failed =
          f.feasible === false ||
          f.ok === false ||
          f.passed === false ||
          (f.code && f.code !== 'Success') ||
          (f.reasons?.length ?? 0) > 0 ||
          (f.reason && f.ok !== true);
        if (failed) {
          v.ok = false;
          // the scheduler's own words first ("didn't match the node selector disktype=ssd"), then upstream's reasons
          for (const r of [f.explain, ...(f.reasons ?? [f.reason ?? f.message])]) if (r && !v.reasons.includes(r)) v.reasons.push(r);
        }
        // SchedulingDetails rows: scores per plugin and the weighted total
        if (Array.isArray(f.scores))
          for (const sc of f.scores) v.plugins[sc.plugin] = { ...v.plugins[sc.plugin], score: sc.weighted ?? sc.normalized ?? sc.score };
        if (typeof f.total === 'number') v.total = f.total;
      }
    } else if (filters && typeof filters === 'object') {
      for (const [n, r] of Object.entries(filters)) {
        const v = get(n);
        const reasons: string[] = Array.isArray(r) ? r : typeof r === 'string' ? [r] : (r?.reasons ?? (r?.reason ? [r.reason] : []));
        if (reasons.length && !(r && typeof r === 'object' && !Array.isArray(r) && r.ok === true)) {
          v.ok = false;
          v.reasons.push(...reasons.filter((x) => x && x !== 'ok'));
        }
      }
    }
    const scores = d.scores;
    if (Array.isArray(scores)) {
      for (const sc of scores) {
        const n = sc.node ?? sc.nodeName;
        if (!n) continue;
        const v = get(n);
        if (sc.plugin) v.plugins[sc.plugin] = { ...v.plugins[sc.plugin], score: sc.score };
        if (sc.total !== undefined) v.total = sc.total;
        if (sc.plugins && typeof sc.plugins === 'object') for (const [p, x] of Object.entries(sc.plugins)) v.plugins[p] = { ...v.plugins[p], score: Number(x) };
      }
    } else if (scores && typeof scores === 'object') {
      for (const [n, x] of Object.entries(scores)) {
        const v = get(n);
        if (typeof x === 'number') v.total = x;
        else if (x && typeof x === 'object') {
          for (const [p, sc] of Object.entries(x)) {
            if (p === 'total') v.total = Number(sc);
            else v.plugins[p] = { ...v.plugins[p], score: Number(sc) };
          }
        }
      }
    }
    const chosen = d.chosen ?? (s.action === 'bind' || s.action === 'select' || s.action === 'select-node' ? (d.node ?? d.nodeName ?? d.selected) : undefined);
    if (typeof chosen === 'string') get(chosen).chosen = true;
  }
  for (const v of nodes.values())
    if (v.total === undefined) {
      const scores = Object.values(v.plugins)
        .map((p) => p.score)
        .filter((x): x is number => typeof x === 'number');
      if (scores.length) v.total = scores.reduce((a, b) => a + b, 0);
    }
  return [...nodes.values()].sort((a, b) => Number(b.ok) - Number(a.ok) || (b.total ?? 0) - (a.total ?? 0) || a.node.localeCompare(b.node));
}

/** "Why is my pod Pending?": the scheduler's last word, per node, plus the FailedScheduling message. */
export function pendingReasons(
  steps: TraceStep[],
  events: Pick<Event, 'reason' | 'message'>[],
): { summary?: string; nodes: { node: string; reason: string }[] } {
  const failed = [...events].reverse().find((e) => e.reason === 'FailedScheduling');
  const table = schedulerTable(steps);
  return {
    summary: failed?.message ?? [...steps].reverse().find((s) => s.component === 'scheduler' && s.outcome === 'failure')?.message,
    nodes: table.filter((v) => !v.ok).map((v) => ({ node: v.node, reason: v.reasons.join('; ') || 'rejected' })),
  };
}

const componentOfSource = (src: string): TraceStep['component'] =>
  /scheduler/.test(src)
    ? 'scheduler'
    : /kubelet/.test(src)
      ? 'kubelet'
      : /controller/.test(src)
        ? 'controller-manager'
        : /proxy/.test(src)
          ? 'proxy'
          : 'apiserver';

/**
 * A pod's flow on a cluster that keeps no trace (any cluster but the lab): rebuilt from what every cluster records,
 * its creation, its events (Scheduled, Pulling, Pulled, Created, Started, Killing, ...) and its conditions'
 * transitions, each in the lane of the component that reported it. Coarser than the lab's trace: no admission,
 * no store, no scheduler table.
 */
export function stepsFromEvents(pod: Pod | undefined, events: Event[]): TraceStep[] {
  if (!pod) return [];
  const steps: TraceStep[] = [];
  const created = pod.metadata?.creationTimestamp;
  if (created) steps.push({ component: 'apiserver', action: 'create', start: created, outcome: 'success', message: `Pod ${pod.metadata?.name} created` });
  for (const e of events) {
    const at = e.eventTime ?? e.firstTimestamp ?? e.lastTimestamp ?? e.metadata?.creationTimestamp;
    if (!at) continue;
    const src = String(e.source?.component ?? e.reportingComponent ?? '');
    steps.push({
      component: componentOfSource(src),
      action: e.reason ?? 'event',
      start: at,
      outcome: e.type === 'Warning' ? 'failure' : 'success',
      message: `${e.message ?? ''}${(e.count ?? 1) > 1 ? ` (×${e.count})` : ''}`,
      details: { source: src, event: true },
    });
  }
  const byCondition: Record<string, TraceStep['component']> = { PodScheduled: 'scheduler' };
  for (const c of pod.status?.conditions ?? []) {
    if (!c.lastTransitionTime) continue;
    steps.push({
      component: byCondition[c.type] ?? 'kubelet',
      action: `condition:${c.type}`,
      start: c.lastTransitionTime,
      outcome: c.status === 'True' ? 'success' : c.status === 'False' ? 'pending' : 'info',
      message: `${c.type}=${c.status}${c.reason ? ` (${c.reason})` : ''}${c.message ? `: ${c.message}` : ''}`,
    });
  }
  return steps.sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
}
