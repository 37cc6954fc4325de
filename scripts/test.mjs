#!/usr/bin/env node
// `npm test`: every layer in order (lint, type checks, renderer build, unit, integration, kubectl, e2e,
// resilience), each layer's result on its own line, then ONE line `N passed, N failed` (CI reads it).
// Lint, type checks and the build count as one test each. Exit code 1 on any failure.
//   npm test -- --layers unit,kubectl     run only some layers
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (pkg, file) => join(root, 'node_modules', pkg, file);
const resultsDir = join(root, 'test-results');
mkdirSync(resultsDir, { recursive: true });

const all = ['lint', 'typecheck-node', 'typecheck-web', 'build-renderer', 'unit', 'integration', 'kubectl', 'e2e', 'resilience'];
const dockerLayers = new Set(['integration', 'kubectl', 'e2e', 'resilience']);
const testDirs = {
  unit: ['test/unit', 'main', 'renderer'],
  integration: ['test/integration'],
  kubectl: ['test/kubectl'],
  e2e: ['test/e2e'],
  resilience: ['test/resilience'],
};

let layers = all;
const i = process.argv.indexOf('--layers');
if (i >= 0) {
  const wanted = (process.argv[i + 1] ?? '').split(',').filter(Boolean);
  const unknown = wanted.filter((l) => !all.includes(l));
  if (unknown.length) {
    console.error(`unknown layer(s): ${unknown.join(', ')}; layers: ${all.join(', ')}`);
    process.exit(2);
  }
  layers = all.filter((l) => wanted.includes(l));
}

const results = [];
const log = (s) => process.stdout.write(s + '\n');

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, FORCE_COLOR: process.env.FORCE_COLOR ?? '0', ...opts.env } });
  return r.status ?? 1;
}

/** A check that counts as one test. */
function check(name, cmd, args) {
  log(`\n=== ${name}`);
  const t0 = Date.now();
  const code = run(cmd, args);
  results.push({ name, passed: code === 0 ? 1 : 0, failed: code === 0 ? 0 : 1, secs: (Date.now() - t0) / 1000 });
}

function hasTests(dirs) {
  const walk = (d) => {
    if (!existsSync(d)) return false;
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
      if (e.isDirectory() ? walk(join(d, e.name)) : /\.test\.ts$/.test(e.name)) return true;
    }
    return false;
  };
  return dirs.some((d) => walk(join(root, d)));
}

function vitestLayer(project) {
  log(`\n=== ${project}`);
  const t0 = Date.now();
  if (!hasTests(testDirs[project])) {
    log(`${project}: no tests yet`);
    results.push({ name: project, passed: 0, failed: 0, secs: 0, note: 'no tests' });
    return;
  }
  const out = join(resultsDir, `${project}.json`);
  rmSync(out, { force: true });
  const code = run(process.execPath, [
    bin('vitest', 'vitest.mjs'),
    'run',
    '--project',
    project,
    '--passWithNoTests',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${out}`,
  ]);
  let passed = 0;
  let failed = 0;
  let note;
  try {
    const j = JSON.parse(readFileSync(out, 'utf8'));
    passed = j.numPassedTests ?? 0;
    failed = j.numFailedTests ?? 0;
    // a file that fails to load has no test results of its own: count it as one failure
    const broken = (j.testResults ?? []).filter((f) => f.status === 'failed' && !(f.assertionResults ?? []).some((a) => a.status === 'failed'));
    failed += broken.length;
    if (broken.length) note = `${broken.length} file(s) failed to load`;
  } catch {
    failed = 1;
    note = `vitest exited ${code} without a report`;
  }
  if (code !== 0 && failed === 0) {
    failed = 1;
    note = `vitest exited ${code}`;
  }
  results.push({ name: project, passed, failed, secs: (Date.now() - t0) / 1000, note });
}

/** The images, registry and second engine the Docker layers need; builds them when missing (root only). */
function ensureTestEnv() {
  const ok = (cmd, args) => spawnSync(cmd, args, { stdio: 'ignore', timeout: 15_000 }).status === 0;
  const ready =
    ok('docker', ['image', 'inspect', 'kubelab-test/busybox:latest', 'kubelab-test/nginx:1.22']) &&
    ok('docker', ['-H', 'unix:///run/docker-n2.sock', 'image', 'inspect', 'kubelab-test/busybox:latest']) &&
    ok('curl', ['-fsS', 'http://127.0.0.1:5000/v2/']);
  if (ready) return;
  if (process.getuid?.() !== 0) {
    log('test environment incomplete and not root: run `sudo bash scripts/test-env.sh` first');
    return;
  }
  log('\n=== test environment (scripts/test-env.sh)');
  run('bash', [join(root, 'scripts', 'test-env.sh')]);
}

let envChecked = false;
for (const layer of layers) {
  if (dockerLayers.has(layer) && !envChecked) {
    envChecked = true;
    ensureTestEnv();
  }
  switch (layer) {
    case 'lint':
      check('lint', process.execPath, [bin('eslint', 'bin/eslint.js'), '.']);
      check('format', process.execPath, [bin('prettier', 'bin/prettier.cjs'), '--check', '.']);
      break;
    case 'typecheck-node':
      check('typecheck-node', process.execPath, [bin('typescript', 'bin/tsc'), '--noEmit', '-p', 'tsconfig.node.json']);
      // tests of renderer modules run in node but need the DOM's types
      check('typecheck-renderer-tests', process.execPath, [bin('typescript', 'bin/tsc'), '--noEmit', '-p', 'tsconfig.test-dom.json']);
      break;
    case 'typecheck-web':
      if (!hasTests(['renderer']) && !existsSync(join(root, 'renderer', 'main.ts'))) {
        results.push({ name: layer, passed: 0, failed: 0, secs: 0, note: 'no renderer yet' });
        break;
      }
      check('typecheck-web', process.execPath, [bin('vue-tsc', 'bin/vue-tsc.js'), '--noEmit', '-p', 'tsconfig.web.json']);
      break;
    case 'build-renderer':
      if (!existsSync(join(root, 'renderer', 'index.html'))) {
        results.push({ name: layer, passed: 0, failed: 0, secs: 0, note: 'no renderer yet' });
        break;
      }
      check('build-renderer', process.execPath, [
        bin('vite', 'bin/vite.js'),
        'build',
        ...(existsSync(join(root, 'renderer', 'vite.config.ts')) ? ['--config', 'renderer/vite.config.ts'] : ['renderer']),
      ]);
      break;
    default:
      vitestLayer(layer);
  }
}

log('\n=== results');
for (const r of results) {
  const status = r.failed ? 'FAIL' : r.note ? 'SKIP' : 'ok  ';
  log(
    `${status} ${r.name.padEnd(16)} ${String(r.passed).padStart(4)} passed ${String(r.failed).padStart(3)} failed  ${r.secs.toFixed(1)}s${r.note ? `  (${r.note})` : ''}`,
  );
}
const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0);
log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
