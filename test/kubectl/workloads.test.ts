// Seed 002's session, typed as a new user would, against `kubelab serve` on the real Docker engine:
// a Deployment of 3 nginx pods, its ReplicaSet coming back after deletion, a pod replaced, a NodePort
// Service answering from the host, a rolling update that keeps every replica available, undo, and cascade.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get } from 'node:http';
import Docker from 'dockerode';
import { labSteps, startServe, type Serve } from '../fixtures/serve';
import { images, mainSocket, registry } from '../fixtures/env';

let lab: Serve;

const { eventually, kubectl, json } = labSteps(() => lab);
const deploy = () => json('get', 'deployment', 'k8s-nginx');
const rsList = async () => (await json<{ items: any[] }>('get', 'rs', '-l', 'app=k8s-nginx')).items;
const runningPods = async () =>
  (await json<{ items: any[] }>('get', 'pods', '-l', 'app=k8s-nginx')).items.filter(
    (p) => !p.metadata.deletionTimestamp && p.status?.phase === 'Running' && p.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True'),
  );

function httpGet(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path: '/', timeout: 3000 }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d)).on('end', () => resolve(body));
    });
    req.on('error', reject).on('timeout', () => req.destroy(new Error('timeout')));
  });
}

beforeAll(async () => {
  lab = await startServe({ nodes: ['default'], timeoutMs: 90_000 });
}, 120_000);

afterAll(async () => {
  await lab?.stop();
}, 60_000);

