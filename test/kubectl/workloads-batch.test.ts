// DaemonSets, Jobs and namespace deletion with kubectl against `kubelab serve` on two real engines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labSteps, startServe, type Serve } from '../fixtures/serve';
import { contexts, images, missingEnvHint, node2Available } from '../fixtures/env';

let lab: Serve;

const { eventually, kubectl, json } = labSteps(() => lab, { kubectlTimeoutMs: 100_000 });

beforeAll(async () => {
  if (!node2Available()) throw new Error(`the second engine does not answer: ${missingEnvHint}`);
  lab = await startServe({ nodes: [contexts.main, contexts.node2], timeoutMs: 90_000 });
  await eventually(
    async () =>
      (await json<{ items: any[] }>('get', 'nodes')).items.filter((n) => n.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True'))
        .length === 2,
    60_000,
    'two Ready nodes',
  );
}, 150_000);

afterAll(async () => {
  await lab?.stop();
}, 60_000);

describe('DaemonSet, Job and namespace with kubectl', () => {
  it('a DaemonSet runs one pod on each of the two engines', async () => {
    const manifest = `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  selector:
    matchLabels: {app: agent}
  template:
    metadata:
      labels: {app: agent}
    spec:
      containers:
      - name: agent
        image: ${images.busybox}
        imagePullPolicy: IfNotPresent
        command: ["sleep", "3600"]
`;
    await lab.kubectl(['apply', '-f', '-'], { input: manifest });
    const pods = await eventually(
      async () => {
        const items = (await json<{ items: any[] }>('get', 'pods', '-l', 'app=agent')).items.filter((p) => p.status?.phase === 'Running');
        return items.length === 2 && items;
      },
      90_000,
      'two running daemon pods',
    );
    expect(pods.map((p) => p.spec.nodeName).sort()).toEqual([contexts.main, contexts.node2].sort());
    await eventually(async () => (await json('get', 'daemonset', 'agent')).status?.numberReady === 2, 30_000, 'numberReady 2');
    const out = await kubectl('get', 'ds', 'agent');
    expect(out).toMatch(/^agent\s+2\s+2\s+2\s+2\s+2\s+/m);
    await kubectl('delete', 'ds', 'agent');
    await eventually(async () => (await json<{ items: any[] }>('get', 'pods', '-l', 'app=agent')).items.length === 0, 60_000, 'daemon pods gone');
  });

  it('kubectl create job completes and `kubectl wait --for=condition=complete` returns', async () => {
    // a tagged image (not :latest) defaults to imagePullPolicy IfNotPresent: the engines are offline
    await kubectl('create', 'job', 'hello', `--image=${images.nginx}`, '--', 'sh', '-c', 'echo hello from the job');
    const waited = await lab.kubectl(['wait', '--for=condition=complete', 'job/hello', '--timeout=90s'], { timeoutMs: 100_000 });
    expect(waited.code).toBe(0);
    expect(waited.stdout).toContain('job.batch/hello condition met');
    const job = await json('get', 'job', 'hello');
    expect(job.status.succeeded).toBe(1);
    expect(job.status.completionTime).toBeTruthy();
    expect(await kubectl('get', 'job', 'hello')).toMatch(/^hello\s+Complete\s+1\/1\s+/m);
  });

  it('a Job whose pods fail ends Failed with BackoffLimitExceeded', async () => {
    const manifest = `apiVersion: batch/v1
kind: Job
metadata:
  name: doomed
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: fail
        image: ${images.busybox}
        imagePullPolicy: IfNotPresent
        command: ["sh", "-c", "exit 3"]
`;
    await lab.kubectl(['apply', '-f', '-'], { input: manifest });
    const waited = await lab.kubectl(['wait', '--for=condition=failed', 'job/doomed', '--timeout=90s'], { timeoutMs: 100_000 });
    expect(waited.code).toBe(0);
    const job = await json('get', 'job', 'doomed');
    expect(job.status.conditions.find((c: any) => c.type === 'Failed')).toMatchObject({ status: 'True', reason: 'BackoffLimitExceeded' });
  });

  it('deleting a namespace deletes what is in it, Terminating meanwhile', async () => {
    await kubectl('create', 'namespace', 'scratch');
    await eventually(
      async () => (await json<{ items: any[] }>('get', 'serviceaccounts', '-n', 'scratch')).items.some((s) => s.metadata.name === 'default'),
      30_000,
      'default ServiceAccount',
    );
    await kubectl('create', 'deployment', 'web', `--image=${images.nginx}`, '-n', 'scratch');
    await kubectl('create', 'configmap', 'settings', '-n', 'scratch', '--from-literal=a=1');
    await eventually(
      async () => (await json<{ items: any[] }>('get', 'pods', '-n', 'scratch')).items.some((p) => p.status?.phase === 'Running'),
      60_000,
      'a running pod',
    );
    const del = await lab.kubectl(['delete', 'namespace', 'scratch', '--wait=false']);
    expect(del.code).toBe(0);
    expect((await json('get', 'namespace', 'scratch')).status.phase).toBe('Terminating');
    await eventually(async () => (await lab.kubectl(['get', 'namespace', 'scratch'])).stderr.includes('not found'), 90_000, 'namespace gone');
  });
});
