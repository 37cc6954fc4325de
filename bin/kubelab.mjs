#!/usr/bin/env node
// Runs the TypeScript CLI with no build step. Loading every module through tsx's loader took seconds at each start
// (most of `kubelab serve`'s cold start), so the CLI is bundled once by esbuild (tsx's own compiler) into
// out/cli/kubelab.mjs and rebuilt whenever a source is newer than the bundle; packages stay external, resolved
// from the checkout's node_modules as before. If bundling is not possible, or KUBELAB_NO_BUNDLE=1 (stack traces
// naming the sources), tsx's loader runs the sources as before.
import { existsSync, mkdirSync, readdirSync, renameSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'main', 'cli', 'index.ts');
const bundle = join(root, 'out', 'cli', 'kubelab.mjs');

/** Newest mtime (ms) of the sources the CLI is built from. */
function newestSource() {
  let newest = 0;
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules') walk(p);
      } else if (/\.(ts|mts|json)$/.test(e.name)) newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  for (const d of ['main', 'shared']) if (existsSync(join(root, d))) walk(join(root, d));
  for (const f of ['package.json', 'tsconfig.json']) if (existsSync(join(root, f))) newest = Math.max(newest, statSync(join(root, f)).mtimeMs);
  return newest;
}

async function bundled() {
  if (process.env.KUBELAB_NO_BUNDLE === '1') return undefined;
  try {
    if (!existsSync(bundle) || statSync(bundle).mtimeMs < newestSource()) {
      const { build } = await import('esbuild');
      mkdirSync(dirname(bundle), { recursive: true });
      // built aside and renamed into place: two labs starting at once never import half a file
      const tmp = `${bundle}.${process.pid}.tmp.mjs`;
      await build({
        entryPoints: [entry],
        bundle: true,
        platform: 'node',
        format: 'esm',
        packages: 'external',
        target: `node${process.versions.node}`,
        outfile: tmp,
        logLevel: 'silent',
      });
      renameSync(tmp, bundle);
    }
    return await import(pathToFileURL(bundle).href);
  } catch {
    return undefined;
  }
}

let mod = await bundled();
if (!mod) {
  const { register } = await import('tsx/esm/api');
  register();
  mod = await import('../main/cli/index.ts');
}
const code = await mod.main(process.argv.slice(2));
// Let stdout drain, then exit even if a stray handle (a socket, a timer) is still open.
process.stdout.write('', () => process.exit(code));