describe('workloads with kubectl (seed 002)', () => {
  it('kubectl create deployment -r 3 is 3/3 within a minute, with a <deploy>-<hash> ReplicaSet showing 3 3 3', async () => {
    await kubectl('create', 'deployment', 'k8s-nginx', `--image=${images.nginx}`, '-r', '3');
    await eventually(async () => (await deploy()).status?.availableReplicas === 3, 60_000, '3/3 available');
    const out = await kubectl('get', 'rs');
    expect(out).toMatch(/^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE/m);
    expect(out).toMatch(/^k8s-nginx-[bcdfghjklmnpqrstvwxz2456789]{6,10}\s+3\s+3\s+3\s+/m);
    const pods = await runningPods();
    const rsName = (await rsList())[0].metadata.name;
    expect(pods).toHaveLength(3);
    for (const p of pods) expect(p.metadata.name).toMatch(new RegExp(`^${rsName}-[bcdfghjklmnpqrstvwxz2456789]{5}$`));
    // the pod's flow names the chain that made it
    const trace = await json('get', 'podtraces', pods[0].metadata.name);
    const cm = trace.steps.filter((s: any) => s.component === 'controller-manager').map((s: any) => s.message);
    expect(cm.some((m: string) => m.startsWith(`Deployment default/k8s-nginx -> ReplicaSet default/${rsName}`))).toBe(true);
    expect(cm.some((m: string) => /^ReplicaSet default\/k8s-nginx-\w+: replicas 3, had [0-2] -> create/.test(m))).toBe(true);
  });

  it('deleting the ReplicaSet brings back one of the same name with 3 pods; deleting a pod brings a replacement', async () => {
    const [rs] = await rsList();
    expect(await kubectl('delete', 'replicaset', rs.metadata.name)).toContain(`replicaset.apps "${rs.metadata.name}" deleted`);
    await eventually(
      async () => {
        const now = await rsList();
        return (
          now.length === 1 &&
          now[0].metadata.name === rs.metadata.name &&
          now[0].metadata.uid !== rs.metadata.uid &&
          now[0].status?.readyReplicas === 3 &&
          (await runningPods()).length === 3
        );
      },
      60_000,
      'the ReplicaSet back with 3 ready pods',
    );
    const [victim] = await runningPods();
    await kubectl('delete', 'pod', victim.metadata.name);
    await eventually(
      async () => {
        const pods = await runningPods();
        return pods.length === 3 && !pods.some((p) => p.metadata.name === victim.metadata.name);
      },
      60_000,
      'a replacement pod',
    );
  });

  it('kubectl expose --type=NodePort answers on 127.0.0.1:<nodePort> from every replica', async () => {
    await kubectl('expose', 'deployment', 'k8s-nginx', '--type=NodePort', '--port=80');
    const svc = await json('get', 'service', 'k8s-nginx');
    const nodePort = svc.spec.ports[0].nodePort as number;
    expect(nodePort).toBeGreaterThanOrEqual(30000);
    expect(nodePort).toBeLessThanOrEqual(32767);
    await eventually(async () => ((await json('get', 'endpoints', 'k8s-nginx')).subsets?.[0]?.addresses?.length ?? 0) === 3, 30_000, '3 endpoints');
    const body = await eventually(() => httpGet(nodePort).catch(() => ''), 30_000, 'an answer on the NodePort');
    expect(body).toContain('Welcome to nginx!');
    // round robin: every replica answers once in three connections
    for (let i = 0; i < 6; i++) expect(await httpGet(nodePort)).toContain('Welcome to nginx!');
  });

  it('set image rolls out without dropping below maxUnavailable, and rollout undo returns to the first ReplicaSet', async () => {
    const [first] = await rsList();
    let minAvailable = Infinity;
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const d = await deploy().catch(() => undefined);
        if (d?.status) minAvailable = Math.min(minAvailable, d.status.availableReplicas ?? 0);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    await kubectl('set', 'image', 'deployment/k8s-nginx', `nginx=${registry.nginx}`);
    const status = await lab.kubectl(['rollout', 'status', 'deployment/k8s-nginx', '--timeout=90s'], { timeoutMs: 100_000 });
    expect(status.stdout).toContain('deployment "k8s-nginx" successfully rolled out');
    watching = false;
    await watcher;
    // 3 replicas, maxUnavailable 25% rounds down to 0: all 3 stay available throughout
    expect(minAvailable).toBeGreaterThanOrEqual(3);
    expect(await kubectl('rollout', 'history', 'deployment/k8s-nginx')).toMatch(/REVISION\s+CHANGE-CAUSE\s+1\s+<none>\s+2\s+<none>/);
    await kubectl('rollout', 'undo', 'deployment/k8s-nginx');
    const back = await lab.kubectl(['rollout', 'status', 'deployment/k8s-nginx', '--timeout=90s'], { timeoutMs: 100_000 });
    expect(back.stdout).toContain('successfully rolled out');
    const rs = await rsList();
    const again = rs.find((r) => r.metadata.name === first.metadata.name);
    expect(again.spec.replicas).toBe(3);
    expect(again.metadata.annotations['deployment.kubernetes.io/revision']).toBe('3');
    expect(rs).toHaveLength(2);
    const pods = await runningPods();
    expect(pods.every((p) => p.spec.containers[0].image === images.nginx)).toBe(true);
  });

  it('kubectl delete deployment removes its ReplicaSets, pods and their containers', async () => {
    const names = (await runningPods()).map((p) => p.metadata.name);
    await kubectl('delete', 'service', 'k8s-nginx');
    await kubectl('delete', 'deployment', 'k8s-nginx');
    await eventually(
      async () => (await rsList()).length === 0 && (await json<{ items: any[] }>('get', 'pods', '-l', 'app=k8s-nginx')).items.length === 0,
      60_000,
      'ReplicaSets and pods gone',
    );
    const docker = new Docker({ socketPath: mainSocket });
    const clusterId = await lab.clusterId();
    await eventually(
      async () => {
        const cs = await docker.listContainers({ all: true, filters: { label: [`kubelab.io/cluster=${clusterId}`] } });
        return !cs.some((c) => names.includes(c.Labels['io.kubernetes.pod.name']));
      },
      60_000,
      'containers removed',
    );
  });
});
