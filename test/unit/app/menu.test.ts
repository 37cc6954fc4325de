import { describe, expect, it } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import { menuActions, menuTemplate, type MenuActions, type MenuLab } from '../../../main/app/menu';
import type { ApplyResult } from '../../../main/bridge/contract';
import { FakeMenuElectron } from './fake-electron';

const created = (name: string): ApplyResult => ({
  kind: 'Pod',
  name,
  namespace: 'default',
  action: 'created',
  object: { apiVersion: 'v1', kind: 'Pod', metadata: { name } },
});
const noop: MenuActions = { applyManifest: async () => {}, openDataFolder: async () => {}, copyKubeconfigPath: async () => {}, stopAllPods: async () => {} };

/** Every item as "Menu > label or role", in order. */
function flatten(items: MenuItemConstructorOptions[], path = ''): string[] {
  return items.flatMap((i) => {
    if (i.type === 'separator') return [];
    const name = `${path}${i.label ?? i.role}`;
    return [name, ...(Array.isArray(i.submenu) ? flatten(i.submenu, `${name} > `) : [])];
  });
}

function lab(over: Partial<MenuLab> = {}): MenuLab & { applied: string[]; stopped: number } {
  const l = {
    applied: [] as string[],
    stopped: 0,
    dataDir: '/home/ann/.config/kubelab/lab',
    kubeconfig: () => '/home/ann/.config/kubelab/lab/kubeconfig',
    apply: async (m: string) => {
      l.applied.push(m);
      return [created(m.trim())];
    },
    stopAllPods: async () => {
      l.stopped++;
      return 3;
    },
    readFile: async (p: string) => `pod-from-${p.split('/').pop()}`,
    ...over,
  };
  return l;
}

describe('menu template', () => {
  it.each([
    ['linux', false, true],
    ['linux', true, false],
    ['win32', true, false],
    ['darwin', false, true],
  ] as const)('%s, packaged %s: Developer tools shown %s', (platform, isPackaged, devtools) => {
    const items = flatten(menuTemplate(noop, { platform, isPackaged }));
    expect(items.includes('View > toggleDevTools')).toBe(devtools);
    expect(items).toEqual(
      expect.arrayContaining(['File > Apply manifest…', 'File > Open data folder', 'File > Copy kubeconfig path', 'File > Stop all pods', 'View > reload']),
    );
  });

  it('macOS gets its app menu and Close in File; others Quit', () => {
    expect(flatten(menuTemplate(noop, { platform: 'darwin', isPackaged: true }))).toEqual(expect.arrayContaining(['appMenu', 'File > close']));
    const linux = flatten(menuTemplate(noop, { platform: 'linux', isPackaged: true }));
    expect(linux).toContain('File > quit');
    expect(linux).not.toContain('appMenu');
  });

  it('each item calls its action', () => {
    const called: string[] = [];
    const rec = Object.fromEntries(Object.keys(noop).map((k) => [k, async () => void called.push(k)])) as unknown as MenuActions;
    const file = menuTemplate(rec, { platform: 'linux', isPackaged: true }).find((m) => m.label === 'File')!.submenu as MenuItemConstructorOptions[];
    for (const id of ['apply-manifest', 'open-data-folder', 'copy-kubeconfig-path', 'stop-all-pods']) {
      (file.find((i) => i.id === id)!.click as () => void)();
    }
    expect(called).toEqual(['applyManifest', 'openDataFolder', 'copyKubeconfigPath', 'stopAllPods']);
  });
});

describe('menu actions', () => {
  it('Stop all pods asks first; Cancel deletes nothing', async () => {
    const e = new FakeMenuElectron();
    const l = lab();
    e.messageBoxResponse = 0;
    await menuActions(e, l).stopAllPods();
    expect(l.stopped).toBe(0);
    expect(e.messages[0]).toMatchObject({ message: 'Delete every pod?', buttons: ['Cancel', 'Stop all pods'] });
    e.messageBoxResponse = 1;
    await menuActions(e, l).stopAllPods();
    expect(l.stopped).toBe(1);
  });

  it('Stop all pods that fails shows the Status message', async () => {
    const e = new FakeMenuElectron();
    e.messageBoxResponse = 1;
    await menuActions(e, lab({ stopAllPods: async () => Promise.reject(new Error('the API server is not running yet')) })).stopAllPods();
    expect(e.errors).toEqual([{ title: 'Stop all pods', content: 'the API server is not running yet' }]);
  });

  it('Copy kubeconfig path copies it once written, and says the lab is starting before', async () => {
    const e = new FakeMenuElectron();
    await menuActions(e, lab()).copyKubeconfigPath();
    expect(e.clipboardText).toBe('/home/ann/.config/kubelab/lab/kubeconfig');
    const early = new FakeMenuElectron();
    await menuActions(early, lab({ kubeconfig: () => undefined })).copyKubeconfigPath();
    expect(early.clipboardText).toBeUndefined();
    expect(early.messages[0].message).toBe('The lab is still starting');
  });

  it("Open data folder opens the lab's folder; a failure is shown, not swallowed", async () => {
    const e = new FakeMenuElectron();
    await menuActions(e, lab()).openDataFolder();
    expect(e.calls).toEqual(['openPath /home/ann/.config/kubelab/lab']);
    e.openPathResult = 'no application to open folders';
    await menuActions(e, lab()).openDataFolder();
    expect(e.errors[0]).toEqual({ title: 'Open data folder', content: '/home/ann/.config/kubelab/lab\n\nno application to open folders' });
  });

  it('Apply manifest applies each chosen file, reports what was applied and which file failed', async () => {
    const e = new FakeMenuElectron();
    e.openDialogResult = { canceled: false, filePaths: ['/m/web.yaml', '/m/bad.yaml', '/m/db.yaml'] };
    const l = lab({
      apply: async (m) => {
        if (m.includes('bad')) throw new Error('Pod "bad" is invalid: spec.containers: Required value');
        return [created(m.replace('pod-from-', '').replace('.yaml', ''))];
      },
    });
    await menuActions(e, l).applyManifest();
    expect(e.errors).toEqual([{ title: 'Apply failed', content: '/m/bad.yaml\n\nPod "bad" is invalid: spec.containers: Required value' }]);
    expect(e.messages.at(-1)).toMatchObject({ message: 'Applied', detail: 'Pod "web" created\nPod "db" created' });
  });

  it('Apply manifest canceled applies nothing', async () => {
    const e = new FakeMenuElectron();
    const l = lab();
    await menuActions(e, l).applyManifest();
    expect(l.applied).toEqual([]);
    expect(e.messages).toEqual([]);
  });
});
