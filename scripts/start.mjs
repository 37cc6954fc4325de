#!/usr/bin/env node
// `npm start`: the Electron app where Electron's binary works; otherwise the same app in browser mode
// (`kubelab serve` + the built renderer), printing the URL to open. Extra args go to `kubelab serve`.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const args = process.argv.slice(2);

function electronBinary() {
  try {
    // the electron package exports the binary's path, and throws when the binary was never downloaded
    const bin = require('electron');
    if (typeof bin !== 'string' || !existsSync(bin)) return undefined;
    const r = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 15_000, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
    return r.status === 0 ? bin : undefined;
  } catch {
    return undefined;
  }
}

function newestMtime(dir) {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function run(cmd, cmdArgs) {
  // build chatter goes to stderr, so stdout stays the few lines a user needs
  return spawnSync(cmd, cmdArgs, { cwd: root, stdio: ['ignore', process.stderr, 'inherit'] }).status ?? 1;
}

if (electronBinary() && existsSync(join(root, 'main', 'app', 'index.ts'))) {
  const child = spawn(process.execPath, [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'dev'], { cwd: root, stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  console.log('Electron is not installed on this machine, so kubelab starts in browser mode: open the URL printed below.');
  const index = join(root, 'out', 'renderer', 'index.html');
  const built = existsSync(index) ? statSync(index).mtimeMs : 0;
  if (existsSync(join(root, 'renderer', 'index.html')) && built < newestMtime(join(root, 'renderer'))) {
    process.stderr.write('building the UI (vite build of renderer/) ...\n');
    const config = existsSync(join(root, 'renderer', 'vite.config.ts')) ? ['--config', 'renderer/vite.config.ts'] : ['renderer'];
    const code = run(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', ...config]);
    if (code !== 0) process.stderr.write('the UI build failed (see above); serving anyway, the page will say the UI is not built\n');
  }
  const child = spawn(process.execPath, [join(root, 'bin', 'kubelab.mjs'), 'serve', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  let buf = '';
  child.stdout.on('data', (d) => {
    buf += d.toString();
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      process.stdout.write(line + '\n');
      const m = line.match(/^kubelab ready api=(\S+) ui=(\S+) kubeconfig=(\S+)/);
      if (m) {
        process.stdout.write(`\n  Open the UI:   ${m[2]}\n  Use kubectl:   KUBECONFIG=${m[3]} kubectl get nodes\n  Stop:          Ctrl-C\n\n`);
      }
    }
  });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
}
