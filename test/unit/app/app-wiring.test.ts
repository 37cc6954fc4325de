// main/app/index.ts, the thin wiring, loaded against a fake of the electron module and a fake Cluster: what a
// first real start would do (window, IPC, links, menu, single instance, quit), minus Electron's binary.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { rmSync } from 'node:fs';
import type { fakeElectronModule, FakeBrowserWindow } from './fake-electron';
import { fakeEvent, FakeWebContents } from './fake-electron';

type FakeElectron = ReturnType<typeof fakeElectronModule>;

const h = vi.hoisted(() => ({
  electron: undefined as unknown as FakeElectron,
  userData: '',
  clusters: [] as { steps: string[]; opts: { dataDir: string } }[],
  stopGate: undefined as Promise<void> | undefined,
}));

vi.mock('electron', async () => {
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { fakeElectronModule: make } = await import('./fake-electron');
  h.userData = mkdtempSync(join(tmpdir(), 'kubelab-app-'));
  h.electron = make(h.userData);
  return h.electron;
});

vi.mock('../../../main/cluster', async () => {
  const { EventEmitter } = await import('node:events');
  /** A fake Cluster: records start and stop, reports a status. */
  class FakeCluster extends EventEmitter {
    steps: string[] = [];
    kubeconfig?: string;
    constructor(readonly opts: { dataDir: string }) {
      super();
      h.clusters.push(this);
    }
    status() {
      return { phase: 'STARTING', progress: { current: 2, max: 7, description: 'Serving the API on HTTPS' }, dataDir: this.opts.dataDir };
    }
    async contexts() {
      return [{ name: 'default', host: 'unix:///var/run/docker.sock', current: true }];
    }
    async start() {
      this.steps.push('start');
    }
    async stop() {
      this.steps.push('stop');
      await h.stopGate;
      this.steps.push('stopped');
    }
  }
  return { Cluster: FakeCluster };
});

let e: FakeElectron;
let win: FakeBrowserWindow;

beforeAll(async () => {
  await import('../../../main/app/index');
  e = h.electron;
  e.app.ready();
  await vi.waitFor(() => expect(e.BrowserWindow.all.length).toBe(1));
  win = e.BrowserWindow.all[0];
});

afterAll(() => {
  rmSync(h.userData, { recursive: true, force: true });
});

/** An ipcMain.handle event as Electron builds it for a frame of a page. */
const ipcEvent = (sender: FakeWebContents, frame = sender.mainFrame) => ({ sender, senderFrame: frame });

