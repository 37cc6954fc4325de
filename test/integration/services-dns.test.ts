// Services by name from inside pods, on the real engine through `kubelab serve` and kubectl: a busybox pod's
// `wget http://web` (short, namespaced and fully qualified names, and a port whose targetPort differs) gets nginx's
// page through the Service's relay; with no ready endpoint the connection fails; deleting the Service removes its relay.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Docker from 'dockerode';
import { rm } from 'node:fs/promises';
import { labSteps, removeLabObjects, startServe, type Serve } from '../fixtures/serve';
import { images, mainSocket } from '../fixtures/env';

let lab: Serve;
const docker = new Docker({ socketPath: mainSocket });

const { eventually, kubectl } = labSteps(() => lab);

const manifest = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: nginx, image: ${images.nginx}, imagePullPolicy: IfNotPresent, ports: [{containerPort: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: web2}
spec:
  selector: {app: web}
  ports: [{port: 8080, targetPort: 80}]
---
apiVersion: v1
kind: Pod
metadata: {name: client}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - {name: busybox, image: ${images.busybox}, imagePullPolicy: IfNotPresent, command: [sleep, '3600']}
`;

/** wget from inside the client pod, as a user would type it (this busybox's wget -T crashes, kubectl's timeout bounds it). */
const wget = (url: string) => lab.kubectl(['exec', 'client', '--', 'wget', '-qO-', url], { timeoutMs: 20_000 });

const relays = async (service: string) => {
  const clusterId = await lab.clusterId();
  return docker.listContainers({ all: true, filters: { label: [`kubelab.io/cluster=${clusterId}`, `kubelab.io/service=${service}`] } });
};

beforeAll(async () => {
  lab = await startServe({ nodes: ['default'], timeoutMs: 90_000 });
  const r = await lab.kubectl(['apply', '-f', '-'], { input: manifest });
  if (r.code !== 0) throw new Error(`apply failed: ${r.stderr}`);
  await eventually(async () => (await kubectl('get', 'pod', 'client', '-o', 'jsonpath={.status.phase}')) === 'Running', 60_000, 'client pod Running');
  await eventually(async () => (await kubectl('get', 'deployment', 'web', '-o', 'jsonpath={.status.availableReplicas}')) === '1', 60_000, 'web available');
}, 180_000);

let restartedDir: string | undefined;
afterAll(async () => {
  const id = await lab?.clusterId().catch(() => '');
  await lab?.stop();
  // the restarted lab ran on a data dir it was given, so its stop() leaves the cleanup to us
  if (restartedDir) {
    await removeLabObjects(id ?? '');
    await rm(restartedDir, { recursive: true, force: true });
  }
}, 60_000);

describe('Services by name from inside pods', () => {
  for (const url of ['http://web', 'http://web.default', 'http://web.default.svc.cluster.local', 'http://web2:8080']) {
    it(`wget -qO- ${url} returns nginx's page`, async () => {
      const out = await eventually(
        async () => {
          const r = await wget(url);
          return r.code === 0 && r.stdout.includes('Welcome to nginx!') && r.stdout;
        },
        60_000,
        `${url} answering from the client pod`,
      );
      expect(out).toContain('Welcome to nginx!');
    });
  }

  it('each Service has one relay container, labelled with the cluster and the Service, on the pods network, with only its fully qualified name', async () => {
    const [relay] = await relays('default/web');
    expect(relay).toBeDefined();
    expect((await relays('default/web')).length).toBe(1);
    expect(relay.State).toBe('running');
    const info = await docker.getContainer(relay.Id).inspect();
    const net = Object.values(info.NetworkSettings.Networks)[0] as { Aliases?: string[] };
    expect(net.Aliases).toContain('web.default.svc.cluster.local');
    expect(net.Aliases).not.toContain('web');
    expect(net.Aliases).not.toContain('web.default');
  });

  it('scaled to 0, the Service name no longer connects', async () => {
    await kubectl('scale', 'deployment', 'web', '--replicas=0');
    await eventually(async () => (await wget('http://web')).code !== 0, 60_000, 'http://web to fail with no endpoints');
    expect((await wget('http://web2:8080')).code).not.toBe(0);
  });

  it('deleting the Service removes its relay container', async () => {
    await kubectl('delete', 'service', 'web');
    await eventually(async () => (await relays('default/web')).length === 0, 30_000, 'the relay of web removed');
    expect((await relays('default/web2')).length).toBe(1);
  });

  it('a restarted lab adopts the relays it left running, and they follow new endpoints', async () => {
    const [before] = await relays('default/web2');
    await lab.stop({ keepDataDir: true });
    restartedDir = lab.dataDir;
    lab = await startServe({ nodes: ['default'], dataDir: restartedDir, timeoutMs: 90_000 });
    // a Service created after the restart gets its relay once the ones found at start have been synced
    await kubectl('create', 'service', 'clusterip', 'web3', '--tcp=80:80');
    await eventually(async () => (await relays('default/web3')).length === 1, 60_000, 'the relay of web3');
    expect((await relays('default/web2')).map((c) => c.Id)).toEqual([before.Id]);
    await kubectl('scale', 'deployment', 'web', '--replicas=1');
    await eventually(
      async () => {
        const r = await wget('http://web2:8080');
        return r.code === 0 && r.stdout.includes('Welcome to nginx!');
      },
      90_000,
      'http://web2:8080 answering after the restart and scale-up',
    );
  });
});
