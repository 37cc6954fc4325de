// Pod facts controllers decide on: readiness, availability, activeness, as upstream's podutil.
import type { Pod } from 'kubernetes-types/core/v1';

export function isPodReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** Ready for at least minReadySeconds (upstream podutil.IsPodAvailable). */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: Date): boolean {
  if (!isPodReady(pod)) return false;
  if (minReadySeconds <= 0) return true;
  const c = pod.status?.conditions?.find((x) => x.type === 'Ready');
  if (!c?.lastTransitionTime) return false;
  return new Date(c.lastTransitionTime).getTime() + minReadySeconds * 1000 <= now.getTime();
}

/** Counts toward replicas: not finished and not being deleted (controller.FilterActivePods). */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata?.deletionTimestamp;
}

/** Seconds until a ready pod becomes available, or undefined if it never will by waiting alone. */
export function secondsUntilAvailable(pod: Pod, minReadySeconds: number, now: Date): number | undefined {
  if (!isPodReady(pod) || minReadySeconds <= 0) return undefined;
  const c = pod.status?.conditions?.find((x) => x.type === 'Ready');
  if (!c?.lastTransitionTime) return undefined;
  const left = new Date(c.lastTransitionTime).getTime() + minReadySeconds * 1000 - now.getTime();
  return left > 0 ? left / 1000 : undefined;
}
