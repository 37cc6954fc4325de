// Fakes of the few Electron calls the shell's modules make, for unit tests (Electron's binary cannot run here).
// fakeContextBridge copies values between worlds as Electron documents it: functions are proxied, objects and
// arrays are copied without their prototypes, and an Error keeps only its message.
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
