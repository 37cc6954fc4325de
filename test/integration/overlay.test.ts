// One flat pod network across nodes, on the two real engines through `kubelab serve` and kubectl: each node runs the
// overlay's agent (reached only through its engine's Docker API), a busybox pod on the main engine fetches from a pod
// IP on node2 and from a Service whose only endpoint is on node2; the nodes say PodOverlay True. A lab whose engines
// have no TUN device at the path it is given (--overlay-tun-device) says PodOverlay False with the engine's reason, as
// a condition and a Warning event, and pods on one node still reach their own node's Services.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labSteps, startServe, type Serve } from '../fixtures/serve';
import { contexts, images, node2Available, missingEnvHint } from '../fixtures/env';

const N1 = contexts.main;
const N2 = contexts.node2;

const pods = (suffix = '') => `
apiVersion: v1
kind: Pod
metadata: {name: far${suffix}, labels: {app: far${suffix}, tier: web}}
spec:
  nodeName: ${N2}
  terminationGracePeriodSeconds: 0
  containers:
  - name: httpd
    image: ${images.busybox}
    imagePullPolicy: IfNotPresent
    command: [sh, -c, 'mkdir -p /www && echo served-on-node2 > /www/index.html && exec httpd -f -p 8080 -h /www']
    ports: [{containerPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: far${suffix}}
spec:
  selector: {app: far${suffix}}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Pod
metadata: {name: near${suffix}, labels: {app: near${suffix}, tier: web}}
spec:
  nodeName: ${N1}
  terminationGracePeriodSeconds: 0
  containers:
  - name: httpd
    image: ${images.busybox}
    imagePullPolicy: IfNotPresent
    command: [sh, -c, 'mkdir -p /www && echo served-on-node1 > /www/index.html && exec httpd -f -p 8080 -h /www']
    ports: [{containerPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: near${suffix}}
spec:
  selector: {app: near${suffix}}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: both${suffix}}
spec:
  selector: {tier: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Pod
metadata: {name: client${suffix}}
spec:
  nodeName: ${N1}
  terminationGracePeriodSeconds: 0
  containers:
  - {name: busybox, image: ${images.busybox}, imagePullPolicy: IfNotPresent, command: [sleep, '3600']}
`;

interface NodeCondition {
  type: string;
  status: string;
  reason: string;
  message: string;
}

describe('the pod overlay across two engines', () => {
  let lab: Serve;
  const steps = labSteps(() => lab);
  const wget = (client: string, url: string) => lab.kubectl(['exec', client, '--', 'timeout', '10', 'wget', '-qO-', url], { timeoutMs: 20_000 });

  beforeAll(async () => {
    if (!node2Available()) throw new Error(missingEnvHint);
    lab = await startServe({ nodes: [N1, N2], timeoutMs: 120_000 });
    const r = await lab.kubectl(['apply', '-f', '-'], { input: pods() });
    if (r.code !== 0) throw new Error(`apply failed: ${r.stderr}`);
    await steps.kubectl('wait', '--for=condition=PodOverlay', `node/${N1}`, `node/${N2}`, '--timeout=60s');
    await steps.kubectl('wait', '--for=condition=Ready', 'pod/far', 'pod/near', 'pod/client', '--timeout=90s');
    // the Services' endpoints list the ready pods (what the relays are configured from)
    for (const [svc, n] of [
      ['far', 1],
      ['near', 1],
      ['both', 2],
    ] as const) {
      await steps.kubectl('wait', `--for=jsonpath={.subsets[0].addresses[${n - 1}].ip}`, `endpoints/${svc}`, '--timeout=60s');
    }
  }, 240_000);

  afterAll(async () => {
    await lab?.stop();
  }, 60_000);

  it('every node says PodOverlay True, with its podCIDR', async () => {
    for (const n of [N1, N2]) {
      const node = await steps.json('get', 'node', n);
      const c = (node.status.conditions as NodeCondition[]).find((x) => x.type === 'PodOverlay');
      expect(c).toMatchObject({ status: 'True', reason: 'OverlayUp' });
      expect(c!.message).toContain(node.spec.podCIDR);
      // as `kubectl describe node` prints it
      expect(await steps.kubectl('describe', 'node', n)).toMatch(/^\s+PodOverlay\s+True\s.*OverlayUp\s/m);
    }
  });

  it('a pod on node 1 fetches from a pod IP on node 2 (another /24, another engine)', async () => {
    const far = await steps.json('get', 'pod', 'far');
    const client = await steps.json('get', 'pod', 'client');
    expect(far.status.podIP.split('.').slice(0, 3)).not.toEqual(client.status.podIP.split('.').slice(0, 3));
    const r = await wget('client', `http://${far.status.podIP}:8080/`);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('served-on-node2');
  });

  it('a pod on node 1 reaches a Service whose only endpoint is on node 2, by name', async () => {
    // the relay on node 1 gets the new endpoint through its stdin a moment after the Endpoints change
    const r = await steps.eventually(
      async () => {
        const x = await wget('client', 'http://far');
        return x.code === 0 && x;
      },
      30_000,
      'http://far answering from node 1',
    );
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('served-on-node2');
  });

  it('a Service with endpoints on both nodes spreads connections over both, round robin', async () => {
    await steps.eventually(async () => (await wget('client', 'http://both')).code === 0, 30_000, 'http://both answering');
    const r = await lab.kubectl(['exec', 'client', '--', 'sh', '-c', 'for i in 1 2 3 4 5 6; do timeout 10 wget -qO- http://both; done'], { timeoutMs: 60_000 });
    const answers = r.stdout.trim().split('\n');
    expect(answers).toHaveLength(6);
    expect(answers.filter((a) => a === 'served-on-node1')).toHaveLength(3);
    expect(answers.filter((a) => a === 'served-on-node2')).toHaveLength(3);
  });

  it('a pod on node 2 reaches a pod IP and a Service on node 1 the same way back', async () => {
    const near = await steps.json('get', 'pod', 'near');
    for (const url of [`http://${near.status.podIP}:8080/`, 'http://near']) {
      const r = await lab.kubectl(['exec', 'far', '--', 'timeout', '10', 'wget', '-qO-', url], { timeoutMs: 20_000 });
      expect(r.stdout.trim(), url).toBe('served-on-node1');
    }
  });
});

