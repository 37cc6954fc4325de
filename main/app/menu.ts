// The native menu: its template and what its items do, over the few Electron calls they need (passed in, so
// tests give fakes and index.ts gives Electron's own modules).
import type { MenuItemConstructorOptions } from 'electron';
import type { ApplyResult } from '../bridge/contract';

/** The subset of Electron's shell, clipboard and dialog the menu uses. */
export interface MenuElectron {
  shell: { openPath(path: string): Promise<string> };
  clipboard: { writeText(text: string): void };
  dialog: {
    showOpenDialog(opts: {
      title?: string;
      filters?: { name: string; extensions: string[] }[];
      properties?: ('openFile' | 'multiSelections')[];
    }): Promise<{ canceled: boolean; filePaths: string[] }>;
    showMessageBox(opts: {
      type?: 'none' | 'info' | 'error' | 'question' | 'warning';
      buttons?: string[];
      defaultId?: number;
      cancelId?: number;
      message: string;
      detail?: string;
    }): Promise<{ response: number }>;
    showErrorBox(title: string, content: string): void;
  };
}

/** What the menu asks of the lab. */
export interface MenuLab {
  dataDir: string;
  /** set once the API serves and the kubeconfig is written */
  kubeconfig(): string | undefined;
  apply(manifest: string): Promise<ApplyResult[]>;
  /** deletes every pod; resolves to how many */
  stopAllPods(): Promise<number>;
  readFile(path: string): Promise<string>;
}

export interface MenuActions {
  applyManifest(): Promise<void>;
  openDataFolder(): Promise<void>;
  copyKubeconfigPath(): Promise<void>;
  stopAllPods(): Promise<void>;
}

export function menuActions(e: MenuElectron, lab: MenuLab): MenuActions {
  return {
    async applyManifest() {
      const r = await e.dialog.showOpenDialog({
        title: 'Apply manifest',
        filters: [{ name: 'Kubernetes manifests', extensions: ['yaml', 'yml', 'json'] }],
        properties: ['openFile', 'multiSelections'],
      });
      if (r.canceled) return;
      const applied: string[] = [];
      for (const f of r.filePaths) {
        try {
          const res = await lab.apply(await lab.readFile(f));
          applied.push(...res.map((x) => `${x.kind} "${x.name}" ${x.action}`));
        } catch (err) {
          e.dialog.showErrorBox('Apply failed', `${f}\n\n${(err as Error).message}`);
        }
      }
      if (applied.length) await e.dialog.showMessageBox({ type: 'info', message: 'Applied', detail: applied.join('\n') });
    },
    async openDataFolder() {
      // openPath resolves to an error string rather than rejecting
      const problem = await e.shell.openPath(lab.dataDir);
      if (problem) e.dialog.showErrorBox('Open data folder', `${lab.dataDir}\n\n${problem}`);
    },
    async copyKubeconfigPath() {
      const path = lab.kubeconfig();
      if (path) e.clipboard.writeText(path);
      else
        await e.dialog.showMessageBox({ type: 'info', message: 'The lab is still starting', detail: 'The kubeconfig is written once the API server serves.' });
    },
    async stopAllPods() {
      const r = await e.dialog.showMessageBox({
        type: 'warning',
        buttons: ['Cancel', 'Stop all pods'],
        defaultId: 0,
        cancelId: 0,
        message: 'Delete every pod?',
        detail: 'Their containers are removed; Deployments, ReplicaSets and Jobs create new pods.',
      });
      if (r.response !== 1) return;
      try {
        await lab.stopAllPods();
      } catch (err) {
        e.dialog.showErrorBox('Stop all pods', (err as Error).message ?? String(err));
      }
    },
  };
}

/** The application menu; Developer tools only when not packaged. */
export function menuTemplate(a: MenuActions, opts: { platform: NodeJS.Platform; isPackaged: boolean }): MenuItemConstructorOptions[] {
  const mac = opts.platform === 'darwin';
  return [
    ...(mac ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        { id: 'apply-manifest', label: 'Apply manifest…', accelerator: 'CmdOrCtrl+O', click: () => void a.applyManifest() },
        { type: 'separator' },
        { id: 'open-data-folder', label: 'Open data folder', click: () => void a.openDataFolder() },
        { id: 'copy-kubeconfig-path', label: 'Copy kubeconfig path', click: () => void a.copyKubeconfigPath() },
        { type: 'separator' },
        { id: 'stop-all-pods', label: 'Stop all pods', click: () => void a.stopAllPods() },
        { type: 'separator' },
        mac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { role: 'reload' },
        ...(opts.isPackaged ? [] : [{ role: 'toggleDevTools' as const }]),
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
  ];
}
