import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { BridgeError, toErrorShape, unwrap, envelope, type BridgeWatchEvent, type KubelabApi } from '../../../main/bridge/contract';
import { BridgeServer, SHELL_FALLBACK } from '../../../main/bridge/server';
import { CLOSE_UNAUTHORIZED, createBridgeWsHandler } from '../../../main/bridge/ws';
import { errors } from '../../../main/api/errors';
import { fakeBackend } from './fake-backend';
import { connectApi } from './transports';

const pods = { group: '', version: 'v1', resource: 'pods' };
const pod = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: { containers: [{ name: 'c', image: 'nginx' }] },
});

async function until<T>(fn: () => T | undefined, ms = 3000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The in-memory transport: what Electron IPC does, minus the process boundary (JSON round trip included). */
describe('error envelope', () => {
  it.each([
    [
      'StatusError keeps code, reason and message',
      errors.alreadyExists({ kind: 'pods', name: 'web' }),
      { name: 'StatusError', message: 'pods "web" already exists', status: 409, reason: 'AlreadyExists' },
    ],
    ['plain Error keeps its message', new Error('boom'), { name: 'Error', message: 'boom' }],
    ['a string becomes an Error', 'nope', { name: 'Error', message: 'nope' }],
  ])('%s', (_n, err, shape) => {
    expect(toErrorShape(err)).toMatchObject(shape);
  });

  it('carries Invalid causes and re-throws them as a BridgeError', async () => {
    const env = await envelope(() => {
      throw errors.invalid('Pod', undefined, 'Web', [{ field: 'metadata.name', type: 'FieldValueInvalid', message: 'Invalid value: "Web"' }]);
    });
    let thrown: unknown;
    try {
      unwrap(env);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(BridgeError);
    expect((thrown as BridgeError).message).toBe('Pod "Web" is invalid: metadata.name: Invalid value: "Web"');
    expect((thrown as BridgeError).status).toBe(422);
    expect((thrown as BridgeError).causes[0].field).toBe('metadata.name');
  });
});

describe.each(['direct', 'websocket'] as const)('bridge over %s transport', (mode) => {
  let api: KubelabApi;
  let fake: ReturnType<typeof fakeBackend>;
  const cleanups: (() => void | Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function setup() {
    fake = fakeBackend();
    const c = await connectApi(new BridgeServer(fake.backend), mode);
    cleanups.push(c.close);
    api = c.api;
  }

  it('creates, gets and lists; errors come back as Status messages', async () => {
    await setup();
    const created = await api.api.create({ ref: pods, object: pod('web'), namespace: 'default' });
    expect(created.metadata.uid).toBe('uid-web');
    expect((await api.api.get({ ref: pods, name: 'web', namespace: 'default' })).metadata.name).toBe('web');
    expect((await api.api.list({ ref: pods, namespace: 'default' })).items).toHaveLength(1);
    await expect(api.api.create({ ref: pods, object: pod('web'), namespace: 'default' })).rejects.toThrow('pods "web" already exists');
    await expect(api.api.get({ ref: pods, name: 'nope', namespace: 'default' })).rejects.toMatchObject({ status: 404, message: 'pods "nope" not found' });
  });

  it('applies a multi-document manifest: created, then configured', async () => {
    await setup();
    const manifest =
      'apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  containers:\n  - name: c\n    image: nginx\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  k: v\n';
    const first = await api.api.apply({ manifest, namespace: 'default' });
    expect(first.map((r) => `${r.kind}/${r.name} ${r.action}`)).toEqual(['Pod/a created', 'ConfigMap/cfg created']);
    const second = await api.api.apply({ manifest: manifest.replace('k: v', 'k: w'), namespace: 'default' });
    expect(second.map((r) => r.action)).toEqual(['configured', 'configured']);
    expect((second[1].object as { data?: Record<string, string> }).data).toEqual({ k: 'w' });
    await expect(api.api.apply({ manifest: 'apiVersion: v9\nkind: Gizmo\nmetadata:\n  name: x\n' })).rejects.toThrow(
      'no matches for kind "Gizmo" in version "v9"',
    );
    await expect(api.api.apply({ manifest: 'kind: [\n' })).rejects.toThrow(/error parsing manifest/);
  });

  it('watch: the list arrives as a resync, then live events; stop ends the server-side watch', async () => {
    await setup();
    await api.api.create({ ref: pods, object: pod('one'), namespace: 'default' });
    const seen: { events: BridgeWatchEvent[]; resync: boolean }[] = [];
    const stop = await api.watch({ ref: pods, namespace: 'default' }, { onEvents: (events, resync) => seen.push({ events, resync }) });
    await until(() => seen.length >= 1);
    expect(seen[0].resync).toBe(true);
    expect(seen[0].events.map((e) => e.object.metadata.name)).toEqual(['one']);
    await until(() => fake.watcherCount() === 1);
    await api.api.create({ ref: pods, object: pod('two'), namespace: 'default' });
    await api.api.delete({ ref: pods, name: 'one', namespace: 'default' });
    await until(() => seen.flatMap((s) => s.events).length >= 3);
    expect(
      seen
        .slice(1)
        .flatMap((s) => s.events)
        .map((e) => `${e.type} ${e.object.metadata.name}`),
    ).toEqual(['ADDED two', 'DELETED one']);
    await stop();
    await until(() => fake.watcherCount() === 0);
  });

  it('watch: two changes of one object in one tick arrive in two batches, so the UI shows both states', async () => {
    await setup();
    await api.api.create({ ref: pods, object: pod('web'), namespace: 'default' });
    const seen: BridgeWatchEvent[][] = [];
    const stop = await api.watch({ ref: pods, namespace: 'default' }, { onEvents: (events, resync) => !resync && seen.push(events) });
    await until(() => fake.watcherCount() === 1);
    const type = { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespaced: true } as never;
    void fake.backend.client.patch(
      type,
      'web',
      'application/merge-patch+json',
      { status: { phase: 'Pending', reason: 'ContainerCreating' } },
      { namespace: 'default' },
    );
    void fake.backend.client.patch(type, 'web', 'application/merge-patch+json', { status: { phase: 'Running' } }, { namespace: 'default' });
    void api.api.create({ ref: pods, object: pod('other'), namespace: 'default' });
    await until(() => seen.flat().length >= 3);
    expect(seen.map((b) => b.map((e) => `${e.object.metadata.name} ${(e.object as { status?: { phase?: string } }).status?.phase ?? '-'}`))).toEqual([
      ['web Pending'],
      ['web Running', 'other -'],
    ]);
    await stop();
  });

  it('logs stream chunks and end', async () => {
    await setup();
    const chunks: string[] = [];
    let ended = false;
    await api.logs(
      { namespace: 'default', pod: 'web', timestamps: true },
      (c) => chunks.push(c),
      () => (ended = true),
    );
    await until(() => ended);
    expect(chunks.join('')).toBe('2026-01-01T00:00:00Z line 1\n2026-01-01T00:00:00Z line 2\n');
  });

  it('exec session: shell fallback, write, resize, exit code', async () => {
    await setup();
    const s = await api.exec({ namespace: 'default', pod: 'web', tty: true });
    let out = '';
    let exit: number | undefined;
    s.onData((d) => (out += d));
    s.onExit((c) => (exit = c));
    await s.write('echo hi\n');
    await s.resize(120, 40);
    await until(() => out.includes('ECHO HI'));
    expect(out.startsWith(`$ ${SHELL_FALLBACK.join(' ')}`)).toBe(true);
    await s.write('exit 3\n');
    await until(() => exit !== undefined);
    expect(exit).toBe(3);
    expect(fake.execWrites).toContain('resize 120x40');
  });

  it('image pull progress is listed and pushed per layer', async () => {
    await setup();
    expect(await api.pulls.list()).toEqual([]);
    const got: number[] = [];
    api.pulls.onProgress((p) => got.push(p[0]?.layers[0]?.current ?? -1));
    fake.setPulls([{ node: 'node-1', image: 'nginx:1.22', layers: [{ id: 'a1', status: 'Downloading', current: 10, total: 100 }] }]);
    fake.setPulls([{ node: 'node-1', image: 'nginx:1.22', layers: [{ id: 'a1', status: 'Downloading', current: 60, total: 100 }] }]);
    await until(() => got.length === 2);
    expect(got).toEqual([10, 60]);
  });

  it('cluster status is pushed; step mode toggles', async () => {
    await setup();
    const got: string[] = [];
    api.cluster.onStatus((s) => got.push(s.phase));
    expect((await api.cluster.status()).phase).toBe('STARTED');
    fake.setStatus({ phase: 'STOPPING' });
    await until(() => got.includes('STOPPING'));
    const s = await api.step.set({ target: { component: 'kubelet', node: 'node-1' }, paused: true });
    expect(s.kubelets['node-1']).toBe(true);
    await expect(api.cluster.stopAllPods()).rejects.toThrow('stop all pods is not available in this lab');
  });
});

describe('websocket authentication', () => {
  it('takes only pages of its own origin that send the token first; the cookie or URL carries nothing', async () => {
    const server = new BridgeServer(fakeBackend().backend);
    const handler = createBridgeWsHandler(server, { token: 'right' });
    const http = createServer();
    http.on('upgrade', (req, sock, head) => handler.handleUpgrade(req, sock, head) || sock.destroy());
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const port = (http.address() as AddressInfo).port;
    const own = `http://127.0.0.1:${port}`;
    /** the handshake's HTTP status, or the close code after the frames were sent, or 'answered' if an invoke got a result */
    const attempt = (origin: string | undefined, frames: unknown[], path = '/bridge') =>
      new Promise<string>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, origin ? { origin } : {});
        ws.on('open', () => frames.forEach((f) => ws.send(JSON.stringify(f))));
        ws.on('message', (d) => {
          if ((JSON.parse(String(d)) as { t: string }).t === 'result') {
            ws.close();
            resolve('answered');
          }
        });
        ws.on('close', (code) => resolve(String(code)));
        ws.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
        ws.on('error', () => {});
      });
    const invoke = { t: 'invoke', n: 1, c: 'cluster:status', a: [] };
    const auth = (token: string) => ({ t: 'auth', token });
    expect(await attempt(undefined, [auth('right'), invoke]), 'no Origin').toBe('403');
    expect(await attempt('http://evil.example', [auth('right'), invoke]), 'another site').toBe('403');
    expect(await attempt('http://127.0.0.1:30080', [auth('right'), invoke]), "a pod's NodePort page: same site, other origin").toBe('403');
    expect(await attempt(own, [auth('wrong'), invoke]), 'wrong token').toBe(String(CLOSE_UNAUTHORIZED));
    expect(await attempt(own, [invoke, auth('right')]), 'an invoke before the token').toBe(String(CLOSE_UNAUTHORIZED));
    expect(await attempt(own, [invoke], '/bridge?token=right'), 'the token in the URL is no credential').toBe(String(CLOSE_UNAUTHORIZED));
    expect(await attempt(own, [auth('right'), invoke])).toBe('answered');
    handler.close();
    await new Promise<void>((r) => http.close(() => r()));
  });
});
