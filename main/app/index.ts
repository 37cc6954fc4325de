// The Electron shell: the only module that imports 'electron'. Thin wiring: the decisions live in the modules
// beside it (renderer-location, ipc-guard, navigation, permissions, menu, quit, window-state), unit-tested without Electron.
import { app, BrowserWindow, Menu, clipboard, dialog, ipcMain, nativeTheme, screen, session, shell, type WebContents } from 'electron';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Cluster } from '../cluster';
import { logger } from '../log';
import { BridgeServer, type BridgeConnection } from '../bridge/server';
import { clusterBackend } from '../bridge/cluster-backend';
import { ClusterContexts } from '../bridge/contexts';
import { IPC_EVENT, IPC_INVOKE } from '../bridge/ipc';
import { appFiles, rendererLocation } from './renderer-location';
import { refuseSender } from './ipc-guard';
import { decideNavigation, decideWindowOpen, endsPage } from './navigation';
import { menuActions, menuTemplate } from './menu';
import { checkPermission, grantPermission } from './permissions';
import { quitSequence } from './quit';
import { loadWindowState, saveWindowState } from './window-state';

const log = logger('app');
const files = appFiles(fileURLToPath(new URL('.', import.meta.url)));
const page = rendererLocation({ devUrl: process.env.ELECTRON_RENDERER_URL, isPackaged: app.isPackaged, rendererIndex: files.rendererIndex });

if (!app.requestSingleInstanceLock()) {
  app.quit();
  process.exit(0);
}

const dataDir = join(app.getPath('userData'), 'lab');
// KUBELAB_API_PORT as serve's --api-port (0: a free port), for a machine where 6443 is taken
const apiPort = /^\d{1,5}$/.test(process.env.KUBELAB_API_PORT ?? '') ? Number(process.env.KUBELAB_API_PORT) : undefined;
const cluster = new Cluster({ dataDir, apiPort });
const backend = clusterBackend(cluster);
const bridge = new BridgeServer(backend, { contexts: new ClusterContexts(backend) });
const connections = new Map<number, BridgeConnection>();
let win: BrowserWindow | undefined;
let starting: Promise<void> | undefined;

function createWindow(): BrowserWindow {
  const stateFile = join(app.getPath('userData'), 'window-state.json');
  const state = loadWindowState(
    stateFile,
    screen.getAllDisplays().map((d) => d.workArea),
  );
  const w = new BrowserWindow({
    ...state,
    minWidth: 960,
    minHeight: 600,
    show: false,
    title: 'kubelab',
    // theme.css's --bg, so the window does not flash the other theme before the page paints
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#12161e' : '#f6f7f9',
    webPreferences: { preload: files.preload, contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, spellcheck: false },
  });
  if (state.maximized) w.maximize();
  w.once('ready-to-show', () => w.show());
  w.on('close', () => saveWindowState(stateFile, { ...w.getNormalBounds(), maximized: w.isMaximized() }));
  void w.loadURL(page.url);
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
  // a reload is a new page: its watches and shells start over; a route change is not
  wc.on('did-start-navigation', (details) => endsPage(details) && drop());
  return c;
}

ipcMain.handle(IPC_INVOKE, (e, channel: unknown, args: unknown) => {
  const refused = refuseSender({ senderFrame: e.senderFrame, mainFrame: e.sender.mainFrame }, page.isOurs);
  if (refused) {
    log.warn('refused IPC from an unexpected sender', { url: e.senderFrame?.url ?? '?' });
    return refused;
  }
  return connectionFor(e.sender).invoke(channel, args);
});

app.on('web-contents-created', (_e, wc) => {
  wc.setWindowOpenHandler(({ url }) => {
    const d = decideWindowOpen(url, page.isOurs);
    if (d.openExternal) void shell.openExternal(d.openExternal);
    return { action: 'deny' };
  });
  wc.on('will-navigate', (ev, url) => {
    const d = decideNavigation(url, page.isOurs);
    if (!d.allow) ev.preventDefault();
    if (d.openExternal) void shell.openExternal(d.openExternal);
  });
  wc.on('will-attach-webview', (ev) => ev.preventDefault());
});

app.on('second-instance', () => {
  if (!win || win.isDestroyed()) return;
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
});

const quit = quitSequence({
  app,
  closeConnections: () => connections.forEach((c) => c.close()),
  starting: () => starting,
  stopCluster: () => cluster.stop(),
  log,
});
app.on('before-quit', (e) => quit.onBeforeQuit(e));

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

void app.whenReady().then(() => {
  session.defaultSession.setPermissionRequestHandler((wc, perm, cb, details) => cb(grantPermission(perm, details.requestingUrl ?? wc.getURL(), page.isOurs)));
  session.defaultSession.setPermissionCheckHandler((wc, perm, requestingOrigin, details) =>
    checkPermission(perm, { requestingUrl: details.requestingUrl, webContentsUrl: wc?.getURL(), requestingOrigin }, page.isOurs),
  );
  // HID, serial, USB and Bluetooth devices: none, for any page
  session.defaultSession.setDevicePermissionHandler(() => false);
  const actions = menuActions(
    { shell, clipboard, dialog },
    {
      dataDir,
      kubeconfig: () => cluster.kubeconfig,
      apply: (m) => bridge.apply(m),
      stopAllPods: () => backend.stopAllPods!(),
      readFile: (f) => readFile(f, 'utf8'),
    },
  );
  Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate(actions, { platform: process.platform, isPackaged: app.isPackaged })));
  win = createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) win = createWindow();
  });
  // the window shows start progress pushed over the bridge while this runs
  starting = cluster.start().catch((err) => log.error('the lab failed to start', { error: String(err) }));
});
