// `kill -9` of the whole lab in the middle of a burst of pod creates, then a restart on the same data dir: every
// create the API acknowledged (201) is there, and Docker holds exactly one sandbox and one app container per pod,
// none of a pod the API does not know (no duplicate, no orphan). Prints the figures for the README.
import Docker from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import { images, mainSocket } from '../fixtures/env';
import { labApi } from '../fixtures/lab-api';
import { startServe, type Serve } from '../fixtures/serve';

const docker = new Docker({ socketPath: mainSocket });
let serve: Serve | undefined;

afterAll(async () => {
  if (serve) await serve.stop({ keepDataDir: false });
});

const BURST = 24;
const WORKERS = 6;
const KILL_AFTER_ACKS = 8;

const pod = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels: { app: 'burst' } },
  spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'app', image: images.busybox, imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'] }] },
});

describe('kill -9 during a create burst', () => {
  it('loses no acknowledged create and leaves no duplicate or orphan container', async () => {
    serve = await startServe();
    const dataDir = serve.dataDir;
    const clusterId = await serve.clusterId();
    const api = labApi(serve);
    const acked: string[] = [];
    let next = 0;
    let killed!: () => void;
    const kill = new Promise<void>((resolve) => (killed = resolve));
    const worker = async () => {
      while (next < BURST) {
        const name = `burst-${next++}`;
        try {
          const r = await api.call('POST', '/api/v1/namespaces/default/pods', pod(name));
          if (r.status === 201) acked.push(name);
          if (acked.length === KILL_AFTER_ACKS) killed();
        } catch {
          return; // the lab is gone: a create in flight was never acknowledged
        }
      }
    };
    const workers = Array.from({ length: WORKERS }, worker);
    // (should every create be answered before the 8th acknowledgement, the kill still comes, after the burst)
    await Promise.race([kill, Promise.all(workers)]);
    expect(acked.length, 'creates acknowledged before the kill').toBeGreaterThanOrEqual(KILL_AFTER_ACKS);
    serve.process.kill('SIGKILL');
    await new Promise((r) => serve!.process.once('exit', r));
    await Promise.all(workers);

    serve = await startServe({ dataDir });
    expect(await serve.clusterId()).toBe(clusterId);
    const listed = await labApi(serve).call<{ items: { metadata: { name: string; uid: string } }[] }>(
      'GET',
      '/api/v1/namespaces/default/pods?labelSelector=app%3Dburst',
    );
    const names = new Set(listed.body.items.map((p) => p.metadata.name));
    const lost = acked.filter((n) => !names.has(n));
    expect(lost).toEqual([]);
    // every pod the store holds comes up (kubectl wait watches for it)
    const ready = await serve.kubectl(['wait', '--for=condition=Ready', 'pod', '-l', 'app=burst', '--timeout=180s'], { timeoutMs: 200_000 });
    expect(ready.code, ready.stderr).toBe(0);

    const uids = new Set(listed.body.items.map((p) => p.metadata.uid));
    // the kubelet converges on Docker after its restart: the end state, not a passing one, is what is checked
    let seen = { orphans: -1, duplicated: -1, running: -1 };
    await expect
      .poll(
        async () => {
          const containers = await docker.listContainers({
            all: true,
            filters: { label: [`kubelab.io/cluster=${clusterId}`, 'io.kubernetes.pod.namespace=default'] },
          });
          const burst = containers.filter((c) => c.Labels['io.kubernetes.pod.name']?.startsWith('burst-'));
          const orphans = burst.filter((c) => !uids.has(c.Labels['io.kubernetes.pod.uid']));
          const running = burst.filter((c) => c.State === 'running');
          const perPod = new Map<string, number>();
          for (const c of running) {
            const k = `${c.Labels['io.kubernetes.pod.uid']}/${c.Labels['io.kubernetes.container.name']}`;
            perPod.set(k, (perPod.get(k) ?? 0) + 1);
          }
          seen = { orphans: orphans.length, running: running.length, duplicated: [...perPod.values()].filter((n) => n > 1).length };
          return seen;
        },
        { timeout: 90_000, interval: 1000 },
      )
      .toEqual({ orphans: 0, running: 2 * names.size, duplicated: 0 });
    console.log(
      `reliability: kill -9 during a create burst: ${acked.length} acknowledged creates, lost ${lost.length}; ${names.size} pods after restart, duplicate containers ${seen.duplicated}, orphan containers ${seen.orphans}`,
    );
  });
});
