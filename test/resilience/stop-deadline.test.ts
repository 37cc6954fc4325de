// SIGTERM stops a lab cleanly (exit 0, before serve's own 20 s hard stop) in the situations where labs
// were seen hanging: a node whose engine was stopped and started again, an engine that is down, many watches.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientRequest } from 'node:http';
import { request } from 'node:https';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { images } from '../fixtures/env';
import { testEngine, type TestEngine } from '../fixtures/engine';
import { startServe, type Serve } from '../fixtures/serve';

let engine: TestEngine;
const labs: { lab: Serve; id: string }[] = [];

beforeAll(async () => {
  engine = await testEngine(5);
});

afterAll(async () => {
  await engine?.start().catch(() => {});
  for (const { lab, id } of labs) {
    await lab.stop();
    // what the lab left on our own engine (stop() cleans the shared ones)
    if (engine) {
      for (const c of await engine.docker.listContainers({ all: true, filters: { label: [`kubelab.io/cluster=${id}`] } })) {
        await engine.docker
          .getContainer(c.Id)
          .remove({ force: true })
          .catch(() => {});
      }
      for (const n of await engine.docker.listNetworks({ filters: { label: [`kubelab.io/cluster=${id}`] } })) {
        await engine.docker
          .getNetwork(n.Id)
          .remove()
          .catch(() => {});
      }
    }
  }
  await engine?.destroy();
});

async function track(lab: Serve): Promise<Serve> {
  labs.push({ lab, id: await lab.clusterId() });
  return lab;
}

async function labOnEngine(): Promise<Serve> {
  return track(await startServe({ nodes: ['default', engine.context], args: ['--node-monitor-grace-period', '6'] }));
}

const nodeReady = async (lab: Serve, node: string) => {
  const r = await lab.kubectl(['get', 'node', node, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']);
  return r.stdout;
};

/** A pod on the engine's node, Running, so the kubelet has a worker, probes and a sandbox there. */
async function podOnEngine(lab: Serve): Promise<void> {
  const manifest = JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'on-engine' },
    spec: { nodeName: engine.context, containers: [{ name: 'c', image: images.busybox, imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'] }] },
  });
  const r = await lab.kubectl(['apply', '-f', '-'], { input: manifest });
  expect(r.code, r.stderr).toBe(0);
  await expect
    .poll(async () => (await lab.kubectl(['get', 'pod', 'on-engine', '-o', 'jsonpath={.status.phase}'])).stdout, { timeout: 90_000, interval: 500 })
    .toBe('Running');
}

describe('SIGTERM stops the lab before its deadline', () => {
  it('after a node engine was stopped and started again', async () => {
    const lab = await labOnEngine();
    await podOnEngine(lab);
    await engine.stop();
    await expect.poll(() => nodeReady(lab, engine.context), { timeout: 90_000, interval: 500 }).not.toBe('True');
    await engine.start();
    await expect.poll(() => nodeReady(lab, engine.context), { timeout: 90_000, interval: 500 }).toBe('True');
    expect(await lab.stop()).toBe(0);
    expect(lab.logs()).not.toMatch(/did not stop within/);
  });

  it('while a node engine is stopped', async () => {
    const lab = await labOnEngine();
    await podOnEngine(lab);
    await engine.stop();
    await expect.poll(() => nodeReady(lab, engine.context), { timeout: 90_000, interval: 500 }).not.toBe('True');
    expect(await lab.stop()).toBe(0);
    expect(lab.logs()).not.toMatch(/did not stop within/);
    await engine.start();
  });

  it('even when its event loop spins after the signal: the watchdog thread ends it', async () => {
    const spin = fileURLToPath(new URL('../fixtures/spin-on-stop.mjs', import.meta.url));
    const lab = await track(await startServe({ virtualNodes: 1, env: { NODE_OPTIONS: `--import ${spin}` } }));
    lab.process.kill('SIGTERM');
    await new Promise((r) => lab.process.once('exit', r));
    expect(lab.process.signalCode).toBe('SIGKILL');
    expect(lab.logs()).toMatch(/still running 25 s after the stop signal \(its main thread stuck or spinning\); killing the process/);
  });

  it('with 100 watches open', async () => {
    const lab = await track(await startServe({ virtualNodes: 1 }));
    const ca = await readFile(join(lab.dataDir, 'pki', 'ca.crt'), 'utf8');
    const watches: ClientRequest[] = [];
    let opened = 0;
    for (let i = 0; i < 100; i++) {
      const path = i % 2 ? '/api/v1/pods?watch=true' : '/api/v1/namespaces/default/events?watch=true';
      const req = request(`${lab.api}${path}`, { ca, headers: { Authorization: `Bearer ${lab.adminToken()}` } }, (res) => {
        if (res.statusCode === 200) opened++;
        res.resume();
        res.on('error', () => {});
      });
      req.on('error', () => {});
      req.end();
      watches.push(req);
    }
    try {
      await expect.poll(() => opened, { timeout: 60_000 }).toBe(100);
      expect(await lab.stop()).toBe(0);
      expect(lab.logs()).not.toMatch(/did not stop within/);
    } finally {
      for (const w of watches) w.destroy();
    }
  });
});
