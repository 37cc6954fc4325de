// What `kubectl get pods -w` shows while the seed pod comes up: Pending, ContainerCreating, Running,
// in that order (the kubelet says the pod is being set up before it creates the sandbox).
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { images, kubectlPath } from '../fixtures/env';
import { startServe, type Serve } from '../fixtures/serve';

let serve: Serve;

beforeAll(async () => {
  serve = await startServe();
});

afterAll(async () => {
  await serve?.stop();
});

describe('kubectl get pods -w', () => {
  it('shows the seed pod Pending, then ContainerCreating, then Running', async () => {
    const watch = spawn(kubectlPath, ['get', 'pods', '-w', '--no-headers'], { env: { ...process.env, KUBECONFIG: serve.kubeconfig } });
    let out = '';
    watch.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await expect.poll(() => out.length >= 0, { timeout: 5_000 }).toBe(true);
      const manifest = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'nginx-pod' },
        spec: { containers: [{ name: 'nginx', image: images.nginx, ports: [{ containerPort: 80 }] }] },
      };
      const r = await serve.kubectl(['create', '-f', '-'], { input: JSON.stringify(manifest) });
      expect(r.stdout.trim()).toBe('pod/nginx-pod created');
      await expect.poll(() => /nginx-pod\s+1\/1\s+Running/.test(out), { timeout: 60_000, interval: 200 }).toBe(true);
      const statuses = out
        .split('\n')
        .filter((l) => l.startsWith('nginx-pod'))
        .map((l) => l.split(/\s+/)[2]);
      const order = statuses.filter((s, i) => s !== statuses[i - 1]);
      expect(order).toEqual(['Pending', 'ContainerCreating', 'Running']);
    } finally {
      watch.kill();
    }
  });
});
