// The pod's status as upstream's kubelet reports it: container statuses from the runtime, the phase
// (getPhase) and the conditions, all pure functions of what the runtime and the probes say.
import type { Container, ContainerStatus as K8sContainerStatus, Pod, PodCondition, PodStatus } from 'kubernetes-types/core/v1';
import type { ContainerStatus, SandboxStatus } from '../runtime/types';
import { latestInstances } from './pod-actions';
import { podMessageBudget, truncateUtf8 } from './termination-message';

export interface WaitingReason {
  reason: string;
  message?: string;
}

export interface StatusInput {
  pod: Pod;
  /** the pod's current sandbox */
  sandbox?: SandboxStatus;
  /** every container instance of the pod */
  containers: ContainerStatus[];
  /** why a container is not running, by container name (ErrImagePull, CrashLoopBackOff, ...) */
  waiting?: Map<string, WaitingReason>;
  /** readiness probe verdict by container id; a container without a readiness probe is ready once running */
  ready?: (containerId: string, spec: Container) => boolean;
  /** startup probe verdict by container id; true without a startup probe */
  started?: (containerId: string, spec: Container) => boolean;
  /** termination messages by container id */
  terminationMessages?: Map<string, string>;
  hostIP?: string;
  /** RFC 3339 */
  now: string;
}

