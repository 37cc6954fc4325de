// The preload against fakes of contextBridge and ipcRenderer, with the renderer building its API on what it exposes.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { BridgeError, createKubelabApi, toErrorShape, type BridgeTransport, type KubelabApi } from '../../../main/bridge/contract';
import { IPC_EVENT, IPC_INVOKE } from '../../../main/bridge/ipc';
import { errors } from '../../../main/api/errors';
import { reactive } from 'vue';
import { ipcTransport } from '../../../renderer/bridge/ipc-transport';
import { FakeContextBridge, FakeIpcRenderer, crossWorld } from './fake-electron';

const fake = vi.hoisted(() => ({ contextBridge: undefined as unknown as FakeContextBridge, ipcRenderer: undefined as unknown as FakeIpcRenderer }));
vi.mock('electron', async () => {
  const { FakeContextBridge: CB, FakeIpcRenderer: IR } = await import('./fake-electron');
  fake.contextBridge = new CB();
  fake.ipcRenderer = new IR();
  return { contextBridge: fake.contextBridge, ipcRenderer: fake.ipcRenderer };
});

const pods = { group: '', version: 'v1', resource: 'pods' };
let api: KubelabApi;

beforeAll(async () => {
  await import('../../../preload/index');
  // what renderer/bridge does with window.kubelab
  api = createKubelabApi(ipcTransport(fake.contextBridge.mainWorld.kubelab as BridgeTransport));
});

describe('preload: window.kubelab', () => {
  it('exposes one object, kubelab, and ipcRenderer is not on it', () => {
    expect(Object.keys(fake.contextBridge.mainWorld)).toEqual(['kubelab']);
    expect(Object.keys(fake.contextBridge.mainWorld.kubelab as object).sort()).toEqual(['invoke', 'on']);
  });

  it('a request goes over the one invoke channel with its contract channel and args', async () => {
    fake.ipcRenderer.handler = (_ch, channel, args) => ({ result: { kind: 'Pod', metadata: { name: (args as { name: string }).name }, channel } });
    const pod = await api.api.get({ ref: pods, name: 'web', namespace: 'default' });
    expect(pod).toMatchObject({ metadata: { name: 'web' }, channel: 'api:get' });
    expect(fake.ipcRenderer.invoked.at(-1)).toEqual({ channel: IPC_INVOKE, args: ['api:get', { ref: pods, name: 'web', namespace: 'default' }] });
  });

  it('an Invalid error reaches the renderer as a BridgeError with its status and field causes (the YAML editor marks lines with them)', async () => {
    const invalid = errors.invalid('Pod', undefined, 'web', [{ field: 'spec.containers[0].image', type: 'FieldValueRequired', message: 'Required value' }]);
    fake.ipcRenderer.handler = () => ({ error: toErrorShape(invalid) });
    const err = await api.api.apply({ manifest: 'kind: Pod' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BridgeError);
    expect(err).toMatchObject({ status: 422, reason: 'Invalid', causes: [{ field: 'spec.containers[0].image' }] });
  });

  it('what goes wrong if the preload threw instead: contextBridge keeps only the message', () => {
    const copied = crossWorld(new BridgeError({ name: 'Invalid', message: 'Pod "web" is invalid', status: 422, causes: [{ field: 'x' }] })) as Record<
      string,
      unknown
    >;
    expect(copied).not.toBeInstanceOf(BridgeError);
    expect(copied.causes).toBeUndefined();
  });

  it('a forbidden-sender answer from main is a 403 BridgeError', async () => {
    fake.ipcRenderer.handler = () => ({ error: { name: 'Forbidden', message: 'forbidden', status: 403, reason: 'Forbidden' } });
    await expect(api.cluster.status()).rejects.toMatchObject({ status: 403, reason: 'Forbidden' });
  });

  it('pushed events fan out by contract channel: a watch gets its batches, an unsubscribed listener nothing', async () => {
    fake.ipcRenderer.handler = (_ch, channel) => (channel === 'watch:start' ? { result: 'w1' } : { result: undefined });
    const seen: string[] = [];
    const stop = await api.watch({ ref: pods }, { onEvents: (evs) => evs.forEach((e) => seen.push(`${e.type} ${e.object.metadata.name}`)) });
    fake.ipcRenderer.emit(IPC_EVENT, 'watch:event', { id: 'w1', events: [{ type: 'ADDED', object: { kind: 'Pod', metadata: { name: 'web' } } }] });
    fake.ipcRenderer.emit(IPC_EVENT, 'watch:event', { id: 'other', events: [{ type: 'ADDED', object: { kind: 'Pod', metadata: { name: 'x' } } }] });
    expect(seen).toEqual(['ADDED web']);
    const statuses: string[] = [];
    const off = api.cluster.onStatus((s) => statuses.push(s.phase));
    fake.ipcRenderer.emit(IPC_EVENT, 'cluster:status', { phase: 'STARTING', progress: { current: 1, max: 7, description: 'Opening the store' } });
    off();
    fake.ipcRenderer.emit(IPC_EVENT, 'cluster:status', { phase: 'STARTED' });
    expect(statuses).toEqual(['STARTING']);
    await stop();
    expect(fake.ipcRenderer.invoked.at(-1)?.args).toEqual(['watch:stop', { id: 'w1' }]);
    expect(fake.ipcRenderer.listenerCount(IPC_EVENT)).toBe(1);
  });

  it("a patch built from the stores' reactive state crosses (contextBridge cannot clone a Proxy)", async () => {
    fake.ipcRenderer.handler = (_ch, _channel, args) => ({
      result: { kind: 'Node', metadata: { name: 'node2' }, spec: (args as { patch: { spec: unknown } }).patch.spec },
    });
    const taints = reactive([{ key: 'gpu', value: 'true', effect: 'NoSchedule' }]);
    const raw = fake.contextBridge.mainWorld.kubelab as BridgeTransport;
    expect(() => raw.invoke('api:patch', { ref: { group: '', version: 'v1', resource: 'nodes' }, name: 'node2', patch: { spec: { taints } } })).toThrow(
      /could not be cloned/,
    );
    const node = await api.api.patch({ ref: { group: '', version: 'v1', resource: 'nodes' }, name: 'node2', patch: { spec: { taints } } });
    expect(node.spec).toEqual({ taints: [{ key: 'gpu', value: 'true', effect: 'NoSchedule' }] });
  });

  it('refuses channels outside the contract', async () => {
    const t = fake.contextBridge.mainWorld.kubelab as { invoke(c: string, a: unknown): Promise<unknown>; on(c: string, cb: () => void): unknown };
    const before = fake.ipcRenderer.invoked.length;
    await expect(t.invoke('fs:readFile', '/etc/passwd')).resolves.toMatchObject({ error: { status: 400 } });
    expect(fake.ipcRenderer.invoked.length).toBe(before);
    expect(() => t.on('anything', () => {})).toThrow(/unknown event channel/);
  });
});
