import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { R } from '../../main/client/types';
import { LABEL } from '../../main/runtime/types';
import { images } from '../fixtures/env';
import { getPod, ourContainers, podEvents, podManifest, startHarness, waitFor, type Harness } from './kubelet-harness';

function httpGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

describe('kubelet on the real Docker engine', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('registers its Node Ready with capacity, nodeInfo and a Lease', async () => {
    const node = await waitFor('node Ready', async () => {
      const n = await h.client.get<any>(R.nodes, h.nodeName);
      return n.status?.conditions?.find((c: any) => c.type === 'Ready')?.status === 'True' && n;
    });
    expect(node.metadata.labels['kubernetes.io/hostname']).toBe(h.nodeName);
    expect(node.status.nodeInfo.containerRuntimeVersion).toMatch(/^docker:\/\/\d+/);
    expect(Number(node.status.capacity.cpu)).toBeGreaterThan(0);
    expect(node.status.capacity.pods).toBe('110');
    expect(node.status.images.some((i: any) => i.names.includes(images.nginx))).toBe(true);
    const lease = await h.client.get<any>(R.leases, h.nodeName, 'kube-node-lease');
    expect(lease.spec.holderIdentity).toBe(h.nodeName);
  });

  it('the seed nginx pod runs: IP, hostname, hostPort on 127.0.0.1, events in order, exec, delete leaves nothing', async () => {
    const hostPort = 20000 + Math.floor(Math.random() * 20000);
    await h.client.create(
      R.pods,
      podManifest('nginx-pod', h.nodeName, {
        containers: [{ name: 'nginx', image: images.nginx, ports: [{ containerPort: 80, hostPort }] }],
      }),
      { namespace: 'default' },
    );
    const pod = await waitFor('nginx-pod Running and Ready', async () => {
      const p = await getPod(h.client, 'nginx-pod');
      return p.status?.phase === 'Running' && p.status.conditions?.find((c) => c.type === 'Ready')?.status === 'True' && p;
    });
    expect(pod.status!.podIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    const cs = pod.status!.containerStatuses![0];
    expect(cs).toMatchObject({ name: 'nginx', ready: true, started: true, restartCount: 0 });
    expect(cs.containerID).toMatch(/^docker:\/\/[0-9a-f]{64}$/);

    // the containers behind it: a pause sandbox and the app joined to its network namespace
    const ctrs = await ourContainers(h.docker, h.clusterId, 'nginx-pod');
    expect(ctrs.map((c) => c.Labels[LABEL.containerName]).sort()).toEqual(['POD', 'nginx']);
    const app = ctrs.find((c) => c.Labels[LABEL.containerName] === 'nginx')!;
    const sandbox = ctrs.find((c) => c.Labels[LABEL.containerName] === 'POD')!;
    expect((await h.docker.getContainer(app.Id).inspect()).HostConfig.NetworkMode).toBe(`container:${sandbox.Id}`);

    const res = await waitFor(
      'nginx answers on the hostPort',
      async () => {
        const r = await httpGet(`http://127.0.0.1:${hostPort}/`);
        return r.status === 200 && r;
      },
      20_000,
    );
    expect(res.body).toContain('Welcome to nginx!');

    const hostname = await h.runtime.execSync(cs.containerID!.slice('docker://'.length), ['cat', '/etc/hostname'], 5000);
    expect(hostname.stdout.trim()).toBe('nginx-pod');
    const hosts = await h.runtime.execSync(cs.containerID!.slice('docker://'.length), ['cat', '/etc/hosts'], 5000);
    expect(hosts.stdout).toContain(pod.status!.podIP!);

    const reasons = (await podEvents(h.client, 'nginx-pod')).map((e) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(['Pulled', 'Created', 'Started']));
    expect(reasons.indexOf('Pulled')).toBeLessThan(reasons.indexOf('Created'));
    expect(reasons.indexOf('Created')).toBeLessThan(reasons.indexOf('Started'));

    const actions = h.steps.filter((s) => s.pod.name === 'nginx-pod').map((s) => s.step.action);
    expect(actions).toEqual(expect.arrayContaining(['observe', 'create-sandbox', 'pull-image', 'create-container', 'start-container', 'ready']));
    expect(actions.indexOf('observe')).toBeLessThan(actions.indexOf('create-sandbox'));
    expect(actions.indexOf('create-sandbox')).toBeLessThan(actions.indexOf('start-container'));

    await h.client.delete(R.pods, 'nginx-pod', { namespace: 'default', gracePeriodSeconds: 5 });
    await waitFor(
      'pod object gone',
      async () => {
        try {
          await getPod(h.client, 'nginx-pod');
          return false;
        } catch {
          return true;
        }
      },
      30_000,
    );
    expect(await ourContainers(h.docker, h.clusterId, 'nginx-pod')).toEqual([]);
  });
});
