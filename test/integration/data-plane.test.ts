// The data plane through the engine's Docker API: probes and pod connections from inside the pod's network
// namespace (an exec of the sandbox's `/pause dial`), on an engine this machine cannot route to (vm1) and on the
// local engine forced to the same path (--data-plane api).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { Pod } from 'kubernetes-types/core/v1';
import { R } from '../../main/client/types';
import type { KubeObject } from '../../main/api/object';
import { images, missingEnvHint, vm1, vm1Available } from '../fixtures/env';
import { getPod, podEvents, podManifest, startHarness, waitFor, type Harness, type HarnessOptions } from './kubelet-harness';

const busybox = { image: images.busybox, imagePullPolicy: 'Never' as const };
const cond = (p: Pod, type: string) => p.status?.conditions?.find((c) => c.type === type)?.status;

/** A whole HTTP/1.0 exchange over a connection: the response text once the server closes. */
function httpOver(conn: Duplex, path = '/'): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    conn.on('data', (d: Buffer) => (text += d.toString('utf8')));
    conn.on('end', () => resolve(text));
    conn.on('error', reject);
    conn.write(`GET ${path} HTTP/1.0\r\nHost: pod\r\n\r\n`);
  });
}

/** Sends bytes, half-closes, and reads the answer the peer gives after seeing EOF. */
function halfClose(conn: Duplex, payload: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    conn.on('data', (d: Buffer) => (text += d.toString('utf8')));
    conn.on('end', () => resolve(text));
    conn.on('error', reject);
    conn.end(payload);
  });
}

function dataPlaneSuite(title: string, opts: HarnessOptions, expectUnroutable: boolean) {
  describe(title, () => {
    let h: Harness;
    let podIP: string;
    let uid: string;
    beforeAll(async () => {
      if (opts.socketPath === vm1.socket && !vm1Available()) throw new Error(missingEnvHint);
      h = await startHarness(opts);
      // an HTTP server on 8080, an echo on 7000 and, on 7001, the byte count of what arrived before EOF
      await h.client.create(
        R.pods,
        podManifest('served', h.nodeName, {
          terminationGracePeriodSeconds: 1,
          containers: [
            {
              name: 'web',
              ...busybox,
              command: ['sh', '-c', 'nc -ll -p 7000 -e cat & nc -ll -p 7001 -e sh -c "wc -c" & exec httpd -f -p 8080 -h /www'],
              readinessProbe: { httpGet: { path: '/', port: 8080 }, periodSeconds: 1 },
              livenessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1, failureThreshold: 1 },
            },
          ],
        }),
        { namespace: 'default' },
      );
      const livenessPassed = h.stepSeen((s) => s.pod.name === 'served' && s.step.action === 'probe:liveness' && s.step.outcome === 'success');
      const pod = await waitFor(
        'served Ready',
        async () => {
          const p = await getPod(h.client, 'served');
          return cond(p, 'Ready') === 'True' && p;
        },
        90_000,
      ).catch(async (e: Error) => {
        const evs = (await podEvents(h.client, 'served')).map((ev) => `${ev.reason}: ${ev.message}`);
        throw new Error(`${e.message}; events: ${evs.join(' | ')}`);
      });
      await livenessPassed;
      podIP = pod.status!.podIP!;
      uid = pod.metadata!.uid!;
    }, 120_000);
    afterAll(async () => {
      await h?.close();
    });

    if (expectUnroutable) {
      it('this machine cannot reach the pod address directly (so what passes here went through the Docker API)', async () => {
        const outcome = await new Promise<string>((resolve) => {
          const s = net.connect({ host: podIP, port: 8080 });
          const timer = setTimeout(() => {
            s.destroy();
            resolve('timeout');
          }, 2000);
          s.on('connect', () => {
            clearTimeout(timer);
            s.destroy();
            resolve('connected');
          });
          s.on('error', (e: NodeJS.ErrnoException) => {
            clearTimeout(timer);
            resolve(e.code ?? 'error');
          });
        });
        expect(outcome).not.toBe('connected');
        expect(podIP.startsWith('10.124.')).toBe(true);
      });
    }

    it('an httpGet readiness probe makes the pod Ready and a tcpSocket liveness probe passes (no restart, no Unhealthy)', async () => {
      const pod = await getPod(h.client, 'served');
      expect(cond(pod, 'Ready')).toBe('True');
      expect(pod.status!.containerStatuses![0].restartCount).toBe(0);
      const evs = await podEvents(h.client, 'served');
      expect(evs.filter((e) => e.reason === 'Unhealthy')).toEqual([]);
      expect(h.runtime.dataPlane?.mode).toBe('api');
      expect(h.runtime.dataPlane?.reason).toMatch(expectUnroutable ? /not reachable from this machine/ : /--data-plane api/);
    });

    it("failing probes give the kubelet's messages in events", async () => {
      await h.client.create(
        R.pods,
        podManifest('unready', h.nodeName, {
          terminationGracePeriodSeconds: 1,
          containers: [
            {
              name: 'web',
              ...busybox,
              command: ['httpd', '-f', '-p', '8080', '-h', '/www'],
              readinessProbe: { httpGet: { path: '/missing', port: 8080 }, periodSeconds: 1 },
            },
            { name: 'closed', ...busybox, command: ['sleep', '3600'], readinessProbe: { tcpSocket: { port: 9999 }, periodSeconds: 1 } },
          ],
        }),
        { namespace: 'default' },
      );
      const evs = await waitFor(
        'both probes failed',
        async () => {
          const list = (await podEvents(h.client, 'unready')).filter((e) => e.reason === 'Unhealthy');
          return list.some((e) => /statuscode/.test(e.message ?? '')) && list.some((e) => /9999/.test(e.message ?? '')) && list;
        },
        60_000,
      );
      const ip = (await getPod(h.client, 'unready')).status!.podIP!;
      const messages = evs.map((e) => e.message);
      expect(messages).toContain('Readiness probe failed: HTTP probe failed with statuscode: 404');
      expect(messages).toContain(`Readiness probe failed: dial tcp ${ip}:9999: connect: connection refused`);
      expect(cond(await getPod(h.client, 'unready'), 'Ready')).toBe('False');
    }, 90_000);

    it('dialPod: 20 concurrent connections into the pod, a half-close answered after EOF, and a refused port', async () => {
      const answers = await Promise.all(Array.from({ length: 20 }, async () => httpOver(await h.runtime.dialPod({ uid }, podIP, 8080))));
      for (const a of answers) {
        expect(a).toMatch(/^HTTP\/1\.[01] 200/);
        expect(a).toContain('kubelab busybox');
      }
      const echoed = await halfClose(await h.runtime.dialPod({ uid }, '127.0.0.1', 7000), Buffer.from('hello through the engine\n'));
      expect(echoed).toBe('hello through the engine\n');
      const payload = Buffer.alloc(300_000, 'x');
      expect((await halfClose(await h.runtime.dialPod({ uid }, '127.0.0.1', 7001), payload)).trim()).toBe(String(payload.length));
      await expect(h.runtime.dialPod({ uid }, podIP, 9)).rejects.toThrow(`dial tcp ${podIP}:9: connect: connection refused`);
    }, 60_000);

    if (!expectUnroutable) {
      it('a sandbox whose pause cannot dial (adopted from an older lab) is dialed directly, not hung on', async () => {
        // stands in for such a sandbox: a container of this lab without the pause-modes label, serving on 8080
        const c = await h.docker.createContainer({
          Image: images.busybox,
          Cmd: ['httpd', '-f', '-p', '8080', '-h', '/www'],
          Labels: { 'kubelab.io/cluster': h.clusterId, 'kubelab.io/node': h.nodeName },
          HostConfig: { NetworkMode: h.runtime.networkName },
        });
        await c.start();
        const ip = (await c.inspect()).NetworkSettings.Networks[h.runtime.networkName].IPAddress;
        const conn = await h.runtime.dialerFor(c.id)(ip, 8080, 2000);
        expect(await httpOver(conn)).toContain('kubelab busybox');
        // the exec path would have left a process behind in it: there is none
        expect(((await c.top()) as { Processes: string[][] }).Processes.map((p) => p.at(-1))).toEqual(['httpd -f -p 8080 -h /www']);
        await c.remove({ force: true });
      });
    }
  });
}

