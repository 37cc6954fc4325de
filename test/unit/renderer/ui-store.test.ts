// The ui store (toasts, theme) and the namespace action through the real bridge contract, in plain Node:
// the browser globals it touches are fakes.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { nextTick } from 'vue';
import { createKubelabApi, type BridgeEvents, type EventChannel } from '../../../main/bridge/contract';
import { BridgeServer } from '../../../main/bridge/server';
import { fakeBackend } from '../bridge/fake-backend';

function fakeMedia(dark: boolean) {
  const cbs = new Set<() => void>();
  const m = {
    matches: dark,
    addEventListener: (_: string, cb: () => void) => cbs.add(cb),
    set(d: boolean) {
      m.matches = d;
      cbs.forEach((cb) => cb());
    },
  };
  return m;
}

let media: ReturnType<typeof fakeMedia>;
let root: { dataset: Record<string, string> };
beforeEach(() => {
  const store = new Map<string, string>();
  media = fakeMedia(true);
  root = { dataset: {} };
  vi.stubGlobal('localStorage', { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => store.set(k, v) });
  vi.stubGlobal('window', { matchMedia: () => media });
  vi.stubGlobal('document', { documentElement: root });
  vi.stubGlobal('location', { search: '', protocol: 'http:', host: 'fake' });
  vi.stubGlobal('navigator', { languages: ['en-US'], language: 'en-US' });
  setActivePinia(createPinia());
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('ui store', () => {
  it('follows the OS theme while the choice is "system", and a choice overrides it', async () => {
    const { useUiStore } = await import('../../../renderer/stores/ui');
    const ui = useUiStore();
    expect(root.dataset.theme).toBe('dark');
    media.set(false);
    expect(root.dataset.theme).toBe('light');
    ui.theme = 'dark';
    await nextTick();
    expect(root.dataset.theme).toBe('dark');
    media.set(true);
    media.set(false);
    expect(root.dataset.theme).toBe('dark');
  });

  it('toasts go by themselves (errors stay longer), stay while held, and fold repeats', async () => {
    vi.useFakeTimers();
    const { useUiStore } = await import('../../../renderer/stores/ui');
    const ui = useUiStore();
    ui.toast('ok', 'saved');
    ui.error(Object.assign(new Error('pods "web" already exists'), { reason: 'AlreadyExists', status: 409 }));
    ui.error(Object.assign(new Error('pods "web" already exists'), { reason: 'AlreadyExists', status: 409 }));
    expect(ui.toasts.map((t) => [t.message, t.title, t.count])).toEqual([
      ['saved', undefined, 1],
      ['pods "web" already exists', 'AlreadyExists (409)', 2],
    ]);
    vi.advanceTimersByTime(4500);
    expect(ui.toasts.map((t) => t.message)).toEqual(['pods "web" already exists']);
    ui.holdToast(ui.toasts[0].id, true);
    vi.advanceTimersByTime(60_000);
    expect(ui.toasts).toHaveLength(1);
    ui.holdToast(ui.toasts[0].id, false);
    vi.advanceTimersByTime(9500);
    expect(ui.toasts).toHaveLength(0);
  });
});

describe('createNamespace action', () => {
  it("creates; an existing name is the server's AlreadyExists, as a toast", async () => {
    const fake = fakeBackend();
    const conn = new BridgeServer(fake.backend).connect(() => {});
    const { setBridge } = await import('../../../renderer/bridge');
    setBridge(
      createKubelabApi({
        invoke: (c, a) => conn.invoke(c, a) as never,
        on<E extends EventChannel>(_c: E, _cb: (p: BridgeEvents[E]) => void) {
          return () => {};
        },
      }),
    );
    const { useActionsStore } = await import('../../../renderer/stores/actions');
    const { useUiStore } = await import('../../../renderer/stores/ui');
    const actions = useActionsStore();
    const ui = useUiStore();
    expect(await actions.createNamespace('shop')).toBe(true);
    expect(ui.equivalent?.command).toBe('kubectl create namespace shop');
    expect(await actions.createNamespace('shop')).toBe(false);
    const err = ui.toasts.find((t) => t.tone === 'err');
    expect(err?.message).toContain('"shop" already exists');
    expect(err?.title).toBe('AlreadyExists (409)');
    conn.close();
  });
});
