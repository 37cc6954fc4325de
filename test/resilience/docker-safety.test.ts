// The Docker side of the lab's safety: what a user types (names, labels, annotations, images, commands, env) never
// reaches a shell on the host — it is rejected (422) or stored and run as plain argv — and the lab never removes,
// stops or restarts a container it did not create, even one that carries look-alike io.kubernetes.* labels.
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import Docker from 'dockerode';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { images, mainSocket, registry } from '../fixtures/env';
import { labApi, type LabApi } from '../fixtures/lab-api';
import { removeLabObjects, startServe, type Serve } from '../fixtures/serve';

const docker = new Docker({ socketPath: mainSocket });
const FOREIGN_LABEL = 'kubelab.io/test-foreign';
const tag = `docker-safety-${process.pid}`;
/** Every payload would create a file whose name starts with this in the host's temp dir if a host shell ran it. */
const marker = `kubelab-pwned-${process.pid}`;
const markerPath = (x: string) => `${tmpdir()}/${marker}-${x}`;
const markersOnHost = () => readdirSync(tmpdir()).filter((f) => f.startsWith(marker));

const evil = [
  `$(touch ${markerPath('dollar')})`,
  `\`touch ${markerPath('backtick')}\``,
  `; touch ${markerPath('semicolon')}; rm -rf /tmp/${marker}-nothing`,
  `' && touch ${markerPath('quote')} && echo "`,
  `line\ntouch ${markerPath('newline')}`,
  `| touch ${markerPath('pipe')} &`,
];

let serve: Serve | undefined;
let api: LabApi;

interface PodJson {
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: { containers: { name: string; image: string; command?: string[]; env?: { name: string; value?: string }[] }[] };
  status?: { phase?: string; containerStatuses?: { name: string; state?: { waiting?: { reason?: string } } }[] };
}

const pod = (name: string, spec: Record<string, unknown>, meta: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, ...meta },
  spec: { restartPolicy: 'Never', terminationGracePeriodSeconds: 0, ...spec },
});

const getPod = async (name: string) => (await api.call<PodJson>('GET', `/api/v1/namespaces/default/pods/${name}`)).body;

