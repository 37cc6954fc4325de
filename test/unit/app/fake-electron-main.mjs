// A fake of the electron module for running the BUILT main bundle (out/main/index.js) in plain Node: a window that
// records what it was given, ipcMain handlers the fake page calls, and an app whose quit honours before-quit.
// Once the window loads, it plays a user: waits for the lab to start, lists nodes, closes the window, quits.
// Each observation is one stdout line: `FAKE {json}`. Loaded through fake-electron-loader.mjs.
import { EventEmitter } from 'node:events';

const report = (o) => process.stdout.write(`FAKE ${JSON.stringify(o)}\n`);
// the packaged app's resources folder (electron-builder's extraResources)
if (process.env.FAKE_ELECTRON_RESOURCES) process.resourcesPath = process.env.FAKE_ELECTRON_RESOURCES;

class FakeApp extends EventEmitter {
  isPackaged = process.env.FAKE_ELECTRON_PACKAGED === '1';
  requestSingleInstanceLock() {
    return true;
  }
  getPath() {
    return process.env.FAKE_ELECTRON_USER_DATA;
  }
  whenReady() {
    return Promise.resolve();
  }
  quit() {
    const e = { prevented: false, preventDefault: () => (e.prevented = true) };
    this.emit('before-quit', e);
    report({ quit: { held: e.prevented } });
    if (!e.prevented) process.exit(0);
  }
}

export const app = new FakeApp();
const handlers = new Map();
export const ipcMain = { handle: (channel, fn) => handlers.set(channel, fn) };

class FakeWebContents extends EventEmitter {
  id = 1;
  mainFrame = { url: '', processId: 1, routingId: 1 };
  pushed = 0;
  setWindowOpenHandler() {}
  isDestroyed() {
    return false;
  }
  send() {
    this.pushed++;
  }
  getURL() {
    return this.mainFrame.url;
  }
}

export class BrowserWindow extends EventEmitter {
  static all = [];
  static getAllWindows() {
    return BrowserWindow.all;
  }
  constructor(options) {
    super();
    this.options = options;
    this.webContents = new FakeWebContents();
    BrowserWindow.all.push(this);
    app.emit('web-contents-created', {}, this.webContents);
  }
  async loadURL(url) {
    this.webContents.mainFrame.url = url;
    report({ window: { url, webPreferences: this.options.webPreferences } });
    void playUser(this).catch((err) => {
      report({ error: String(err) });
      process.exit(3);
    });
  }
  maximize() {}
  isMaximized() {
    return false;
  }
  isMinimized() {
    return false;
  }
  restore() {}
  show() {}
  focus() {}
  isDestroyed() {
    return false;
  }
  getNormalBounds() {
    return { x: 0, y: 0, width: 1380, height: 880 };
  }
}

async function playUser(win) {
  const invoke = (channel, args) => handlers.get('kubelab:invoke')({ sender: win.webContents, senderFrame: win.webContents.mainFrame }, channel, args);
  let status;
  // polls as the UI's status view would, bounded
  for (let i = 0; i < 1200; i++) {
    status = (await invoke('cluster:status')).result;
    if (status?.phase === 'STARTED' || status?.phase === 'ERROR') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  report({ status, pushed: win.webContents.pushed });
  const nodes = await invoke('api:list', { ref: { group: '', version: 'v1', resource: 'nodes' } });
  report({ nodes: nodes.result ? nodes.result.items.map((n) => n.metadata.name) : nodes });
  win.emit('close');
  app.quit();
}

export const Menu = { buildFromTemplate: (t) => t, setApplicationMenu: (m) => report({ menu: m.map((x) => x.label ?? x.role) }) };
export const nativeTheme = { shouldUseDarkColors: true };
export const screen = { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] };
export const session = { defaultSession: { setPermissionRequestHandler() {}, setPermissionCheckHandler() {}, setDevicePermissionHandler() {} } };
export const shell = { openExternal: async () => {}, openPath: async () => '' };
export const clipboard = { writeText() {} };
export const dialog = { showOpenDialog: async () => ({ canceled: true, filePaths: [] }), showMessageBox: async () => ({ response: 0 }), showErrorBox() {} };
