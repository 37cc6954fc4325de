// `kubectl port-forward` against `kubelab serve` on the real engine: pod/x and svc/x over kubectl's WebSocket
// tunnel (SPDY/3.1 frames in binary messages), and over its plain SPDY/3.1 fallback; nginx answers through them.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { get } from 'node:http';
import { kubectlPortForward, labSteps, startServe, type Serve } from '../fixtures/serve';
import { images } from '../fixtures/env';

let lab: Serve;
const forwards: ChildProcess[] = [];

const steps = labSteps(() => lab);
const { eventually, kubectl } = steps;

function httpGet(port: number, path = '/'): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path, timeout: 10_000, agent: false }, (res) => {
      let body = '';
      res.setEncoding('latin1');
      res.on('data', (d) => (body += d)).on('end', () => resolve(body));
    });
    req.on('error', reject).on('timeout', () => req.destroy(new Error('timeout')));
  });
}

/** Starts `kubectl port-forward TARGET LOCAL:REMOTE` and resolves once it says it is forwarding. */
const portForward = (target: string, ports: string, env: NodeJS.ProcessEnv = {}) => kubectlPortForward(lab, steps, forwards, target, [ports], env);

beforeAll(async () => {
  lab = await startServe({ nodes: ['default'], timeoutMs: 90_000 });
  await kubectl('run', 'web', `--image=${images.nginx}`, '--image-pull-policy=IfNotPresent', '--port=80');
  await kubectl('expose', 'pod', 'web', '--port=80');
  await eventually(
    async () => {
      const pod = JSON.parse(await kubectl('get', 'pod', 'web', '-o', 'json'));
      return pod.status?.phase === 'Running' && pod.status.conditions?.some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True');
    },
    60_000,
    'pod web Ready',
  );
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

describe('kubectl port-forward', () => {
  it('pod/web 18111:80 serves nginx on 127.0.0.1:18111 (WebSocket tunnel), for several connections in a row', async () => {
    const pf = await portForward('pod/web', '18111:80');
    for (let i = 0; i < 3; i++) expect(await httpGet(18111)).toContain('Welcome to nginx!');
    expect(pf.output()).toContain('Handling connection for 18111');
    expect(pf.output()).not.toMatch(/error|E\d{4}/i);
    expect(lab.logs()).toMatch(/port-forward session pod=default\/web transport=websocket/);
    // the tunnel carried it: kubectl did not fall back to plain SPDY
    expect(lab.logs()).not.toMatch(/transport=spdy/);
  });

  it('svc/web 18112:80 reaches the pod behind the Service', async () => {
    await portForward('svc/web', '18112:80');
    expect(await httpGet(18112)).toContain('Welcome to nginx!');
  });

  it('works over the plain SPDY/3.1 upgrade when kubectl does not use WebSockets', async () => {
    const pf = await portForward('pod/web', '18113:80', { KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' });
    const pages = await Promise.all([httpGet(18113), httpGet(18113)]);
    for (const page of pages) expect(page).toContain('Welcome to nginx!');
    expect(pf.output()).not.toMatch(/error|E\d{4}/i);
    expect(lab.logs()).toMatch(/port-forward session pod=default\/web transport=spdy/);
  });

  it('carries a response far larger than one SPDY frame', async () => {
    await kubectl('exec', 'web', '--', 'sh', '-c', 'head -c 5000000 /dev/zero | tr "\\0" x > /var/www/html/big.txt');
    await portForward('pod/web', '18115:80');
    const body = await httpGet(18115, '/big.txt');
    expect(body.length).toBe(5_000_000);
    expect(body).toMatch(/^x+$/);
  });

  it('reports a port nobody listens on in the pod, as upstream', async () => {
    const pf = await portForward('pod/web', '18116:81');
    await expect(httpGet(18116)).rejects.toThrow();
    await eventually(async () => pf.output().includes('error forwarding port 81 to pod default/web'), 10_000, "the forwarding error on kubectl's output");
  });

  it('says why when the pod does not exist', async () => {
    const r = await lab.kubectl(['port-forward', 'pod/nope', '18114:80'], { timeoutMs: 30_000 });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('pods "nope" not found');
  });
});