describe('an engine that refuses the overlay', () => {
  let lab: Serve;
  const steps = labSteps(() => lab);

  beforeAll(async () => {
    if (!node2Available()) throw new Error(missingEnvHint);
    // a TUN device path the engines do not have: Docker refuses the agent as an engine without /dev/net/tun would
    lab = await startServe({ nodes: [N1, N2], args: ['--overlay-tun-device', '/dev/net/kubelab-no-tun'], timeoutMs: 120_000 });
    const r = await lab.kubectl(['apply', '-f', '-'], { input: pods() });
    if (r.code !== 0) throw new Error(`apply failed: ${r.stderr}`);
    await steps.kubectl('wait', '--for=condition=PodOverlay=False', `node/${N1}`, `node/${N2}`, '--timeout=60s');
    await steps.kubectl('wait', '--for=condition=Ready', 'pod/near', 'pod/client', 'pod/far', '--timeout=90s');
  }, 240_000);

  afterAll(async () => {
    await lab?.stop();
  }, 60_000);

  it("each node says PodOverlay False with the engine's reason, and a Warning event on the Node", async () => {
    for (const n of [N1, N2]) {
      const node = await steps.json('get', 'node', n);
      const c = (node.status.conditions as NodeCondition[]).find((x) => x.type === 'PodOverlay');
      expect(c).toMatchObject({ status: 'False', reason: 'OverlayRefused' });
      expect(c!.message).toContain('/dev/net/kubelab-no-tun');
      expect(c!.message).toContain('pods of this node reach only pods and Services of this node');
      expect((node.status.conditions as NodeCondition[]).find((x) => x.type === 'Ready')?.status).toBe('True');
      const events = await steps.json('get', 'events', '--field-selector', `involvedObject.kind=Node,involvedObject.name=${n},reason=OverlayRefused`);
      expect(events.items.length).toBeGreaterThan(0);
      expect(events.items[0].type).toBe('Warning');
    }
  });

  it("pods still run and reach their own node's Services; a Service only on the other node refuses", async () => {
    const near = await steps.eventually(
      async () => {
        const x = await lab.kubectl(['exec', 'client', '--', 'timeout', '10', 'wget', '-qO-', 'http://near'], { timeoutMs: 20_000 });
        return x.code === 0 && x;
      },
      30_000,
      'http://near answering on node 1',
    );
    expect(near.stdout.trim()).toBe('served-on-node1');
    const far = await lab.kubectl(['exec', 'client', '--', 'timeout', '10', 'wget', '-qO-', 'http://far'], { timeoutMs: 20_000 });
    expect(far.code).not.toBe(0);
  });
});