const isoSeconds = (t: string | undefined) => (t ? new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z') : undefined);

function terminatedOf(c: ContainerStatus, message?: string): K8sContainerStatus['state'] {
  return {
    terminated: {
      exitCode: c.exitCode ?? 0,
      reason: c.reason ?? (c.exitCode === 0 ? 'Completed' : 'Error'),
      ...(message ? { message } : {}),
      startedAt: isoSeconds(c.startedAt),
      finishedAt: isoSeconds(c.finishedAt),
      containerID: `docker://${c.id}`,
    },
  };
}

function containerStatusOf(spec: Container, input: StatusInput, init: boolean, defaultWaiting: string): K8sContainerStatus {
  const [last, prev] = latestInstances(input.containers, spec.name);
  const waiting = input.waiting?.get(spec.name);
  const budget = podMessageBudget((input.pod.spec?.containers?.length ?? 0) + (input.pod.spec?.initContainers?.length ?? 0));
  const msg = (c?: ContainerStatus) => {
    const m = c ? input.terminationMessages?.get(c.id) || c.message : undefined;
    return m ? truncateUtf8(m, budget) : undefined;
  };
  if (!last) {
    return {
      name: spec.name,
      state: { waiting: { reason: waiting?.reason ?? defaultWaiting, ...(waiting?.message ? { message: waiting.message } : {}) } },
      lastState: {},
      ready: false,
      restartCount: 0,
      image: spec.image ?? '',
      imageID: '',
      started: false,
    };
  }
  const base = {
    name: spec.name,
    image: spec.image ?? last.image,
    imageID: last.imageID,
    containerID: `docker://${last.id}`,
    restartCount: last.restartCount,
  };
  if (last.state === 'running') {
    const started = input.started ? input.started(last.id, spec) : true;
    const ready = !init && started && (input.ready ? input.ready(last.id, spec) : true);
    return {
      ...base,
      state: { running: { startedAt: isoSeconds(last.startedAt) } },
      lastState: prev && prev.state === 'exited' ? terminatedOf(prev, msg(prev)) : {},
      ready,
      started,
    };
  }
  if (last.state === 'exited') {
    if (waiting) {
      return {
        ...base,
        state: { waiting: { reason: waiting.reason, ...(waiting.message ? { message: waiting.message } : {}) } },
        lastState: terminatedOf(last, msg(last)),
        ready: false,
        started: false,
      };
    }
    return {
      ...base,
      state: terminatedOf(last, msg(last)),
      lastState: prev && prev.state === 'exited' ? terminatedOf(prev, msg(prev)) : {},
      ready: init && last.exitCode === 0 ? true : false,
      started: false,
    };
  }
  return {
    ...base,
    state: { waiting: { reason: waiting?.reason ?? defaultWaiting, ...(waiting?.message ? { message: waiting.message } : {}) } },
    lastState: prev && prev.state === 'exited' ? terminatedOf(prev, msg(prev)) : {},
    ready: false,
    started: false,
  };
}

/** upstream's getPhase */
export function getPhase(pod: Pod, initStatuses: K8sContainerStatus[], statuses: K8sContainerStatus[]): string {
  const policy = pod.spec?.restartPolicy ?? 'Always';
  let pendingInit = 0;
  let failedInit = 0;
  for (const s of initStatuses) {
    if (s.state?.terminated) {
      if (s.state.terminated.exitCode === 0) continue;
      failedInit++;
    } else if (s.state?.waiting && s.lastState?.terminated && s.lastState.terminated.exitCode !== 0) {
      failedInit++;
    } else {
      pendingInit++;
    }
  }
  if (failedInit > 0 && policy === 'Never') return 'Failed';
  if (pendingInit + failedInit > 0) return 'Pending';

  let waiting = 0;
  let running = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const s of statuses) {
    if (s.state?.running) running++;
    else if (s.state?.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state?.waiting) {
      if (s.lastState?.terminated) {
        stopped++;
        if (s.lastState.terminated.exitCode === 0) succeeded++;
      } else waiting++;
    } else waiting++;
  }
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

/** Guaranteed, Burstable or BestEffort, from requests and limits. */
export function qosClass(pod: Pod): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const all = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  let any = false;
  let guaranteed = true;
  for (const c of all) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    for (const r of ['cpu', 'memory']) {
      const l = lim[r];
      const q = req[r] ?? l;
      if (q !== undefined || l !== undefined) any = true;
      if (l === undefined || String(q) !== String(l)) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

function condition(type: string, ok: boolean, now: string, previous: PodCondition[] | undefined, reason?: string, message?: string): PodCondition {
  const status = ok ? 'True' : 'False';
  const prev = previous?.find((c) => c.type === type);
  return {
    type,
    status,
    lastTransitionTime: prev && prev.status === status && prev.lastTransitionTime ? prev.lastTransitionTime : isoSeconds(now),
    ...(ok || !reason ? {} : { reason }),
    ...(ok || !message ? {} : { message }),
  };
}

/** The whole status the kubelet writes through pods/status. */
export function generatePodStatus(input: StatusInput): PodStatus {
  const { pod, now } = input;
  const spec = pod.spec!;
  const prevStatus = pod.status ?? {};
  const inits = spec.initContainers ?? [];
  const initStatuses = inits.map((c) => containerStatusOf(c, input, true, 'PodInitializing'));
  const initDone = initStatuses.every((s) => s.state?.terminated?.exitCode === 0);
  const containerStatuses = (spec.containers ?? []).map((c) =>
    containerStatusOf(c, input, false, inits.length > 0 && !initDone ? 'PodInitializing' : 'ContainerCreating'),
  );
  let phase = getPhase(pod, initStatuses, containerStatuses);
  // a terminal phase never changes back
  if (prevStatus.phase === 'Succeeded' || prevStatus.phase === 'Failed') phase = prevStatus.phase;

  const prev = prevStatus.conditions;
  const notReady = containerStatuses.filter((s) => !s.ready).map((s) => s.name);
  const incomplete = initStatuses.filter((s) => s.state?.terminated?.exitCode !== 0).map((s) => s.name);
  const sandboxReady = !!input.sandbox && input.sandbox.state === 'ready' && !!input.sandbox.ip;
  const terminal = phase === 'Succeeded' || phase === 'Failed';
  const gates = (spec.readinessGates ?? []).map((g) => g.conditionType);
  const gatesOk = gates.every((t) => prev?.find((c) => c.type === t)?.status === 'True');
  const containersReady = notReady.length === 0;
  const readyReason = terminal ? 'PodCompleted' : containersReady ? 'ReadinessGatesNotReady' : 'ContainersNotReady';
  const readyMessage = terminal
    ? undefined
    : containersReady
      ? 'the status of pod readiness gates is not "True"'
      : `containers with unready status: [${notReady.join(' ')}]`;

  const conditions: PodCondition[] = [
    condition('PodReadyToStartContainers', sandboxReady && !terminal, now, prev),
    condition('Initialized', incomplete.length === 0, now, prev, 'ContainersNotInitialized', `containers with incomplete status: [${incomplete.join(' ')}]`),
    condition('Ready', !terminal && containersReady && gatesOk, now, prev, readyReason, readyMessage),
    condition(
      'ContainersReady',
      !terminal && containersReady,
      now,
      prev,
      terminal ? 'PodCompleted' : 'ContainersNotReady',
      terminal ? undefined : readyMessage,
    ),
  ];
  const scheduled = prev?.find((c) => c.type === 'PodScheduled');
  conditions.push(scheduled ?? condition('PodScheduled', true, now, prev));
  // keep conditions others own (readiness gates, DisruptionTarget)
  for (const c of prev ?? []) if (!conditions.some((x) => x.type === c.type)) conditions.push(c);

  const ip = input.sandbox?.ip ?? prevStatus.podIP;
  const status: PodStatus = {
    phase,
    conditions,
    hostIP: input.hostIP ?? prevStatus.hostIP,
    ...(input.hostIP ? { hostIPs: [{ ip: input.hostIP }] } : {}),
    ...(ip ? { podIP: ip, podIPs: [{ ip }] } : {}),
    startTime: prevStatus.startTime ?? isoSeconds(now),
    ...(inits.length ? { initContainerStatuses: initStatuses } : {}),
    containerStatuses,
    qosClass: qosClass(pod),
  };
  return status;
}

/** What `kubectl get pods` shows in STATUS, for the trace and logs (kubectl computes its own). */
export function displayStatus(pod: Pod, status: PodStatus): string {
  const inits = status.initContainerStatuses ?? [];
  for (let i = 0; i < inits.length; i++) {
    const s = inits[i];
    if (s.state?.terminated?.exitCode === 0) continue;
    if (s.state?.terminated) return `Init:${s.state.terminated.reason ?? 'Error'}`;
    if (s.state?.waiting && s.state.waiting.reason !== 'PodInitializing') return `Init:${s.state.waiting.reason}`;
    return `Init:${i}/${inits.length}`;
  }
  let reason = status.phase ?? 'Pending';
  for (const s of status.containerStatuses ?? []) {
    if (s.state?.waiting?.reason) reason = s.state.waiting.reason;
    else if (s.state?.terminated) reason = s.state.terminated.reason ?? 'Error';
  }
  if (pod.metadata?.deletionTimestamp) return 'Terminating';
  return reason;
}
