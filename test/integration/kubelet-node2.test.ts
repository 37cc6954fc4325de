import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import type { Node } from 'kubernetes-types/core/v1';
import { createApiServer } from '../../main/apiserver/index';
import { adminUser } from '../../main/apiserver/authn';
import type { KubeObject } from '../../main/api/object';
import { R } from '../../main/client/types';
import { Kubelet } from '../../main/kubelet/index';
import { DockerRuntime } from '../../main/runtime/docker/index';
import { memoryStore } from '../../main/store/index';
import { images, missingEnvHint, node2, node2Available } from '../fixtures/env';
import { getPod, kubeletStrategies, podManifest, startHarness, waitFor, type Harness } from './kubelet-harness';

describe('a kubelet on the second engine (kubelab-node2)', () => {
  let h: Harness;
  beforeAll(async () => {
    if (!node2Available()) throw new Error(missingEnvHint);
    h = await startHarness({ socketPath: node2.socket });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('runs nginx there, reachable on its hostPort at 127.0.0.1', async () => {
    const hostPort = 20000 + Math.floor(Math.random() * 20000);
    await h.client.create(
      R.pods,
      podManifest('web2', h.nodeName, { containers: [{ name: 'nginx', image: images.nginx, ports: [{ containerPort: 80, hostPort }] }] }),
      { namespace: 'default' },
    );
    const p = await waitFor(
      'web2 Ready',
      async () => {
        const pod = await getPod(h.client, 'web2');
        return pod.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' && pod;
      },
      90_000,
    );
    expect(p.status!.podIP).toBeTruthy();
    const body = await waitFor(
      'nginx on node2 answers',
      () =>
        new Promise<string | false>((resolve) => {
          http
            .get(`http://127.0.0.1:${hostPort}/`, (res) => {
              let b = '';
              res.on('data', (d) => (b += d));
              res.on('end', () => resolve(res.statusCode === 200 && b));
            })
            .on('error', () => resolve(false));
        }),
      20_000,
    );
    expect(body).toContain('Welcome to nginx!');
  });
});

describe('a kubelet whose engine cannot be reached', () => {
  it('registers its node NotReady, saying why', async () => {
    const api = createApiServer({ store: memoryStore(), strategies: kubeletStrategies() });
    await api.bootstrap();
    const client = api.client(adminUser);
    const runtime = new DockerRuntime({
      docker: new Docker({ socketPath: '/run/kubelab-no-such-engine.sock' }),
      clusterId: 'unreachable',
      nodeName: 'gone',
      sandboxImage: 'none',
    });
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'kubelab-gone-'));
    const kubelet = new Kubelet({ client, runtime, nodeName: 'gone', options: { heartbeatMs: 200, dataDir } });
    await kubelet.start();
    try {
      const node = await client.get<Node & KubeObject>(R.nodes, 'gone');
      const ready = node.status!.conditions!.find((c) => c.type === 'Ready')!;
      expect(ready.status).toBe('False');
      expect(ready.reason).toBe('KubeletNotReady');
      expect(ready.message).toMatch(/^container runtime is down: .*kubelab-no-such-engine\.sock/);
    } finally {
      await kubelet.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
