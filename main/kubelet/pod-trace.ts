// The kubelet's steps of a pod's flow, in words (the lab's part, not upstream's): kept out of the pod worker so that
// syncPod reads as upstream's numbered steps, as the scheduler keeps its trace methods apart from its cycle.
import type { Container, Pod, PodStatus } from 'kubernetes-types/core/v1';
import type { ContainerStatus, HostPortMapping, SandboxStatus } from '../runtime/types';
import { noopTracer, now, type PodRef, type Tracer, type TraceStep } from '../trace/types';
import { formatDuration } from './backoff';
import type { PreparedVolume } from './volumes';
import type { StartAction } from './pod-actions';

type Kind = 'init' | 'regular';
const initWord = (kind: Kind) => (kind === 'init' ? 'init ' : '');

export class PodFlowTrace {
  constructor(
    private readonly tracer: Tracer,
    private readonly nodeName: string,
    private readonly runtimeName: string,
  ) {}

  get enabled(): boolean {
    return this.tracer !== noopTracer;
  }

  record(pod: Pod, step: TraceStep): void {
    const ref: PodRef = { namespace: pod.metadata!.namespace ?? 'default', name: pod.metadata!.name!, uid: pod.metadata!.uid };
    this.tracer.record(ref, step);
  }

  /** a milestone recorded once per pod (kept in the pod worker's `traced` set) */
  private once(pod: Pod, traced: Set<string>, key: string, step: () => TraceStep): void {
    if (traced.has(key)) return;
    traced.add(key);
    this.record(pod, step());
  }

  /** the pod worker took up a pod the watch delivered at `seenAt` */
  observed(pod: Pod, traced: Set<string>, seenAt: number): void {
    this.once(pod, traced, 'seen', () => {
      const waited = Date.now() - seenAt;
      return {
        // starts when the watch delivered it: the flow view measures the gap from the scheduler's bind to here
        component: 'kubelet',
        action: 'observe',
        start: new Date(seenAt).toISOString(),
        end: now(),
        outcome: 'info',
        message: `kubelet on ${this.nodeName} saw the pod through its watch and its pod worker took it up ${waited < 1 ? 'at once' : `${formatDuration(waited)} later`}`,
        details: { node: this.nodeName, queuedMs: waited, runtime: this.runtimeName },
      };
    });
  }

  /** the first sync found containers of the pod already running: a restarted kubelet adopts them */
  adopted(pod: Pod, traced: Set<string>, start: string, found: ContainerStatus[]): void {
    if (!found.length) return;
    this.once(pod, traced, 'adopt', () => ({
      component: 'kubelet',
      action: 'adopt',
      start,
      end: now(),
      outcome: 'info',
      message: `kubelet on ${this.nodeName} found ${found.length} container(s) of the pod already running (${found.map((c) => c.name).join(', ')}) and adopted them, as a restarted kubelet does`,
      details: { node: this.nodeName, containers: found.map((c) => ({ name: c.name, containerID: c.id })) },
    }));
  }

  /** a probe's first success, or the failures that restart the container */
  probe(pod: Pod, container: Container, type: string, outcome: string, failures: number, message?: string): void {
    this.record(pod, {
      component: 'kubelet',
      action: `probe:${type}`,
      start: now(),
      end: now(),
      outcome: outcome === 'first-success' ? 'success' : 'failure',
      message:
        outcome === 'first-success'
          ? `${type} probe of ${container.name} succeeded${failures ? ` after ${failures} failure(s)` : ''}`
          : `${type} probe of ${container.name} failed ${failures} time(s): ${message}; the container will be restarted`,
      details: { container: container.name, type, failures },
    });
  }

  sandboxChanged(pod: Pod, attempt: number, kill: string[]): void {
    this.record(pod, {
      component: 'kubelet',
      action: 'sandbox-changed',
      start: now(),
      end: now(),
      outcome: 'info',
      message: `the pod's sandbox is gone or stopped: its containers are stopped and a new sandbox (attempt ${attempt}) is created`,
      details: { attempt, kill },
    });
  }

  initFailed(pod: Pod, traced: Set<string>, failed: { name: string; exitCode: number }): void {
    this.once(pod, traced, `init-failed:${failed.name}`, () => ({
      component: 'kubelet',
      action: 'init-container',
      start: now(),
      end: now(),
      outcome: 'failure',
      message: `init container ${failed.name} exited with ${failed.exitCode}; restartPolicy Never: the pod fails`,
      details: { container: failed.name, exitCode: failed.exitCode },
    }));
  }

  volumesReady(pod: Pod, traced: Set<string>, start: string, volumes: Map<string, PreparedVolume>): void {
    if (!volumes.size) return;
    this.once(pod, traced, 'volumes', () => ({
      component: 'kubelet',
      action: 'mount-volumes',
      start,
      end: now(),
      outcome: 'success',
      message: `${volumes.size} volume(s) ready: ${[...volumes.values()].map((v) => `${v.name} (${v.type})`).join(', ')}`,
      details: { volumes: [...volumes.values()].map((v) => ({ name: v.name, type: v.type, source: v.mount.source, readOnly: v.readOnly })) },
    }));
  }

