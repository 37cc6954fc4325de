// `electron-vite build` runs without Electron's binary; this builds into a temp folder and checks, from the
// output, what a real start of the app depends on (the window itself cannot start on these machines).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import vm from 'node:vm';
import { IPC_EVENT, IPC_INVOKE } from '../../../main/bridge/ipc';
import { PRELOAD_FROM_MAIN, RENDERER_INDEX_FROM_MAIN } from '../../../main/app/renderer-location';
import { FakeContextBridge, FakeIpcRenderer } from './fake-electron';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
/** a packaged app's layout: <tmp>/app (the asar root: package.json, out/) and <tmp>/resources (extraResources) */
let tmp: string;
let out: string;
const read = (p: string) => readFileSync(join(out, p), 'utf8');

/** Every module a bundle loads: static and dynamic imports, require() and createRequire(...)('x'). */
function loadedModules(code: string): string[] {
  const found = new Set<string>();
  const name = String.raw`"([\w@][\w@./:-]*)"`;
  for (const re of [
    String.raw`\bfrom\s*${name}`,
    String.raw`\bimport\s*${name}`,
    String.raw`\bimport\(\s*${name}\s*\)`,
    String.raw`\brequire\(\s*${name}\s*\)`,
    String.raw`createRequire\([^)]*\)\(\s*${name}\s*\)`,
  ]) {
    for (const m of code.matchAll(new RegExp(re, 'g'))) found.add(m[1]);
  }
  return [...found].sort();
}

const isBuiltin = (m: string) => m.startsWith('node:') || builtinModules.includes(m.split('/')[0]);
const packageOf = (m: string) => (m.startsWith('@') ? m.split('/').slice(0, 2).join('/') : m.split('/')[0]);

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'kubelab-electron-build-'));
  out = join(tmp, 'app', 'out');
  await promisify(execFile)(
    process.execPath,
    [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build', '--outDir', out, '--logLevel', 'error'],
    { cwd: root, env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' } },
  );
  cpSync(join(root, 'package.json'), join(tmp, 'app', 'package.json'));
  // electron-builder packs the production node_modules beside out/; the checkout's stand in for them
  symlinkSync(join(root, 'node_modules'), join(tmp, 'app', 'node_modules'));
  mkdirSync(join(tmp, 'resources'));
  cpSync(join(root, 'resources', 'sandbox'), join(tmp, 'resources', 'sandbox'), { recursive: true });
}, 180_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('electron-vite build output', () => {
  it('has the three parts: out/main, out/preload, out/renderer', () => {
    for (const f of ['main/index.js', 'preload/index.cjs', 'renderer/index.html']) expect(existsSync(join(out, f)), f).toBe(true);
  });

  it('the preload is CommonJS and requires only electron (a sandboxed preload can require nothing else)', () => {
    const code = read('preload/index.cjs');
    expect(loadedModules(code)).toEqual(['electron']);
    expect(code).not.toMatch(/^\s*(import|export)\s/m);
  });

  it('the preload runs as a sandboxed preload does: require("electron") only, no Node globals; it exposes window.kubelab', () => {
    const contextBridge = new FakeContextBridge();
    const ipcRenderer = new FakeIpcRenderer();
    const sandboxRequire = (m: string) => {
      if (m === 'electron') return { contextBridge, ipcRenderer };
      throw new Error(`module not found: ${m}`);
    };
    const module = { exports: {} };
    vm.runInNewContext(read('preload/index.cjs'), { require: sandboxRequire, module, exports: module.exports, console }, { filename: 'preload/index.cjs' });
    expect(Object.keys(contextBridge.mainWorld)).toEqual(['kubelab']);
    expect(ipcRenderer.listenerCount(IPC_EVENT)).toBe(1);
    const t = contextBridge.mainWorld.kubelab as { invoke(c: string, a: unknown): Promise<unknown> };
    void t.invoke('cluster:status', undefined);
    expect(ipcRenderer.invoked).toEqual([{ channel: IPC_INVOKE, args: ['cluster:status', undefined] }]);
  });

  it('the main bundle keeps electron external and loads only Node built-ins and packaged dependencies', () => {
    const mods = loadedModules(read('main/index.js'));
    expect(mods).toContain('electron');
    // electron-builder packs `dependencies` only: a devDependency loaded here would be missing in the app
    const missing = mods.filter((m) => m !== 'electron' && !isBuiltin(m) && !(packageOf(m) in pkg.dependencies));
    expect(missing).toEqual([]);
    // an ESM bundle has no __dirname/require of its own: either would throw on the first start
    expect(read('main/index.js')).not.toMatch(/\b__dirname\b|\b__filename\b|(?<![.\w])require\(/);
  });

  it("the main bundle's imports of packages load in plain Node ESM (a CommonJS named export that is not found would stop the start)", async () => {
    const imports = (read('main/index.js').match(/^import [^;]+;$/gm) ?? []).filter((l) => !/from\s*"(electron|node:[^"]+)"/.test(l));
    expect(imports.length).toBeGreaterThan(0);
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', [...imports, 'console.log("loaded")'].join('\n')], {
      cwd: root,
    });
    expect(stdout.trim()).toBe('loaded');
  }, 60_000);

  it('the paths main loads the preload and the page from resolve to files in out/', () => {
    const main = read('main/index.js');
    for (const rel of [PRELOAD_FROM_MAIN, RENDERER_INDEX_FROM_MAIN]) {
      expect(main).toContain(JSON.stringify(rel));
      expect(existsSync(join(out, 'main', rel)), rel).toBe(true);
    }
  });

  it('the page carries a strict CSP: scripts from itself only, no eval, no remote hosts', () => {
    const html = read('renderer/index.html');
    const csp = html.match(/<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"/)?.[1];
    expect(csp).toBeDefined();
    const directives = Object.fromEntries(
      csp!
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .filter((d) => d[0])
        .map(([k, ...v]) => [k, v]),
    );
    expect(directives['default-src']).toEqual(["'self'"]);
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['object-src']).toEqual(["'none'"]);
    // the window talks to the lab over IPC: it may connect to its own origin only (no ws:, wss: or any host)
    expect(directives['connect-src']).toEqual(["'self'"]);
    expect(csp).not.toMatch(/unsafe-eval|https?:|wss?:|\*/);
  });

  it('the page loads its scripts and styles by relative paths that exist (file:// has no server root)', () => {
    const html = read('renderer/index.html');
    // inline data: URLs (the favicon) need no file; everything else is a file next to the page
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]).filter((r) => !r.startsWith('data:'));
    expect(refs.length).toBeGreaterThan(0);
    for (const r of refs) {
      expect(r.startsWith('./'), r).toBe(true);
      expect(existsSync(join(out, 'renderer', r)), r).toBe(true);
    }
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });

  it('preload and main use the same IPC channel names', () => {
    for (const part of ['preload/index.cjs', 'main/index.js']) {
      const code = read(part);
      expect(code, part).toContain(JSON.stringify(IPC_INVOKE));
      expect(code, part).toContain(JSON.stringify(IPC_EVENT));
    }
    expect(dirname(join(out, 'main', PRELOAD_FROM_MAIN))).toBe(join(out, 'preload'));
  });
});

