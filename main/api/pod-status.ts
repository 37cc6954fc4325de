// The READY / STATUS / RESTARTS cells exactly as kubectl's printer (pkg/printers/internalversion printPod)
// computes them. Pure and free of node imports: the API server's Table and the UI both use it.
type Obj = Record<string, any>;

/** upstream's duration.HumanDuration, used for AGE columns */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.floor(hours / 24) % 365;
    return dy === 0 ? `${Math.floor(hours / 24 / 365)}y` : `${Math.floor(hours / 24 / 365)}y${dy}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

/** upstream's translateTimestampSince: `<unknown>` when unset */
export function age(timestamp: string | undefined | null, now: Date = new Date()): string {
  if (!timestamp) return '<unknown>';
  const t = Date.parse(timestamp);
  if (Number.isNaN(t)) return '<unknown>';
  return humanDuration(now.getTime() - t);
}

export interface PodStatusCells {
  /** `1/2` */
  ready: string;
  /** `Running`, `ContainerCreating`, `Init:0/1`, `CrashLoopBackOff`, `Terminating`, ... */
  status: string;
  /** `0`, or `3 (2m ago)` */
  restarts: string;
  readyCount: number;
  totalCount: number;
  restartCount: number;
}

const isRestartableInit = (c: Obj | undefined) => c?.restartPolicy === 'Always';
const terminalPhase = (p: string | undefined) => p === 'Succeeded' || p === 'Failed';

export function podStatusCells(pod: Obj, now: Date = new Date()): PodStatusCells {
  const spec = pod.spec ?? {};
  const status = pod.status ?? {};
  let restarts = 0;
  let restartableInitRestarts = 0;
  let totalContainers = (spec.containers ?? []).length;
  let readyContainers = 0;
  let lastRestart = 0;
  let lastRestartableInitRestart = 0;
  const podPhase: string = status.phase ?? '';
  let reason: string = status.reason || podPhase;

  for (const c of status.conditions ?? []) {
    if (c.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }

  const initContainers = new Map<string, Obj>();
  for (const c of spec.initContainers ?? []) {
    initContainers.set(c.name, c);
    if (isRestartableInit(c)) totalContainers++;
  }
  const finishedAt = (cs: Obj) => {
    const t = cs.lastState?.terminated?.finishedAt;
    return t ? Date.parse(t) || 0 : 0;
  };

  let initializing = false;
  const initStatuses: Obj[] = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const c = initStatuses[i];
    restarts += c.restartCount ?? 0;
    lastRestart = Math.max(lastRestart, finishedAt(c));
    const restartable = isRestartableInit(initContainers.get(c.name));
    if (restartable) {
      restartableInitRestarts += c.restartCount ?? 0;
      lastRestartableInitRestart = Math.max(lastRestartableInitRestart, finishedAt(c));
    }
    const term = c.state?.terminated;
    const wait = c.state?.waiting;
    if (term && (term.exitCode ?? 0) === 0) continue;
    if (restartable && c.started) {
      if (c.ready) readyContainers++;
      continue;
    }
    if (term) {
      if (!term.reason) reason = term.signal ? `Init:Signal:${term.signal}` : `Init:ExitCode:${term.exitCode}`;
      else reason = `Init:${term.reason}`;
    } else if (wait?.reason && wait.reason !== 'PodInitializing') {
      reason = `Init:${wait.reason}`;
    } else {
      reason = `Init:${i}/${(spec.initContainers ?? []).length}`;
    }
    initializing = true;
    break;
  }

  const initializedTrue = (status.conditions ?? []).some((c: Obj) => c.type === 'Initialized' && c.status === 'True');
  if (!initializing || initializedTrue) {
    restarts = restartableInitRestarts;
    lastRestart = lastRestartableInitRestart;
    let hasRunning = false;
    const statuses: Obj[] = status.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i];
      restarts += c.restartCount ?? 0;
      lastRestart = Math.max(lastRestart, finishedAt(c));
      const wait = c.state?.waiting;
      const term = c.state?.terminated;
      if (wait?.reason) reason = wait.reason;
      else if (term?.reason) reason = term.reason;
      else if (term) reason = term.signal ? `Signal:${term.signal}` : `ExitCode:${term.exitCode}`;
      else if (c.ready && c.state?.running) {
        hasRunning = true;
        readyContainers++;
      }
    }
    if (reason === 'Completed' && hasRunning) {
      const podReady = (status.conditions ?? []).some((c: Obj) => c.type === 'Ready' && c.status === 'True');
      reason = podReady ? 'Running' : 'NotReady';
    }
  }

  if (pod.metadata?.deletionTimestamp && status.reason === 'NodeLost') reason = 'Unknown';
  else if (pod.metadata?.deletionTimestamp && !terminalPhase(podPhase)) reason = 'Terminating';

  let restartsStr = String(restarts);
  if (restarts !== 0 && lastRestart > 0) restartsStr = `${restarts} (${humanDuration(now.getTime() - lastRestart)} ago)`;

  return {
    ready: `${readyContainers}/${totalContainers}`,
    status: reason,
    restarts: restartsStr,
    readyCount: readyContainers,
    totalCount: totalContainers,
    restartCount: restarts,
  };
}

/** The -o wide cells: IP, NODE, NOMINATED NODE, READINESS GATES. */
export function podWideCells(pod: Obj): [string, string, string, string] {
  const ip = pod.status?.podIPs?.[0]?.ip || pod.status?.podIP || '<none>';
  const node = pod.spec?.nodeName || '<none>';
  const nominated = pod.status?.nominatedNodeName || '<none>';
  const gates: Obj[] = pod.spec?.readinessGates ?? [];
  let readiness = '<none>';
  if (gates.length) {
    let ok = 0;
    for (const g of gates) {
      const c = (pod.status?.conditions ?? []).find((x: Obj) => x.type === g.conditionType);
      if (c?.status === 'True') ok++;
    }
    readiness = `${ok}/${gates.length}`;
  }
  return [ip, node, nominated, readiness];
}
