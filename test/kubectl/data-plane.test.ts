// kubectl against a lab whose only node is an engine behind a boundary (vm1: this machine cannot route to its
// containers, as with Docker Desktop, colima or a remote context): probes, port-forward (pod/, deploy/, svc/),
// NodePorts, exec and logs all work, since the lab reaches pods only through the engine's Docker API.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import net from 'node:net';
import { kubectlPortForward, labSteps, startServe, type Serve } from '../fixtures/serve';
import { images, missingEnvHint, vm1, vm1Available } from '../fixtures/env';

let lab: Serve;
const forwards: ChildProcess[] = [];
const steps = labSteps(() => lab);
const { eventually, kubectl, json } = steps;
const nodePort = 30000 + Math.floor(Math.random() * 2700);

const manifest = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: nginx
        image: ${images.nginx}
        imagePullPolicy: Never
        ports: [{containerPort: 80}]
        readinessProbe: {httpGet: {path: /, port: 80}, periodSeconds: 1}
        livenessProbe: {tcpSocket: {port: 80}, periodSeconds: 1, failureThreshold: 1}
      - name: count
        image: ${images.busybox}
        imagePullPolicy: Never
        command: [sh, -c, 'echo counter up; exec nc -ll -p 7001 -e sh -c "wc -c"']
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 80, nodePort: ${nodePort}}]
`;

/** One raw exchange with a local port: sends `payload`, half-closes, returns all it got until the close. */
function exchange(port: number, payload: string, halfClose = false): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port });
    let got = '';
    s.setTimeout(20_000, () => s.destroy(new Error('no answer within 20 s')));
    s.on('data', (d: Buffer) => (got += d.toString('latin1')));
    s.on('end', () => resolve(got));
    s.on('error', reject);
    s.on('connect', () => (halfClose ? s.end(payload) : s.write(payload)));
  });
}
const get = (port: number) => exchange(port, 'GET / HTTP/1.0\r\nHost: web\r\n\r\n');

/** Starts `kubectl port-forward TARGET PORT...` (space-separated) and resolves once it says it is forwarding. */
const portForward = (target: string, ports: string) => kubectlPortForward(lab, steps, forwards, target, ports.split(' '));

beforeAll(async () => {
  if (!vm1Available()) throw new Error(missingEnvHint);
  lab = await startServe({ nodes: [vm1.context], args: ['--cluster-cidr', vm1.clusterCIDR], timeoutMs: 90_000 });
  const r = await lab.kubectl(['apply', '-f', '-'], { input: manifest });
  if (r.code !== 0) throw new Error(r.stderr);
  await kubectl('rollout', 'status', 'deployment/web', '--timeout=90s');
}, 180_000);

afterEach(async () => {
  for (const child of forwards.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  }
});

afterAll(async () => {
  await lab?.stop();
}, 60_000);

describe('a lab on an engine behind a boundary (vm1)', () => {
  let podName: string;
  let podIP: string;

  it('runs the pod Ready through its httpGet readiness probe, with no restart from its tcpSocket liveness probe; this machine cannot reach the pod IP', async () => {
    const pods = await json('get', 'pods', '-l', 'app=web');
    const pod = pods.items[0];
    podName = pod.metadata.name;
    podIP = pod.status.podIP;
    expect(podIP.startsWith('10.124.')).toBe(true);
    expect(pod.status.conditions.find((c: { type: string }) => c.type === 'Ready').status).toBe('True');
    expect(pod.status.containerStatuses.every((c: { restartCount: number }) => c.restartCount === 0)).toBe(true);
    const direct = await new Promise<string>((resolve) => {
      const s = net.connect({ host: podIP, port: 80 });
      const t = setTimeout(() => (s.destroy(), resolve('timeout')), 2000);
      s.on('connect', () => (clearTimeout(t), s.destroy(), resolve('connected')));
      s.on('error', (e: NodeJS.ErrnoException) => (clearTimeout(t), resolve(e.code ?? 'error')));
    });
    expect(direct).not.toBe('connected');
    // the node says how the lab reaches its pods, and why
    const described = await kubectl('describe', 'node', vm1.context);
    expect(described).toMatch(/kubelab\.io\/data-plane: api/);
  });

  it('kubectl port-forward pod/, deploy/ and svc/ serve nginx, 20 connections at once', async () => {
    await portForward(`pod/${podName}`, '18211:80');
    await portForward('deploy/web', '18212:80');
    await portForward('svc/web', '18213:80');
    for (const port of [18211, 18212, 18213]) {
      const answers = await Promise.all(Array.from({ length: 20 }, () => get(port)));
      for (const a of answers) expect(a).toContain('Welcome to nginx!');
    }
  }, 90_000);

  it('a half-closed port-forward connection still gets the answer the pod sends after EOF', async () => {
    await portForward(`pod/${podName}`, '18214:7001');
    const payload = 'x'.repeat(100_000);
    expect((await exchange(18214, payload, true)).trim()).toBe(String(payload.length));
  }, 60_000);

  it("a port nobody listens on: kubectl reports the pod side's connection refused", async () => {
    const pf = await portForward(`pod/${podName}`, '18215:9');
    await exchange(18215, 'hello').catch(() => '');
    await eventually(async () => /connection refused/.test(pf.output()), 20_000, "the refused dial in kubectl's output");
    expect(pf.output()).toMatch(
      new RegExp(`error forwarding port 9 to pod default/${podName}.*dial tcp ${podIP.replace(/\./g, '\\.')}:9: connect: connection refused`),
    );
  }, 60_000);

  it('the NodePort on 127.0.0.1 reaches the pod', async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, () => get(nodePort)));
    for (const a of answers) expect(a).toContain('Welcome to nginx!');
  }, 60_000);

  it('kubectl exec and kubectl logs work there', async () => {
    expect((await kubectl('exec', podName, '-c', 'count', '--', 'sh', '-c', 'echo from-vm1 $((6*7))')).trim()).toBe('from-vm1 42');
    expect(await kubectl('logs', podName, '-c', 'count')).toContain('counter up');
  });
});
