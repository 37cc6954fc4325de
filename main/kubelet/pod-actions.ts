// computePodActions, as upstream's kuberuntime manager: from a pod's spec and what the runtime has for it,
// decide one step: create a sandbox, which init container runs next, which containers to start, kill or remove.
import type { Container, Pod } from 'kubernetes-types/core/v1';
import type { ContainerStatus, SandboxStatus } from '../runtime/types';

export interface PodRuntimeState {
  /** every sandbox of this pod on the node */
  sandboxes: SandboxStatus[];
  /** every container instance of this pod on the node (init and regular, all restarts) */
  containers: ContainerStatus[];
}

export interface ActionContext {
  /** ms since epoch */
  now: number;
  /** container id -> why it must be restarted (failed liveness or startup probe) */
  unhealthy?: Map<string, string>;
  /** ms until which a crashed container must wait before its restart (CrashLoopBackOff), if any */
  backoffUntil?: (name: string, last: ContainerStatus) => number | undefined;
  /** the kubelet's own record of a container's last restartCount, for instances removed behind its back */
  lastRestartCount?: (name: string) => number | undefined;
  /** the kubelet's own record of the pod's last sandbox attempt (the sandbox itself may be gone) */
  lastSandboxAttempt?: number;
}

export interface StartAction {
  name: string;
  restartCount: number;
  /** why: `new`, `restart` (exited), `unhealthy`, `changed` */
  reason: 'new' | 'restart' | 'unhealthy' | 'changed';
  /** a created-but-never-started instance to start instead of creating one */
  existingId?: string;
}

export interface KillAction {
  id: string;
  name: string;
  reason: string;
  message: string;
}

export interface PodActions {
  createSandbox: boolean;
  /** attempt number for the new sandbox */
  sandboxAttempt: number;
  /** the sandbox containers join */
  sandboxId?: string;
  sandboxesToKill: string[];
  /** the pod had a sandbox that died or vanished: upstream's SandboxChanged */
  sandboxChanged: boolean;
  initContainerToStart?: StartAction;
  /** an init container failed and restartPolicy is Never: the pod fails */
  initFailed?: { name: string; exitCode: number };
  /** init containers are all done (exited 0) */
  initialized: boolean;
  containersToStart: StartAction[];
  containersToKill: KillAction[];
  /** containers that must restart but are in back-off: name -> until (ms) */
  backOff: Array<{ name: string; until: number; init: boolean }>;
  /** old exited instances beyond the latest two (the previous one is kept for `logs --previous`) */
  containersToRemove: string[];
}

/** The newest instance of a container, by restartCount then creation time. */
export function latestInstances(containers: ContainerStatus[], name: string): ContainerStatus[] {
  return containers.filter((c) => c.name === name).sort((a, b) => b.restartCount - a.restartCount || b.createdAt.localeCompare(a.createdAt));
}

function latestSandbox(sandboxes: SandboxStatus[]): SandboxStatus | undefined {
  return [...sandboxes].sort((a, b) => b.attempt - a.attempt || b.createdAt.localeCompare(a.createdAt))[0];
}

function shouldRestart(pod: Pod, exitCode: number | undefined): boolean {
  const policy = pod.spec?.restartPolicy ?? 'Always';
  if (policy === 'Always') return true;
  if (policy === 'OnFailure') return exitCode !== 0;
  return false;
}

/** A container with no instance: new, or recreated after its instance vanished (restartCount from the kubelet's record). */
function startMissing(name: string, ctx: ActionContext): StartAction {
  const last = ctx.lastRestartCount?.(name);
  return last === undefined ? { name, restartCount: 0, reason: 'new' } : { name, restartCount: last + 1, reason: 'restart' };
}

