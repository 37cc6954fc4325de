// Controllers own what their selector picks (upstream's ControllerRefManager), seen through kubectl: an orphan pod
// matching a DaemonSet or a Job is adopted (it counts, so no second pod is made), and a pod relabelled away is
// released (and replaced). One virtual node: ownership is the point, not the containers.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labSteps, startServe, type Serve } from '../fixtures/serve';

let lab: Serve;
const { kubectl, json } = labSteps(() => lab, { kubectlTimeoutMs: 60_000 });
const watches = new Set<ChildProcess>();

beforeAll(async () => {
  lab = await startServe({ env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock', DOCKER_CONTEXT: '' } });
}, 120_000);

afterAll(async () => {
  for (const w of watches) w.kill();
  expect(await lab?.stop()).toBe(0);
}, 60_000);

/** `kubectl get ... -w -o jsonpath=TEMPLATE`: resolves with the first printed line that satisfies the predicate. */
function watchLines(args: string[], template: string) {
  const child = spawn('/usr/bin/kubectl', ['get', ...args, '-w', '-o', `jsonpath=${template}{"\\n"}`], { env: { ...process.env, KUBECONFIG: lab.kubeconfig } });
  watches.add(child);
  let buf = '';
  const seen: string[] = [];
  const waiting = new Set<() => void>();
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    const lines = buf.split('\n');
    buf = lines.pop()!;
    seen.push(...lines);
    for (const w of waiting) w();
  });
  let from = 0;
  return {
    until(pred: (line: string) => boolean, what: string, timeoutMs = 30_000): Promise<string> {
      return new Promise((resolve, reject) => {
        const check = () => {
          for (; from < seen.length; from++) {
            if (pred(seen[from])) {
              waiting.delete(check);
              clearTimeout(timer);
              resolve(seen[from++]);
              return;
            }
          }
        };
        const timer = setTimeout(() => {
          waiting.delete(check);
          reject(new Error(`timed out waiting for ${what}; the watch printed:\n${seen.join('\n')}`));
        }, timeoutMs);
        waiting.add(check);
        check();
      });
    },
    stop() {
      child.kill();
      watches.delete(child);
    },
  };
}

const owner = '{.metadata.name} {.metadata.labels.app}{.metadata.labels.task} owner={.metadata.ownerReferences[*].kind}/{.metadata.ownerReferences[*].name}';

describe('adoption and release with kubectl', () => {
  it('a DaemonSet adopts a matching orphan pod on its node and releases it when relabelled', { timeout: 120_000 }, async () => {
    await kubectl('run', 'stray', '--image=busybox', '--restart=Never', '--labels=app=agent', '--', 'sleep', '3600');
    await kubectl('wait', '--for=condition=PodScheduled', 'pod/stray', '--timeout=30s');
    const pods = watchLines(['pods', '-l', 'app in (agent,debug)'], owner);
    // OnDelete: the adopted pod (without the DaemonSet's revision hash) is kept, not rolled
    const r = await lab.kubectl(['apply', '-f', '-'], {
      input: `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  updateStrategy: {type: OnDelete}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers: [{name: agent, image: busybox, command: [sleep, "3600"]}]
`,
    });
    expect(r.code, r.stderr).toBe(0);
    await pods.until((l) => l === 'stray agent owner=DaemonSet/agent', 'stray adopted by the DaemonSet');
    await kubectl('wait', '--for=jsonpath={.status.currentNumberScheduled}=1', 'ds/agent', '--timeout=30s');
    // the adopted pod fills the node: no daemon pod of its own was made
    expect((await json<{ items: Array<{ metadata: { name: string } }> }>('get', 'pods', '-l', 'app=agent')).items.map((p) => p.metadata.name)).toEqual([
      'stray',
    ]);

    await kubectl('label', 'pod', 'stray', 'app=debug', '--overwrite');
    await pods.until((l) => l === 'stray debug owner=/', 'stray released');
    const replacement = await pods.until((l) => /^agent-\w+ agent owner=DaemonSet\/agent$/.test(l), 'a daemon pod replacing it');
    pods.stop();
    expect(replacement).toMatch(/^agent-/);
    await kubectl('delete', 'ds', 'agent');
    await kubectl('delete', 'pod', 'stray', '--grace-period=0', '--force');
  });

  it('a Job with manualSelector adopts a matching orphan (it counts as active) and releases it when relabelled', { timeout: 120_000 }, async () => {
    await kubectl('run', 'stray-task', '--image=busybox', '--restart=Never', '--labels=task=batch', '--', 'sleep', '3600');
    const pods = watchLines(['pods', '-l', 'task in (batch,done)'], owner);
    const r = await lab.kubectl(['apply', '-f', '-'], {
      input: `apiVersion: batch/v1
kind: Job
metadata: {name: work}
spec:
  manualSelector: true
  selector: {matchLabels: {task: batch}}
  parallelism: 1
  completions: 1
  template:
    metadata: {labels: {task: batch}}
    spec:
      restartPolicy: Never
      containers: [{name: work, image: busybox, command: [sleep, "3600"]}]
`,
    });
    expect(r.code, r.stderr).toBe(0);
    await pods.until((l) => l === 'stray-task batch owner=Job/work', 'stray-task adopted by the Job');
    await kubectl('wait', '--for=jsonpath={.status.active}=1', 'job/work', '--timeout=30s');
    expect((await json<{ items: Array<{ metadata: { name: string } }> }>('get', 'pods', '-l', 'task=batch')).items.map((p) => p.metadata.name)).toEqual([
      'stray-task',
    ]);

    await kubectl('label', 'pod', 'stray-task', 'task=done', '--overwrite');
    await pods.until((l) => l === 'stray-task done owner=/', 'stray-task released');
    await pods.until((l) => /^work-\w+ batch owner=Job\/work$/.test(l), 'a pod of the Job replacing it');
    pods.stop();
    await kubectl('delete', 'job', 'work', '--cascade=foreground');
    await kubectl('delete', 'pod', 'stray-task', '--grace-period=0', '--force');
  });
});
