// `kill -9` of the whole lab in the middle of a rollout, then a restart on the same data dir: the
// Deployment converges, no acknowledged write is lost, and no container is duplicated or orphaned.
import Docker from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import { images, mainSocket } from '../fixtures/env';
import { startServe, type Serve } from '../fixtures/serve';
import { watchServe } from '../fixtures/watch';
import type { KubeObject } from '../../main/api/object';

const docker = new Docker({ socketPath: mainSocket });
let serve: Serve | undefined;
let dataDir: string | undefined;

afterAll(async () => {
  if (serve) await serve.stop({ keepDataDir: false });
});

interface PodJson {
  metadata: { name: string; uid: string; labels?: Record<string, string> };
  status: { phase?: string; containerStatuses?: { containerID?: string; ready: boolean }[] };
}

async function pods(s: Serve): Promise<PodJson[]> {
  const r = await s.kubectl(['get', 'pods', '-l', 'app=crash', '-o', 'json']);
  if (r.code !== 0) throw new Error(r.stderr);
  return (JSON.parse(r.stdout) as { items: PodJson[] }).items;
}

describe('kill -9 during a rollout', () => {
  it('restarts into a converged Deployment with nothing lost, duplicated or orphaned', async () => {
    serve = await startServe();
    dataDir = serve.dataDir;
    const clusterId = await serve.clusterId();
    const manifest = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'crash' },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'crash' } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        template: {
          metadata: { labels: { app: 'crash' } },
          spec: {
            terminationGracePeriodSeconds: 1,
            containers: [{ name: 'app', image: images.busybox, imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'] }],
          },
        },
      },
    };
    expect((await serve.kubectl(['apply', '-f', '-'], { input: JSON.stringify(manifest) })).code).toBe(0);
    const ready = await serve.kubectl(['rollout', 'status', 'deployment/crash', '--timeout=90s']);
    expect(ready.code, ready.stderr).toBe(0);

    // Start a rollout, and kill the lab as soon as the first new pod exists.
    const set = await serve.kubectl(['set', 'env', 'deployment/crash', 'ROLL=2']);
    expect(set.code, set.stderr).toBe(0);
    // the surge pod is there only for a moment (an old one goes as soon as it is ready): watch for it, never poll
    await watchServe<KubeObject & { spec: { containers: { env?: { name: string; value?: string }[] }[] } }>(
      serve,
      '/api/v1/namespaces/default/pods',
      'the first pod of the new template',
      (p) => p.metadata.labels?.app === 'crash' && !!p.spec.containers[0].env?.some((e) => e.name === 'ROLL' && e.value === '2'),
    );
    serve.process.kill('SIGKILL');
    await new Promise((r) => serve!.process.once('exit', r));

    serve = await startServe({ dataDir });
    expect(await serve.clusterId()).toBe(clusterId);
    // the acknowledged write (the new template) survived
    const env = await serve.kubectl(['get', 'deployment', 'crash', '-o', 'jsonpath={.spec.template.spec.containers[0].env[0].value}']);
    expect(env.stdout).toBe('2');
    const done = await serve.kubectl(['rollout', 'status', 'deployment/crash', '--timeout=120s']);
    expect(done.code, done.stderr).toBe(0);

    await expect
      .poll(
        async () => {
          const p = await pods(serve!);
          return p.length === 3 && p.every((x) => x.status.containerStatuses?.[0]?.ready);
        },
        { timeout: 90_000, interval: 500 },
      )
      .toBe(true);

    // Docker holds exactly one running pause and one running app container per pod, and nothing of pods that are gone.
    await expect
      .poll(
        async () => {
          const live = await pods(serve!);
          const uids = new Set(live.map((p) => p.metadata.uid));
          const containers = await docker.listContainers({
            all: true,
            filters: { label: [`kubelab.io/cluster=${clusterId}`, 'io.kubernetes.pod.namespace=default'] },
          });
          const crash = containers.filter((c) => c.Labels['io.kubernetes.pod.name']?.startsWith('crash-'));
          const orphans = crash.filter((c) => !uids.has(c.Labels['io.kubernetes.pod.uid']));
          const running = crash.filter((c) => c.State === 'running');
          const perPod = new Map<string, number>();
          for (const c of running) {
            const k = `${c.Labels['io.kubernetes.pod.uid']}/${c.Labels['io.kubernetes.container.name']}`;
            perPod.set(k, (perPod.get(k) ?? 0) + 1);
          }
          return { orphans: orphans.length, running: running.length, duplicated: [...perPod.values()].filter((n) => n > 1).length };
        },
        { timeout: 90_000, interval: 1000 },
      )
      .toEqual({ orphans: 0, running: 6, duplicated: 0 });

    // Every pod carries the new template.
    for (const p of await pods(serve)) {
      const e = await serve.kubectl(['get', 'pod', p.metadata.name, '-o', 'jsonpath={.spec.containers[0].env[0].value}']);
      expect(e.stdout).toBe('2');
    }
  });
});