export function computePodActions(pod: Pod, state: PodRuntimeState, ctx: ActionContext): PodActions {
  const spec = pod.spec!;
  const unhealthy = ctx.unhealthy ?? new Map<string, string>();
  const actions: PodActions = {
    createSandbox: false,
    sandboxAttempt: 0,
    sandboxesToKill: [],
    sandboxChanged: false,
    initialized: false,
    containersToStart: [],
    containersToKill: [],
    backOff: [],
    containersToRemove: [],
  };
  const initSpecs: Container[] = spec.initContainers ?? [];
  const specs: Container[] = spec.containers ?? [];

  // Keep the latest and the previous instance of each container; older exited ones go.
  for (const c of [...initSpecs, ...specs]) {
    const all = latestInstances(state.containers, c.name);
    for (const old of all.slice(2)) if (old.state === 'exited' || old.state === 'created') actions.containersToRemove.push(old.id);
  }
  // Instances of containers the spec no longer names are killed and removed.
  const known = new Set([...initSpecs, ...specs].map((c) => c.name));
  for (const c of state.containers) {
    if (known.has(c.name)) continue;
    if (c.state === 'running')
      actions.containersToKill.push({ id: c.id, name: c.name, reason: 'Killing', message: `Container ${c.name} is not in the pod spec` });
    else actions.containersToRemove.push(c.id);
  }

  const sandbox = latestSandbox(state.sandboxes);
  for (const s of state.sandboxes) if (s !== sandbox && s.state === 'ready') actions.sandboxesToKill.push(s.id);

  const policy = spec.restartPolicy ?? 'Always';
  const anyCreated = state.containers.length > 0;
  if (!sandbox || sandbox.state !== 'ready' || !sandbox.ip) {
    // A pod that never restarts and already ran keeps its dead sandbox: nothing is recreated.
    const finished = policy === 'Never' && anyCreated && !state.containers.some((c) => c.state === 'running');
    if (!finished) {
      const previous = sandbox?.attempt ?? ctx.lastSandboxAttempt;
      actions.createSandbox = true;
      actions.sandboxAttempt = previous === undefined ? 0 : Math.max(previous, ctx.lastSandboxAttempt ?? 0) + 1;
      // a sandbox existed (seen now, recorded, or implied by containers): it changed under the pod
      actions.sandboxChanged = previous !== undefined || anyCreated;
      if (sandbox) actions.sandboxesToKill.push(sandbox.id);
      // containers in the old sandbox's namespaces lose their network: stop them
      for (const c of state.containers) {
        if (c.state === 'running' || c.state === 'unknown')
          actions.containersToKill.push({ id: c.id, name: c.name, reason: 'Killing', message: `Stopping container ${c.name}` });
      }
    }
    return actions;
  }
  actions.sandboxId = sandbox.id;

  // Init containers: one at a time, in order, each must exit 0.
  for (const c of initSpecs) {
    const [last] = latestInstances(state.containers, c.name);
    if (!last) {
      actions.initContainerToStart = startMissing(c.name, ctx);
      return actions;
    }
    // a new sandbox runs the init containers again, as upstream
    if (last.sandboxId && last.sandboxId !== sandbox.id && last.state !== 'running') {
      actions.initContainerToStart = { name: c.name, restartCount: last.restartCount + 1, reason: 'restart' };
      return actions;
    }
    if (last.state === 'created') {
      actions.initContainerToStart = { name: c.name, restartCount: last.restartCount, reason: 'new', existingId: last.id };
      return actions;
    }
    if (last.state === 'running' || last.state === 'unknown') return actions; // still initializing
    if (last.exitCode === 0) continue;
    if (policy === 'Never') {
      actions.initFailed = { name: c.name, exitCode: last.exitCode ?? 1 };
      return actions;
    }
    const until = ctx.backoffUntil?.(c.name, last);
    if (until !== undefined && until > ctx.now) actions.backOff.push({ name: c.name, until, init: true });
    else actions.initContainerToStart = { name: c.name, restartCount: last.restartCount + 1, reason: 'restart' };
    return actions;
  }
  actions.initialized = true;

  for (const c of specs) {
    const [last] = latestInstances(state.containers, c.name);
    if (!last) {
      actions.containersToStart.push(startMissing(c.name, ctx));
      continue;
    }
    if (last.state === 'created') {
      actions.containersToStart.push({ name: c.name, restartCount: last.restartCount, reason: 'new', existingId: last.id });
      continue;
    }
    let restartReason: StartAction['reason'] | undefined;
    if (last.state === 'running' || last.state === 'unknown') {
      const why = unhealthy.get(last.id);
      const imageChanged = c.image !== undefined && last.image !== c.image;
      if (!why && !imageChanged && last.state === 'running') continue;
      const message = why ?? (imageChanged ? `Container ${c.name} definition changed, will be restarted` : `Container ${c.name} is in an unknown state`);
      actions.containersToKill.push({ id: last.id, name: c.name, reason: 'Killing', message });
      // a liveness kill is a failure: restarted unless the policy is Never
      if (imageChanged || policy !== 'Never') restartReason = imageChanged ? 'changed' : 'unhealthy';
      else continue;
    } else if (shouldRestart(pod, last.exitCode)) {
      restartReason = 'restart';
    } else {
      continue;
    }
    const until = restartReason === 'changed' ? undefined : ctx.backoffUntil?.(c.name, last);
    if (until !== undefined && until > ctx.now) actions.backOff.push({ name: c.name, until, init: false });
    else actions.containersToStart.push({ name: c.name, restartCount: last.restartCount + 1, reason: restartReason });
  }
  return actions;
}

/** True when computePodActions has nothing to do. */
export function isSteady(a: PodActions): boolean {
  return (
    !a.createSandbox &&
    !a.initContainerToStart &&
    a.containersToStart.length === 0 &&
    a.containersToKill.length === 0 &&
    a.sandboxesToKill.length === 0 &&
    a.containersToRemove.length === 0
  );
}
