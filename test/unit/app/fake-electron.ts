// Fakes of the few Electron calls the shell's modules make, for unit tests (Electron's binary cannot run here).
// fakeContextBridge copies values between worlds as Electron documents it: functions are proxied, objects and
// arrays are copied without their prototypes, an Error keeps only its message, and a Proxy (Vue's reactive
// objects) cannot be cloned (electron/electron#39598).
import { types } from 'node:util';
import type { MenuElectron } from '../../../main/app/menu';

/** A value as the other world sees it after contextBridge. */
export function crossWorld(v: unknown): unknown {
  if (typeof v === 'function') {
    return (...args: unknown[]) => {
      let out: unknown;
      try {
        out = (v as (...a: unknown[]) => unknown)(...args.map(crossWorld));
      } catch (e) {
        throw crossWorld(e);
      }
      return out instanceof Promise ? out.then(crossWorld, (e) => Promise.reject(crossWorld(e))) : crossWorld(out);
    };
  }
  if (types.isProxy(v)) throw new Error('An object could not be cloned.');
  if (v instanceof Error) return new Error(v.message);
  if (Array.isArray(v)) return v.map(crossWorld);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, crossWorld(x)]));
  return v;
}

export class FakeContextBridge {
  readonly mainWorld: Record<string, unknown> = {};
  exposeInMainWorld(key: string, api: unknown): void {
    if (key in this.mainWorld) throw new Error(`Cannot bind an API on top of an existing property on the window object: ${key}`);
    this.mainWorld[key] = crossWorld(api);
  }
}

type Listener = (e: unknown, ...args: unknown[]) => void;

export class FakeIpcRenderer {
  readonly invoked: { channel: string; args: unknown[] }[] = [];
  /** what ipcMain.handle would answer */
  handler: (channel: string, ...args: unknown[]) => unknown = () => undefined;
  private listeners = new Map<string, Set<Listener>>();
  invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    this.invoked.push({ channel, args });
    // IPC is a structured clone, as JSON here
    return Promise.resolve(this.handler(channel, ...args)).then((r) => (r === undefined ? r : JSON.parse(JSON.stringify(r))));
  }
  on(channel: string, l: Listener): this {
    const set = this.listeners.get(channel) ?? new Set();
    set.add(l);
    this.listeners.set(channel, set);
    return this;
  }
  /** main's webContents.send */
  emit(channel: string, ...args: unknown[]): void {
    this.listeners.get(channel)?.forEach((l) => l({}, ...args));
  }
  listenerCount(channel: string): number {
    return this.listeners.get(channel)?.size ?? 0;
  }
}

/** shell, clipboard and dialog as the menu uses them; answers are set per test, calls are recorded. */
export class FakeMenuElectron implements MenuElectron {
  readonly calls: string[] = [];
  clipboardText?: string;
  openPathResult = '';
  openDialogResult: { canceled: boolean; filePaths: string[] } = { canceled: true, filePaths: [] };
  messageBoxResponse = 0;
  readonly errors: { title: string; content: string }[] = [];
  readonly messages: { message: string; detail?: string; buttons?: string[] }[] = [];

  shell = {
    openPath: async (path: string) => {
      this.calls.push(`openPath ${path}`);
      return this.openPathResult;
    },
  };
  clipboard = {
    writeText: (text: string) => {
      this.calls.push(`clipboard ${text}`);
      this.clipboardText = text;
    },
  };
  dialog = {
    showOpenDialog: async () => {
      this.calls.push('showOpenDialog');
      return this.openDialogResult;
    },
    showMessageBox: async (o: { message: string; detail?: string; buttons?: string[] }) => {
      this.calls.push(`showMessageBox ${o.message}`);
      this.messages.push(o);
      return { response: this.messageBoxResponse };
    },
    showErrorBox: (title: string, content: string) => {
      this.calls.push(`showErrorBox ${title}`);
      this.errors.push({ title, content });
    },
  };
}

export class FakeApp {
  quits = 0;
  quit(): void {
    this.quits++;
  }
}

// ---- a fake of the electron module as main/app/index.ts uses it ----

type Handler = (...args: any[]) => unknown;

class FakeEmitter {
  private handlers = new Map<string, Handler[]>();
  on(ev: string, h: Handler): this {
    this.handlers.set(ev, [...(this.handlers.get(ev) ?? []), h]);
    return this;
  }
  once(ev: string, h: Handler): this {
    const wrapped: Handler = (...a) => {
      this.handlers.set(
        ev,
        (this.handlers.get(ev) ?? []).filter((x) => x !== wrapped),
      );
      return h(...a);
    };
    return this.on(ev, wrapped);
  }
  emit(ev: string, ...args: unknown[]): void {
    for (const h of [...(this.handlers.get(ev) ?? [])]) h(...args);
  }
  listeners(ev: string): Handler[] {
    return this.handlers.get(ev) ?? [];
  }
}