dataPlaneSuite('data plane on an engine behind a boundary (vm1, auto)', { socketPath: vm1.socket, clusterCIDR: vm1.clusterCIDR }, true);
dataPlaneSuite('data plane forced through the Docker API on the local engine (--data-plane api)', { dataPlane: 'api' }, false);

describe('data plane auto on the local engine (its pod addresses are routable from here)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('checks reachability with the first pod and dials directly, saying so on the node', async () => {
    await h.client.create(
      R.pods,
      podManifest('direct', h.nodeName, {
        terminationGracePeriodSeconds: 1,
        containers: [
          {
            name: 'web',
            ...busybox,
            command: ['httpd', '-f', '-p', '8080', '-h', '/www'],
            readinessProbe: { httpGet: { path: '/', port: 8080 }, periodSeconds: 1 },
          },
        ],
      }),
      { namespace: 'default' },
    );
    await waitFor('direct Ready', async () => cond(await getPod(h.client, 'direct'), 'Ready') === 'True', 60_000);
    expect(h.runtime.dataPlane?.mode).toBe('direct');
    expect(h.runtime.dataPlane?.reason).toMatch(/reaches pod addresses \(10\.\d+\.\d+\.\d+\) directly/);
    const node = await waitFor(
      'the node shows it',
      async () => {
        const n = await h.client.get<KubeObject>(R.nodes, h.nodeName);
        return n.metadata.annotations?.['kubelab.io/data-plane'] === 'direct' && n;
      },
      10_000,
    );
    expect(node.metadata.annotations?.['kubelab.io/data-plane-reason']).toMatch(/directly/);
  }, 90_000);
});