  /** The kubelet's own admission refused the pod (upstream's sysctl allowlist): nothing runs. */
  admitRefused(pod: Pod, reason: string, message: string): void {
    const at = now();
    this.record(pod, { component: 'kubelet', action: 'admit', start: at, end: at, outcome: 'failure', message, details: { reason } });
  }

  volumesFailed(pod: Pod, start: string, message: string): void {
    this.record(pod, { component: 'kubelet', action: 'mount-volumes', start, end: now(), outcome: 'failure', message });
  }

  sandboxCreated(pod: Pod, start: string, sb: SandboxStatus, attempt: number, hostPorts: HostPortMapping[]): void {
    this.record(pod, {
      component: 'runtime',
      action: 'create-sandbox',
      start,
      end: now(),
      outcome: 'success',
      message: `sandbox (pause container) ${sb.id.slice(0, 12)} running with IP ${sb.ip ?? '?'} on network ${sb.network ?? this.runtimeName}`,
      details: { containerID: sb.id, image: sb.image, ip: sb.ip, network: sb.network, attempt, hostPorts, hostname: pod.spec?.hostname ?? pod.metadata?.name },
    });
  }

  sandboxFailed(pod: Pod, start: string, message: string): void {
    this.record(pod, { component: 'runtime', action: 'create-sandbox', start, end: now(), outcome: 'failure', message });
  }

  containerCreated(
    pod: Pod,
    kind: Kind,
    start: string,
    spec: Container,
    id: string,
    sandbox: SandboxStatus,
    a: StartAction,
    mounts: Array<{ source: string; target: string; readOnly?: boolean }>,
  ): void {
    this.record(pod, {
      component: 'runtime',
      action: kind === 'init' ? 'create-init-container' : 'create-container',
      start,
      end: now(),
      outcome: 'success',
      message: `created ${initWord(kind)}container ${spec.name} (${id.slice(0, 12)}) joining the sandbox's namespaces`,
      details: {
        container: spec.name,
        containerID: id,
        image: spec.image,
        networkMode: `container:${sandbox.id}`,
        restartCount: a.restartCount,
        mounts: mounts.map((m) => `${m.source}:${m.target}${m.readOnly ? ':ro' : ''}`),
      },
    });
  }

  containerFailed(pod: Pod, action: 'create-container' | 'start-container', start: string, spec: Container, message: string): void {
    this.record(pod, { component: 'runtime', action, start, end: now(), outcome: 'failure', message, details: { container: spec.name } });
  }

  containerStarted(pod: Pod, kind: Kind, start: string, spec: Container, id: string, a: StartAction): void {
    this.record(pod, {
      component: 'runtime',
      action: kind === 'init' ? 'start-init-container' : 'start-container',
      start,
      end: now(),
      outcome: 'success',
      message: `started ${initWord(kind)}container ${spec.name}${a.restartCount ? ` (restart ${a.restartCount}, ${a.reason})` : ''}`,
      details: { container: spec.name, containerID: id, restartCount: a.restartCount },
    });
  }

  hook(pod: Pod, which: 'PostStart' | 'PreStop', start: string, spec: Container, res: { ok: boolean; message?: string }): void {
    this.record(pod, {
      component: 'kubelet',
      action: `hook:${which}`,
      start,
      end: now(),
      outcome: res.ok ? 'success' : 'failure',
      message: `${which} hook of ${spec.name} ${res.ok ? 'succeeded' : `failed: ${res.message}`}`,
      details: { container: spec.name },
    });
  }

  terminated(pod: Pod, start: string, containers: number, grace: number): void {
    this.record(pod, {
      component: 'kubelet',
      action: 'terminate',
      start,
      end: now(),
      outcome: 'success',
      message: `stopped and removed ${containers} container(s) and the sandbox (grace ${grace}s)`,
      details: { gracePeriodSeconds: grace },
    });
  }

  exited(pod: Pod, traced: Set<string>, spec: Container, last: ContainerStatus, init: boolean): void {
    this.once(pod, traced, `exit:${last.id}`, () => ({
      component: 'runtime',
      action: init ? 'init-container-exited' : 'container-exited',
      start: last.finishedAt ?? now(),
      end: last.finishedAt ?? now(),
      outcome: last.exitCode === 0 ? 'success' : 'failure',
      message: `${init ? 'init ' : ''}container ${spec.name} exited with code ${last.exitCode}${last.reason === 'OOMKilled' ? ' (OOMKilled)' : ''}`,
      details: { container: spec.name, containerID: last.id, exitCode: last.exitCode, reason: last.reason, restartCount: last.restartCount },
    }));
  }

  ready(pod: Pod, traced: Set<string>, status: PodStatus): void {
    this.once(pod, traced, 'ready', () => ({
      component: 'kubelet',
      action: 'ready',
      start: now(),
      end: now(),
      outcome: 'success',
      message: `pod is Ready: all ${status.containerStatuses?.length ?? 0} container(s) running and ready`,
      details: { podIP: status.podIP, phase: status.phase },
    }));
  }
}