describe('the app, wired to a fake Electron', () => {
  it('opens one window: sandboxed, context-isolated, no Node, the packaged preload, the built page', () => {
    const prefs = win.options.webPreferences;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
    expect(prefs.preload).toMatch(/\/preload\/index\.cjs$/);
    expect(win.loaded).toMatch(/^file:\/\/\/.*\/renderer\/index\.html$/);
    expect(win.options).toMatchObject({ width: 1380, height: 880, show: false, backgroundColor: '#f6f7f9' });
  });

  it('starts the lab with the app, in the app data folder', () => {
    expect(h.clusters).toHaveLength(1);
    expect(h.clusters[0].steps).toEqual(['start']);
    expect(h.clusters[0].opts.dataDir).toBe(`${h.userData}/lab`);
  });

  it('grants our page the clipboard (terminal paste, copy buttons) and refuses every other permission prompt', () => {
    const ask = (perm: string, requestingUrl: string) => {
      let granted: boolean | undefined;
      e.rec.permissionHandler!({ getURL: () => requestingUrl }, perm, (ok: boolean) => (granted = ok), { requestingUrl });
      return granted;
    };
    expect(ask('clipboard-read', `${win.loaded}#/r/pods`)).toBe(true);
    expect(ask('clipboard-sanitized-write', win.loaded!)).toBe(true);
    expect(ask('media', win.loaded!)).toBe(false);
    expect(ask('clipboard-read', 'https://evil.example/')).toBe(false);
  });

  it('answers permission checks as the prompts, refusing by default, and no page gets a device', () => {
    const check = (perm: string, requestingUrl: string | undefined, origin: string) =>
      e.rec.permissionCheck!({ getURL: () => win.loaded }, perm, origin, { requestingUrl });
    expect(check('clipboard-read', `${win.loaded}#/r/pods`, 'file://')).toBe(true);
    expect(check('clipboard-sanitized-write', win.loaded!, 'file://')).toBe(true);
    for (const perm of ['media', 'notifications', 'geolocation', 'midi', 'hid', 'serial', 'usb', 'fullscreen', 'pointerLock']) {
      expect(check(perm, win.loaded!, 'file://'), perm).toBe(false);
    }
    expect(check('clipboard-read', 'https://evil.example/', 'https://evil.example')).toBe(false);
    expect(e.rec.deviceHandler!({ deviceType: 'usb', origin: 'file://' })).toBe(false);
  });

  it("sets the native menu with the lab's actions", () => {
    const file = (e.rec.menu as { label?: string; submenu?: { label?: string }[] }[]).find((m) => m.label === 'File')!;
    expect(file.submenu!.map((i) => i.label).filter(Boolean)).toEqual(['Apply manifest…', 'Open data folder', 'Copy kubeconfig path', 'Stop all pods']);
  });

  it("answers IPC from the page's main frame with the lab (cluster status, Docker contexts), and pushes status to it", async () => {
    const handle = e.ipcHandlers.get('kubelab:invoke')!;
    const wc = win.webContents;
    await expect(handle(ipcEvent(wc), 'cluster:status', undefined)).resolves.toMatchObject({
      result: { phase: 'STARTING', progress: { description: 'Serving the API on HTTPS' } },
    });
    await expect(handle(ipcEvent(wc), 'nodes:contexts', undefined)).resolves.toMatchObject({ result: [{ name: 'default', current: true }] });
    (h.clusters[0] as unknown as { emit(ev: string, s: unknown): void }).emit('status', { phase: 'STARTED' });
    expect(wc.sent).toContainEqual(['kubelab:event', 'cluster:status', { phase: 'STARTED' }]);
  });

  it('refuses IPC from an iframe and from a page that is not ours, with a 403', async () => {
    const handle = e.ipcHandlers.get('kubelab:invoke')!;
    const wc = win.webContents;
    const iframe = { url: wc.mainFrame.url, processId: 1, routingId: 999 };
    expect(await handle(ipcEvent(wc, iframe), 'cluster:status', undefined)).toMatchObject({ error: { status: 403, reason: 'Forbidden' } });
    const stranger = new FakeWebContents('https://evil.example/');
    expect(await handle(ipcEvent(stranger), 'cluster:status', undefined)).toMatchObject({ error: { status: 403, reason: 'Forbidden' } });
  });

  it("a route change keeps the page's watches; a reload ends them", async () => {
    const handle = e.ipcHandlers.get('kubelab:invoke')!;
    const wc = win.webContents;
    await handle(ipcEvent(wc), 'cluster:status', undefined);
    const pushes = () => wc.sent.filter((s) => s[1] === 'cluster:status').length;
    const emit = (s: unknown) => (h.clusters[0] as unknown as { emit(ev: string, s: unknown): void }).emit('status', s);
    wc.emit('did-start-navigation', { isMainFrame: true, isSameDocument: true, url: `${wc.mainFrame.url}#/r/pods` });
    const before = pushes();
    emit({ phase: 'STARTED' });
    expect(pushes()).toBe(before + 1);
    wc.emit('did-start-navigation', { isMainFrame: true, isSameDocument: false, url: wc.mainFrame.url });
    emit({ phase: 'STARTED' });
    expect(pushes()).toBe(before + 1);
  });

  it('blocks navigation and new windows; web links go to the system browser, others nowhere', () => {
    const wc = new FakeWebContents();
    e.app.emit('web-contents-created', {}, wc);
    expect(wc.windowOpenHandler!({ url: 'https://kubernetes.io/' })).toEqual({ action: 'deny' });
    expect(wc.windowOpenHandler!({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    const nav = fakeEvent();
    wc.emit('will-navigate', nav, 'javascript:alert(1)');
    expect(nav.defaultPrevented).toBe(true);
    const ours = fakeEvent();
    wc.emit('will-navigate', ours, `${win.loaded}#/r/pods`);
    expect(ours.defaultPrevented).toBe(false);
    const webview = fakeEvent();
    wc.emit('will-attach-webview', webview);
    expect(webview.defaultPrevented).toBe(true);
    expect(e.rec.openedExternal).toEqual(['https://kubernetes.io/']);
  });

  it('a second instance brings the window back instead of opening another', () => {
    win.minimized = true;
    e.app.emit('second-instance', {}, ['kubelab'], '/');
    expect(win.minimized).toBe(false);
    expect(win.focused).toBe(1);
    expect(e.BrowserWindow.all).toHaveLength(1);
  });

  it('closing the window remembers its bounds for the next start', async () => {
    const { loadWindowState } = await import('../../../main/app/window-state');
    win.emit('close', fakeEvent());
    expect(loadWindowState(`${h.userData}/window-state.json`, [{ x: 0, y: 0, width: 1920, height: 1080 }])).toEqual({ x: 10, y: 20, width: 1200, height: 800 });
  });

  it('quitting stops the lab first; a second quit meanwhile waits; then the app exits', async () => {
    let release!: () => void;
    h.stopGate = new Promise<void>((r) => (release = r));
    e.app.quit();
    e.app.quit();
    expect(e.app.exited).toBe(false);
    await vi.waitFor(() => expect(h.clusters[0].steps).toEqual(['start', 'stop']));
    release();
    await vi.waitFor(() => expect(e.app.exited).toBe(true));
    expect(h.clusters[0].steps).toEqual(['start', 'stop', 'stopped']);
  });
});

describe('single instance', () => {
  it('a second start of the app quits at once, before starting a lab', async () => {
    // the electron mock stays registered across resetModules: the same fake app, now without the lock
    vi.resetModules();
    h.electron.app.singleInstance = false;
    h.electron.app.quitRequests = 0;
    const clustersBefore = h.clusters.length;
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => {
      throw new Error('process.exit');
    }) as never);
    try {
      await expect(import('../../../main/app/index')).rejects.toThrow('process.exit');
      expect(h.electron.app.quitRequests).toBe(1);
      expect(exit).toHaveBeenCalledWith(0);
      expect(h.clusters.length).toBe(clustersBefore);
    } finally {
      exit.mockRestore();
      rmSync(h.userData, { recursive: true, force: true });
    }
  });
});