/** A preventable Electron event. */
export const fakeEvent = () => {
  const e = { defaultPrevented: false, preventDefault: () => void (e.defaultPrevented = true) };
  return e;
};

export class FakeWebContents extends FakeEmitter {
  static nextId = 1;
  readonly id = FakeWebContents.nextId++;
  readonly sent: unknown[][] = [];
  windowOpenHandler?: (d: { url: string }) => { action: string };
  mainFrame: FrameLikeFake;
  constructor(url = '') {
    super();
    this.mainFrame = { url, processId: 1, routingId: this.id };
  }
  setWindowOpenHandler(h: (d: { url: string }) => { action: string }): void {
    this.windowOpenHandler = h;
  }
  isDestroyed(): boolean {
    return false;
  }
  send(...args: unknown[]): void {
    this.sent.push(args);
  }
}

interface FrameLikeFake {
  url: string;
  processId: number;
  routingId: number;
}

export class FakeBrowserWindow extends FakeEmitter {
  static all: FakeBrowserWindow[] = [];
  static getAllWindows = () => FakeBrowserWindow.all;
  readonly webContents = new FakeWebContents();
  loaded?: string;
  maximized = false;
  minimized = false;
  focused = 0;
  constructor(readonly options: Record<string, any>) {
    super();
    FakeBrowserWindow.all.push(this);
  }
  loadURL(url: string): Promise<void> {
    this.loaded = url;
    this.webContents.mainFrame.url = url;
    return Promise.resolve();
  }
  maximize(): void {
    this.maximized = true;
  }
  isMaximized(): boolean {
    return this.maximized;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  restore(): void {
    this.minimized = false;
  }
  show(): void {}
  focus(): void {
    this.focused++;
  }
  isDestroyed(): boolean {
    return false;
  }
  getNormalBounds() {
    return { x: 10, y: 20, width: 1200, height: 800 };
  }
}

export class FakeElectronApp extends FakeEmitter {
  isPackaged = false;
  singleInstance = true;
  quitRequests = 0;
  /** true once a quit was not prevented by before-quit */
  exited = false;
  private readyResolve!: () => void;
  private readyPromise = new Promise<void>((r) => (this.readyResolve = r));
  constructor(private userData: string) {
    super();
  }
  requestSingleInstanceLock(): boolean {
    return this.singleInstance;
  }
  getPath(_name: string): string {
    return this.userData;
  }
  whenReady(): Promise<void> {
    return this.readyPromise;
  }
  /** the test's "Electron is ready" */
  ready(): void {
    this.readyResolve();
  }
  quit(): void {
    this.quitRequests++;
    const e = fakeEvent();
    this.emit('before-quit', e);
    if (!e.defaultPrevented) this.exited = true;
  }
}

/** Everything index.ts imports from 'electron', recording what it was asked to do. */
export function fakeElectronModule(userData: string) {
  const ipcHandlers = new Map<string, Handler>();
  const rec = {
    menu: undefined as unknown,
    permissionHandler: undefined as Handler | undefined,
    permissionCheck: undefined as Handler | undefined,
    deviceHandler: undefined as Handler | undefined,
    openedExternal: [] as string[],
  };
  return {
    rec,
    ipcHandlers,
    app: new FakeElectronApp(userData),
    BrowserWindow: FakeBrowserWindow,
    Menu: { buildFromTemplate: (t: unknown) => t, setApplicationMenu: (m: unknown) => void (rec.menu = m) },
    ipcMain: { handle: (ch: string, h: Handler) => void ipcHandlers.set(ch, h) },
    screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] },
    nativeTheme: { shouldUseDarkColors: false },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (h: Handler) => void (rec.permissionHandler = h),
        setPermissionCheckHandler: (h: Handler) => void (rec.permissionCheck = h),
        setDevicePermissionHandler: (h: Handler) => void (rec.deviceHandler = h),
      },
    },
    shell: { openExternal: async (u: string) => void rec.openedExternal.push(u), openPath: async () => '' },
    clipboard: { writeText: () => {} },
    dialog: { showOpenDialog: async () => ({ canceled: true, filePaths: [] }), showMessageBox: async () => ({ response: 0 }), showErrorBox: () => {} },
  };
}