async function logs(name: string, container: string): Promise<string> {
  const r = await serve!.kubectl(['logs', name, '-c', container]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

/** Calls the bridge (the UI's window.kubelab over its WebSocket) once. */
async function bridgeInvoke(s: Serve, channel: string, args: unknown): Promise<{ result?: unknown; error?: { message: string } }> {
  const url = new URL(s.ui);
  const ws = new WebSocket(`ws://${url.host}/bridge`, { origin: `http://${url.host}` });
  try {
    await new Promise((res, rej) => ws.once('open', res).once('error', rej));
    ws.send(JSON.stringify({ t: 'auth', token: url.searchParams.get('token') }));
    const answer = new Promise<{ env: { result?: unknown; error?: { message: string } } }>((res) =>
      ws.on('message', (d) => {
        const f = JSON.parse(String(d)) as { t: string; n?: number; env: { result?: unknown; error?: { message: string } } };
        if (f.t === 'result' && f.n === 1) res(f);
      }),
    );
    ws.send(JSON.stringify({ t: 'invoke', n: 1, c: channel, a: args }));
    return (await answer).env;
  } finally {
    ws.close();
  }
}

beforeAll(async () => {
  serve = await startServe();
  api = labApi(serve);
});

afterAll(async () => {
  await serve?.stop();
  for (const f of markersOnHost()) await rm(`${tmpdir()}/${f}`, { force: true, recursive: true });
});

describe('user input never reaches a host shell', () => {
  it.each([
    ['a name', pod(`x${evil[0]}`, { containers: [{ name: 'app', image: images.busybox }] }), 'metadata.name'],
    ['a label value', pod('evil-label', { containers: [{ name: 'app', image: images.busybox }] }, { labels: { app: evil[1] } }), 'metadata.labels'],
    ['a label key', pod('evil-label-key', { containers: [{ name: 'app', image: images.busybox }] }, { labels: { [evil[2]]: 'x' } }), 'metadata.labels'],
    ['a container name', pod('evil-container', { containers: [{ name: evil[3], image: images.busybox }] }), 'spec.containers[0].name'],
    [
      'an env var name',
      pod('evil-env-name', { containers: [{ name: 'app', image: images.busybox, env: [{ name: evil[5], value: 'x' }] }] }),
      'spec.containers[0].env[0].name',
    ],
  ])('%s with shell metacharacters is refused with 422 Invalid', async (_what, manifest, field) => {
    const r = await api.call<{ kind: string; reason: string; details?: { causes?: { field?: string }[] } }>(
      'POST',
      '/api/v1/namespaces/default/pods',
      manifest,
    );
    expect(r.status).toBe(422);
    expect(r.body.kind).toBe('Status');
    expect(r.body.reason).toBe('Invalid');
    expect(r.body.details?.causes?.some((c) => c.field?.startsWith(field))).toBe(true);
    expect(markersOnHost()).toEqual([]);
  });

  it('annotations, command, args and env values are stored verbatim and run as plain argv in the container', async () => {
    const annotations = Object.fromEntries(evil.map((e, i) => [`example.com/evil-${i}`, e]));
    const manifest = pod(
      'evil-argv',
      {
        containers: [
          { name: 'argv', image: images.busybox, imagePullPolicy: 'IfNotPresent', command: ['echo', ...evil.slice(0, 3)], args: evil.slice(3) },
          { name: 'env', image: images.busybox, imagePullPolicy: 'IfNotPresent', command: ['env'], env: [{ name: 'EVIL', value: evil.join(' ') }] },
        ],
      },
      { annotations },
    );
    const r = await api.call('POST', '/api/v1/namespaces/default/pods', manifest);
    expect(r.status).toBe(201);
    const stored = await getPod('evil-argv');
    expect(stored.metadata.annotations).toMatchObject(annotations);
    expect(stored.spec.containers[0].command).toEqual(['echo', ...evil.slice(0, 3)]);

    await expect.poll(async () => (await getPod('evil-argv')).status?.phase, { timeout: 120_000, interval: 500 }).toBe('Succeeded');
    // echo got each payload as one argument, untouched: nothing expanded, split or run
    expect(await logs('evil-argv', 'argv')).toBe(`${evil.join(' ')}\n`);
    // busybox-static has no printenv applet; env prints every variable, ours among them verbatim
    expect(await logs('evil-argv', 'env')).toContain(`\nEVIL=${evil.join(' ')}\n`);
    expect(markersOnHost()).toEqual([]);
  });

  it('an image reference with shell metacharacters fails to pull as a name and runs nothing', async () => {
    const image = `busybox;touch ${markerPath('image')}`;
    const r = await api.call(
      'POST',
      '/api/v1/namespaces/default/pods',
      pod('evil-image', { containers: [{ name: 'app', image, imagePullPolicy: 'IfNotPresent' }] }),
    );
    expect(r.status).toBe(201);
    await expect
      .poll(async () => (await getPod('evil-image')).status?.containerStatuses?.[0]?.state?.waiting?.reason ?? '', { timeout: 120_000, interval: 500 })
      .toMatch(/^(InvalidImageName|ErrImagePull|ImagePullBackOff)$/);
    expect((await getPod('evil-image')).status?.phase).toBe('Pending');
    expect(markersOnHost()).toEqual([]);
    expect(existsSync(markerPath('image'))).toBe(false);
  });
});

describe('the lab touches only its own containers', () => {
  interface Snapshot {
    id: string;
    status: string;
    startedAt: string;
    restartCount: number;
  }
  const foreign: { name: string; id?: string; before?: Snapshot }[] = [
    // look-alike: the labels the lab puts on a pod's container, with another lab's cluster id
    { name: `k8s_victim_victim_default_uid-${tag}_0` },
    // look-alike without any cluster label, as an older dockershim node left it
    { name: `k8s_POD_victim_default_uid-${tag}_0` },
    // a container that has nothing to do with any lab
    { name: `plain-${tag}` },
  ];
  const labelsOf = (i: number): Record<string, string> => {
    const own = { [FOREIGN_LABEL]: tag };
    if (i === 2) return own;
    const k8s = {
      'io.kubernetes.pod.name': 'victim',
      'io.kubernetes.pod.namespace': 'default',
      'io.kubernetes.pod.uid': `uid-${tag}`,
      'io.kubernetes.container.name': i === 0 ? 'victim' : 'POD',
      'io.kubernetes.docker.type': i === 0 ? 'container' : 'podsandbox',
    };
    return i === 0 ? { ...own, ...k8s, 'kubelab.io/cluster': `another-lab-${tag}`, 'kubelab.io/node': 'default' } : { ...own, ...k8s };
  };
  const snapshot = async (id: string): Promise<Snapshot> => {
    const c = await docker.getContainer(id).inspect();
    return { id: c.Id, status: c.State.Status, startedAt: c.State.StartedAt, restartCount: c.RestartCount };
  };
  let dataDir: string | undefined;
  let clusterId = '';

  beforeAll(async () => {
    for (const [i, f] of foreign.entries()) {
      const c = await docker.createContainer({ name: f.name, Image: images.busybox, Cmd: ['sleep', '3600'], Labels: labelsOf(i) });
      await c.start();
      f.id = c.id;
      f.before = await snapshot(c.id);
    }
  });

  afterAll(async () => {
    const left = await docker.listContainers({ all: true, filters: { label: [`${FOREIGN_LABEL}=${tag}`] } });
    await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true })));
    if (clusterId) await removeLabObjects(clusterId);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('pods named like them, stop all pods, a restart and kill -9 leave foreign containers untouched', async () => {
    dataDir = await mkdtemp(`${tmpdir()}/kubelab-safety-`);
    let s: Serve = await startServe({ dataDir });
    try {
      clusterId = await s.clusterId();
      // a pod with the very name and namespace the look-alikes claim
      const run = await s.kubectl(['run', 'victim', `--image=${images.busybox}`, '--image-pull-policy=IfNotPresent', '--', 'sleep', '3600']);
      expect(run.code, run.stderr).toBe(0);
      // `:latest` means imagePullPolicy Always: pull it, from the local registry
      const deploy = await s.kubectl(['create', 'deployment', 'safety', `--image=${registry.busybox}`, '--replicas=2', '--', 'sleep', '3600']);
      expect(deploy.code, deploy.stderr).toBe(0);
      expect((await s.kubectl(['wait', '--for=condition=Ready', 'pod/victim', '--timeout=180s'])).code).toBe(0);
      expect((await s.kubectl(['rollout', 'status', 'deployment/safety', '--timeout=180s'])).code).toBe(0);

      // "Stop all pods", as the UI's menu does it
      const stopped = await bridgeInvoke(s, 'cluster:stopAllPods', undefined);
      expect(stopped.error).toBeUndefined();
      expect(stopped.result).toBeGreaterThanOrEqual(3);
      await expect.poll(async () => (await s.kubectl(['get', 'pod', 'victim'])).code, { timeout: 60_000, interval: 500 }).not.toBe(0);
      expect((await s.kubectl(['rollout', 'status', 'deployment/safety', '--timeout=180s'])).code).toBe(0);

      // kill -9 (no clean stop), then a restart that adopts its containers and cleans up orphans
      s.process.kill('SIGKILL');
      await new Promise((r) => (s.process.exitCode !== null || s.process.signalCode !== null ? r(undefined) : s.process.once('exit', r)));
      s = await startServe({ dataDir });
      expect((await s.kubectl(['rollout', 'status', 'deployment/safety', '--timeout=180s'])).code).toBe(0);
      const del = await s.kubectl(['delete', 'deployment', 'safety', '--wait=true']);
      expect(del.code, del.stderr).toBe(0);
      // the lab's own containers for the deployment go away...
      await expect
        .poll(
          async () =>
            (await docker.listContainers({ all: true, filters: { label: [`kubelab.io/cluster=${clusterId}`, 'io.kubernetes.pod.namespace=default'] } })).length,
          { timeout: 90_000, interval: 500 },
        )
        .toBe(0);
      // ...and a clean stop, then a restart once more
      await s.stop();
      s = await startServe({ dataDir });
    } finally {
      await s.stop();
    }
    for (const f of foreign) expect(await snapshot(f.id!), f.name).toEqual(f.before);
    expect(foreign.every((f) => f.before?.status === 'running')).toBe(true);
  });
});
