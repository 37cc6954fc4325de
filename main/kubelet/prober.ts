// The prober: one worker per container and probe type, with upstream's timing fields; results
// feed readiness, startup and the restart of unhealthy containers. Summaries (not every probe) go to the trace.
import type { Container, Pod, Probe } from 'kubernetes-types/core/v1';
import type { ContainerRuntime, ProbeAction } from '../runtime/types';

export type ProbeType = 'startup' | 'liveness' | 'readiness';

export interface ProbeEvents {
  /** a verdict changed: the pod needs a sync */
  changed(pod: Pod): void;
  /** each failure, for the Unhealthy event */
  failed(pod: Pod, container: Container, type: ProbeType, message: string): void;
  /** first success, and the liveness/startup verdict that the container must restart */
  summary(pod: Pod, container: Container, type: ProbeType, outcome: 'first-success' | 'threshold-failed', failures: number, message?: string): void;
}

/** The probe's action with named ports resolved against the container's ports. */
export function probeAction(probe: Probe, container: Container): ProbeAction | undefined {
  const port = (p: number | string | undefined) => {
    if (typeof p === 'number') return p;
    const named = container.ports?.find((x) => x.name === p);
    return named?.containerPort ?? Number(p);
  };
  if (probe.exec) return { exec: { command: probe.exec.command ?? [] } };
  if (probe.httpGet) {
    return {
      httpGet: {
        host: probe.httpGet.host,
        port: port(probe.httpGet.port as number | string),
        path: probe.httpGet.path,
        scheme: probe.httpGet.scheme as 'HTTP' | 'HTTPS' | undefined,
        headers: probe.httpGet.httpHeaders,
      },
    };
  }
  if (probe.tcpSocket) return { tcpSocket: { host: probe.tcpSocket.host, port: port(probe.tcpSocket.port as number | string) } };
  if (probe.grpc) return { grpc: { port: probe.grpc.port, service: probe.grpc.service ?? undefined } };
  return undefined;
}

interface Worker {
  timer?: NodeJS.Timeout;
  stopped: boolean;
  successes: number;
  failures: number;
  totalFailures: number;
  everSucceeded: boolean;
}

export class ProbeManager {
  private workers = new Map<string, Worker>();
  /** container id -> ready */
  private readiness = new Map<string, boolean>();
  /** container id -> startup passed */
  private startup = new Map<string, boolean>();
  /** container id -> why it must restart */
  readonly unhealthy = new Map<string, string>();

  constructor(
    private readonly runtime: ContainerRuntime,
    private readonly events: ProbeEvents,
    private readonly timeScale = 1,
  ) {}

  isReady(id: string, spec: Container): boolean {
    if (!spec.readinessProbe) return this.isStarted(id, spec);
    return this.readiness.get(id) === true;
  }

  isStarted(id: string, spec: Container): boolean {
    if (!spec.startupProbe) return true;
    return this.startup.get(id) === true;
  }

  /** Start workers for a running container (idempotent). */
  ensure(pod: Pod, container: Container, id: string, startedAt: string | undefined, podIP: string | undefined): void {
    for (const type of ['startup', 'liveness', 'readiness'] as ProbeType[]) {
      const probe = container[`${type}Probe` as const];
      if (!probe) continue;
      const key = `${id}/${type}`;
      if (this.workers.has(key)) continue;
      const w: Worker = { stopped: false, successes: 0, failures: 0, totalFailures: 0, everSucceeded: false };
      this.workers.set(key, w);
      const started = startedAt ? new Date(startedAt).getTime() : Date.now();
      const initial = Math.max(0, started + (probe.initialDelaySeconds ?? 0) * 1000 - Date.now());
      this.schedule(w, initial, () => this.run(w, pod, container, id, type, probe, podIP));
    }
  }

  private schedule(w: Worker, ms: number, fn: () => Promise<void>): void {
    if (w.stopped) return;
    w.timer = setTimeout(() => void fn(), ms * this.timeScale);
    w.timer.unref?.();
  }

  private async run(w: Worker, pod: Pod, container: Container, id: string, type: ProbeType, probe: Probe, podIP?: string): Promise<void> {
    if (w.stopped) return;
    const period = (probe.periodSeconds ?? 10) * 1000;
    // liveness and readiness wait for the startup probe
    if (type !== 'startup' && container.startupProbe && !this.startup.get(id)) {
      this.schedule(w, period, () => this.run(w, pod, container, id, type, probe, podIP));
      return;
    }
    const action = probeAction(probe, container);
    const res = action ? await this.runtime.probe(id, podIP, action, (probe.timeoutSeconds ?? 1) * 1000) : { ok: true };
    if (w.stopped) return;
    const successThreshold = type === 'readiness' ? (probe.successThreshold ?? 1) : 1;
    const failureThreshold = probe.failureThreshold ?? 3;
    if (res.ok) {
      w.successes++;
      w.failures = 0;
      if (!w.everSucceeded) {
        w.everSucceeded = true;
        this.events.summary(pod, container, type, 'first-success', w.totalFailures);
      }
      if (w.successes >= successThreshold) this.set(pod, id, type, true);
    } else {
      w.failures++;
      w.totalFailures++;
      w.successes = 0;
      const msg = res.message ?? 'probe failed';
      this.events.failed(pod, container, type, msg);
      if (w.failures >= failureThreshold) {
        if (type === 'readiness') this.set(pod, id, type, false);
        else {
          const label = type === 'liveness' ? 'liveness' : 'startup';
          this.unhealthy.set(id, `Container ${container.name} failed ${label} probe, will be restarted`);
          this.events.summary(pod, container, type, 'threshold-failed', w.totalFailures, msg);
          this.stopContainer(id);
          this.events.changed(pod);
          return;
        }
      }
    }
    // a startup probe is done once it passed
    if (type === 'startup' && this.startup.get(id)) return;
    this.schedule(w, period, () => this.run(w, pod, container, id, type, probe, podIP));
  }

  private set(pod: Pod, id: string, type: ProbeType, ok: boolean): void {
    const map = type === 'readiness' ? this.readiness : type === 'startup' ? this.startup : undefined;
    if (!map) return;
    if (map.get(id) === ok) return;
    map.set(id, ok);
    this.events.changed(pod);
  }

  /** Stop the workers of a container (it exited or was removed). */
  stopContainer(id: string): void {
    for (const [key, w] of this.workers) {
      if (!key.startsWith(`${id}/`)) continue;
      w.stopped = true;
      clearTimeout(w.timer);
      this.workers.delete(key);
    }
  }

  /** Forget a container entirely. */
  forget(id: string): void {
    this.stopContainer(id);
    this.readiness.delete(id);
    this.startup.delete(id);
    this.unhealthy.delete(id);
  }

  stopAll(): void {
    for (const w of this.workers.values()) {
      w.stopped = true;
      clearTimeout(w.timer);
    }
    this.workers.clear();
  }
}
