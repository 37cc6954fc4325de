// Services by name as namespaces see them, on the real engine through `kubelab serve` and kubectl: two namespaces
// each with a Service `web`; a pod's short name `web` reaches its own namespace's, `web.<other>` the other one's.
// Continuity: a client pod loops 200 requests to a Service while `kubectl rollout restart` replaces every endpoint;
// none fails (the relay is reconfigured in place, never recreated).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Docker from 'dockerode';
import { labSteps, startServe, type Serve } from '../fixtures/serve';
import { images, mainSocket } from '../fixtures/env';

let lab: Serve;
const docker = new Docker({ socketPath: mainSocket });
const { kubectl } = labSteps(() => lab);

/** a namespace with a Service `web` whose pod answers `from-<ns>`, and a client pod */
const namespaced = (ns: string) => `
apiVersion: v1
kind: Namespace
metadata: {name: ${ns}}
---
apiVersion: v1
kind: Pod
metadata: {name: httpd, namespace: ${ns}, labels: {app: web}}
spec:
  terminationGracePeriodSeconds: 0
  containers:
  - name: httpd
    image: ${images.busybox}
    imagePullPolicy: IfNotPresent
    command: [sh, -c, 'mkdir -p /www && echo from-${ns} > /www/index.html && exec httpd -f -p 80 -h /www']
    ports: [{containerPort: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: ${ns}}
spec:
  selector: {app: web}
  ports: [{port: 80}]
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: ${ns}}
spec:
  terminationGracePeriodSeconds: 0
  containers:
  - {name: busybox, image: ${images.busybox}, imagePullPolicy: IfNotPresent, command: [sleep, '3600']}
`;

const rolling = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: roll}
spec:
  replicas: 2
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: nginx
        image: ${images.nginx}
        imagePullPolicy: IfNotPresent
        ports: [{containerPort: 80}]
        readinessProbe: {httpGet: {path: /, port: 80}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: roll}
spec:
  selector: {app: api}
  ports: [{port: 80}]
`;

/** wget from a client pod (busybox's wget -T crashes: `timeout` bounds it) */
const wget = (ns: string, url: string) => lab.kubectl(['exec', '-n', ns, 'client', '--', 'timeout', '10', 'wget', '-qO-', url], { timeoutMs: 20_000 });

beforeAll(async () => {
  lab = await startServe({ nodes: ['default'], timeoutMs: 90_000 });
  const r = await lab.kubectl(['apply', '-f', '-'], {
    input:
      namespaced('a') +
      '---' +
      namespaced('b') +
      '---' +
      namespaced('roll')
        .split('---')
        .filter((d) => !/app: web/.test(d))
        .join('---') +
      '---' +
      rolling,
  });
  if (r.code !== 0) throw new Error(`apply failed: ${r.stderr}`);
  for (const ns of ['a', 'b']) await kubectl('wait', '-n', ns, '--for=condition=Ready', 'pod/httpd', 'pod/client', '--timeout=90s');
  await kubectl('wait', '-n', 'roll', '--for=condition=Ready', 'pod/client', '--timeout=90s');
  await kubectl('rollout', 'status', '-n', 'roll', 'deployment/api', '--timeout=90s');
}, 240_000);

afterAll(async () => {
  await lab?.stop();
}, 60_000);

describe('Service names within namespaces', () => {
  it('each pod resolves its own namespace first: a relay per Service with only the fully qualified alias, resolv.conf with the search path', async () => {
    const search = await kubectl('exec', '-n', 'b', 'client', '--', 'cat', '/etc/resolv.conf');
    expect(search).toMatch(/^search b\.svc\.cluster\.local svc\.cluster\.local cluster\.local$/m);
    expect(search).toMatch(/^options ndots:5$/m);
    // the app container joined the sandbox's network namespace and shares its resolv.conf
    const clusterId = await lab.clusterId();
    const relays = await docker.listContainers({ filters: { label: [`kubelab.io/cluster=${clusterId}`, 'kubelab.io/component=relay'] } });
    const aliases = await Promise.all(
      relays.map(async (c) => (Object.values((await docker.getContainer(c.Id).inspect()).NetworkSettings.Networks)[0] as { Aliases?: string[] }).Aliases ?? []),
    );
    expect(aliases.flat()).toEqual(expect.arrayContaining(['web.a.svc.cluster.local', 'web.b.svc.cluster.local']));
    expect(aliases.flat()).not.toContain('web');
  });

  for (const [ns, url, want] of [
    ['a', 'http://web', 'from-a'],
    ['b', 'http://web', 'from-b'],
    ['b', 'http://web.a', 'from-a'],
    ['a', 'http://web.b', 'from-b'],
    ['a', 'http://web.b.svc.cluster.local', 'from-b'],
  ] as const) {
    it(`from namespace ${ns}, ${url} answers ${want}`, async () => {
      const r = await wget(ns, url);
      expect(r.stderr).toBe('');
      expect(r.stdout.trim()).toBe(want);
    });
  }

  // (a pod's own hostname, its name, does resolve on its node's network: Docker's DNS registers sandbox hostnames)
  it('a Service name only other namespaces have does not resolve by its short form', async () => {
    const r = await wget('roll', 'http://web');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("bad address 'web'");
    expect(r.stdout).toBe('');
  });
});

describe('Service continuity', () => {
  it('200 requests through `kubectl rollout restart`: every endpoint replaced, none fails', async () => {
    const before = (await kubectl('get', 'pods', '-n', 'roll', '-l', 'app=api', '-o', 'jsonpath={.items[*].metadata.uid}')).split(' ');
    const relayIds = async () => {
      const clusterId = await lab.clusterId();
      return (await docker.listContainers({ filters: { label: [`kubelab.io/cluster=${clusterId}`, 'kubelab.io/service=roll/api'] } })).map((c) => c.Id);
    };
    const relaysBefore = await relayIds();
    // the loop writes its progress, so the restart starts once it runs; usleep spreads 200 requests over the rollout
    const loop = lab.kubectl(
      [
        'exec',
        '-n',
        'roll',
        'client',
        '--',
        'sh',
        '-c',
        'ok=0; fail=0; i=0; while [ $i -lt 200 ]; do if timeout 10 wget -qO- http://api >/dev/null; then ok=$((ok+1)); else fail=$((fail+1)); fi; i=$((i+1)); echo $i > /tmp/progress; usleep 150000; done; echo ok=$ok fail=$fail',
      ],
      { timeoutMs: 180_000 },
    );
    let loopDone = false;
    void loop.then(() => (loopDone = true));
    await kubectl('exec', '-n', 'roll', 'client', '--', 'sh', '-c', 'until [ -s /tmp/progress ]; do usleep 50000; done');
    await kubectl('rollout', 'restart', '-n', 'roll', 'deployment/api');
    await kubectl('rollout', 'status', '-n', 'roll', 'deployment/api', '--timeout=120s');
    expect(loopDone, 'the rollout finished while the loop still ran').toBe(false);
    const r = await loop;
    expect(r.stdout.trim()).toBe('ok=200 fail=0');
    const after = (await kubectl('get', 'pods', '-n', 'roll', '-l', 'app=api', '-o', 'jsonpath={.items[*].metadata.uid}')).split(' ');
    expect(after.filter((u) => before.includes(u))).toEqual([]);
    expect(await relayIds()).toEqual(relaysBefore);
  }, 240_000);
});
