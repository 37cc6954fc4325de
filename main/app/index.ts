// The Electron shell: the only module that imports 'electron'. One window onto the lab, one bridge, secure defaults.
import { app, BrowserWindow, Menu, clipboard, dialog, ipcMain, screen, session, shell, type MenuItemConstructorOptions, type WebContents } from 'electron';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Cluster } from '../cluster';
import { logger } from '../log';
import { BridgeServer, type BridgeConnection } from '../bridge/server';
import { clusterBackend } from '../bridge/cluster-backend';
import { IPC_EVENT, IPC_INVOKE } from '../bridge/ipc';
import { loadWindowState, saveWindowState } from './window-state';

const log = logger('app');
const here = fileURLToPath(new URL('.', import.meta.url));
const isDev = !app.isPackaged && !!process.env.ELECTRON_RENDERER_URL;

if (!app.requestSingleInstanceLock()) {
  app.quit();
  process.exit(0);
}

const dataDir = join(app.getPath('userData'), 'lab');
const cluster = new Cluster({ dataDir });
const backend = clusterBackend(cluster);
const bridge = new BridgeServer(backend);
const connections = new Map<number, BridgeConnection>();
let win: BrowserWindow | undefined;

/** The renderer's origin: the dev server in development, else the packaged file. */
const rendererUrl = () => process.env.ELECTRON_RENDERER_URL ?? `file://${join(here, '../renderer/index.html')}`;
const isOurs = (url: string) => (isDev ? url.startsWith(process.env.ELECTRON_RENDERER_URL!) : url.startsWith(`file://${join(here, '../renderer')}`));

function preloadPath(): string {
  for (const f of ['index.cjs', 'index.js', 'index.mjs']) {
    const p = join(here, '../preload', f);
    if (existsSync(p)) return p;
  }
  return join(here, '../preload/index.cjs');
}

function createWindow(): BrowserWindow {
  const stateFile = join(app.getPath('userData'), 'window-state.json');
  const state = loadWindowState(stateFile, screen.getAllDisplays().map((d) => d.workArea));
  const w = new BrowserWindow({
    ...state,
    minWidth: 960,
    minHeight: 600,
    show: false,
    title: 'kubelab',
    backgroundColor: '#12161e',
    webPreferences: { preload: preloadPath(), contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, spellcheck: false },
  });
  if (state.maximized) w.maximize();
  w.once('ready-to-show', () => w.show());
  const save = () => saveWindowState(stateFile, { ...w.getNormalBounds(), maximized: w.isMaximized() });
  w.on('close', save);
  void w.loadURL(rendererUrl());
  return w;
}

/** One bridge connection per renderer; it dies with its page (watches, logs and shells stop). */
function connectionFor(wc: WebContents): BridgeConnection {
  let c = connections.get(wc.id);
  if (c) return c;
  c = bridge.connect((channel, payload) => {
    if (!wc.isDestroyed()) wc.send(IPC_EVENT, channel, payload);
  });
  connections.set(wc.id, c);
  const drop = () => {
    connections.get(wc.id)?.close();
    connections.delete(wc.id);
  };
  wc.once('destroyed', drop);
  wc.on('did-start-navigation', (_e, _url, _inPlace, isMainFrame) => isMainFrame && drop());
  return c;
}

ipcMain.handle(IPC_INVOKE, (e, channel: unknown, args: unknown) => {
  // only our own page, in the main frame, may talk to the lab
  if (!e.senderFrame || e.senderFrame !== e.sender.mainFrame || !isOurs(e.senderFrame.url)) {
    log.warn('refused IPC from an unexpected sender', { url: e.senderFrame?.url ?? '?' });
    return { error: { name: 'Error', message: 'forbidden sender', status: 403 } };
  }
  return connectionFor(e.sender).invoke(channel, args);
});

app.on('web-contents-created', (_e, wc) => {
  // no new windows: external links go to the system browser
  wc.setWindowOpenHandler(({ url }) => {
    if (/^https?:\/\//.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  wc.on('will-navigate', (ev, url) => {
    if (!isOurs(url)) {
      ev.preventDefault();
      if (/^https?:\/\//.test(url)) void shell.openExternal(url);
    }
  });
  wc.on('will-attach-webview', (ev) => ev.preventDefault());
});

async function applyManifestFromFile(): Promise<void> {
  const r = await dialog.showOpenDialog({ title: 'Apply manifest', filters: [{ name: 'Kubernetes manifests', extensions: ['yaml', 'yml', 'json'] }], properties: ['openFile', 'multiSelections'] });
  if (r.canceled) return;
  for (const f of r.filePaths) {
    try {
      const res = await bridge.apply(await readFile(f, 'utf8'));
      log.info('applied', { file: f, objects: res.map((x) => `${x.kind}/${x.name} ${x.action}`).join(', ') });
    } catch (err) {
      dialog.showErrorBox('Apply failed', `${f}\n\n${(err as Error).message}`);
    }
  }
}

function buildMenu(): void {
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        { label: 'Apply manifest…', accelerator: 'CmdOrCtrl+O', click: () => void applyManifestFromFile() },
        { type: 'separator' },
        { label: 'Open data folder', click: () => void shell.openPath(dataDir) },
        { label: 'Copy kubeconfig path', click: () => cluster.kubeconfig && clipboard.writeText(cluster.kubeconfig) },
        { type: 'separator' },
        {
          label: 'Stop all pods',
          click: async () => {
            const r = await dialog.showMessageBox({ type: 'warning', buttons: ['Cancel', 'Stop all pods'], defaultId: 0, message: 'Delete every pod? Controllers recreate theirs.' });
            if (r.response === 1) await backend.stopAllPods?.().catch((err) => dialog.showErrorBox('Stop all pods', String(err)));
          },
        },
        { type: 'separator' },
        process.platform === 'darwin' ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { role: 'reload' },
        ...(app.isPackaged ? [] : [{ role: 'toggleDevTools' as const }]),
        { type: 'separator' },
        { role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { type: 'separator' }, { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

app.on('second-instance', () => {
  if (!win) return;
  if (win.isMinimized()) win.restore();
  win.focus();
});

let quitting = false;
app.on('before-quit', (e) => {
  if (quitting) return;
  // stop the control plane cleanly first; containers keep running and the next start adopts them
  e.preventDefault();
  quitting = true;
  connections.forEach((c) => c.close());
  void cluster.stop().catch((err) => log.error('stopping the lab failed', { error: String(err) })).finally(() => app.quit());
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

void app.whenReady().then(() => {
  // nothing asks for camera, notifications or the like: refuse all permission prompts
  session.defaultSession.setPermissionRequestHandler((_wc, _perm, cb) => cb(false));
  buildMenu();
  win = createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) win = createWindow();
  });
  // the window shows start progress pushed over the bridge while this runs
  cluster.start().catch((err) => log.error('the lab failed to start', { error: String(err) }));
});