describe('the built main process, run in plain Node with a fake electron module', () => {
  it('starts the lab with the window, answers the page, and on quit stops the lab and exits', async () => {
    const userData = join(tmp, 'user-data');
    mkdirSync(userData);
    const home = join(tmp, 'home');
    mkdirSync(home);
    const run = promisify(execFile)(process.execPath, ['--import', join(root, 'test/unit/app/fake-electron-loader.mjs'), join(out, 'main', 'index.js')], {
      cwd: tmp,
      timeout: 150_000,
      env: {
        PATH: process.env.PATH,
        HOME: home,
        FAKE_ELECTRON_USER_DATA: userData,
        FAKE_ELECTRON_PACKAGED: '1',
        FAKE_ELECTRON_RESOURCES: join(tmp, 'resources'),
        // no Docker engine: the lab starts on a virtual node, so this needs none
        DOCKER_HOST: `unix://${join(tmp, 'no-docker.sock')}`,
        KUBELAB_API_PORT: '0',
      },
    });
    const { stdout, stderr } = await run.catch((err: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`the app exited abnormally: ${err.message}\n${err.stdout ?? ''}\n${(err.stderr ?? '').slice(-3000)}`);
    });
    const seen = stdout
      .split('\n')
      .filter((l) => l.startsWith('FAKE '))
      .map((l) => JSON.parse(l.slice(5)));
    const window = seen.find((o) => o.window)?.window;
    expect(window.url).toBe(`file://${join(out, 'renderer', 'index.html')}`);
    expect(window.webPreferences).toMatchObject({ preload: join(out, 'preload', 'index.cjs'), sandbox: true, contextIsolation: true, nodeIntegration: false });
    expect(seen.find((o) => o.menu)?.menu).toEqual(['File', 'editMenu', 'View', 'windowMenu']);
    const started = seen.find((o) => o.status);
    expect(started.status, stderr.slice(-3000)).toMatchObject({ phase: 'STARTED', virtual: true, dataDir: join(userData, 'lab') });
    expect(started.pushed).toBeGreaterThan(0);
    expect(seen.find((o) => o.nodes)?.nodes).toEqual(['virtual-node-1']);
    // the first quit is held while the lab stops; the second (the app's own, after the stop) goes through
    expect(seen.filter((o) => o.quit).map((o) => o.quit.held)).toEqual([true, false]);
    expect(existsSync(join(userData, 'lab', 'kubeconfig'))).toBe(true);
    expect(existsSync(join(userData, 'window-state.json'))).toBe(true);
    expect(stderr).not.toMatch(/stopping the lab failed|the lab failed to start/);
  }, 180_000);
});
