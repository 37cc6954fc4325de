import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findPackageRoot, findResourcesDir, resourcesDir, sandboxBinDir } from '../../../main/resources';
import { pauseBinaryPath } from '../../../main/runtime/docker/sandbox-image';

const layout =
  (...paths: string[]) =>
  (p: string) =>
    paths.includes(p);

describe('findResourcesDir', () => {
  it.each([
    [
      'a checkout, from main/runtime/docker',
      { moduleDir: '/src/kubelab/main/runtime/docker', exists: layout('/src/kubelab/resources/sandbox') },
      '/src/kubelab/resources',
    ],
    [
      'a checkout, from the bundle in out/main',
      { moduleDir: '/src/kubelab/out/main', exists: layout('/src/kubelab/resources/sandbox') },
      '/src/kubelab/resources',
    ],
    [
      'npm install',
      { moduleDir: '/usr/lib/node_modules/kubelab/main', exists: layout('/usr/lib/node_modules/kubelab/resources/sandbox') },
      '/usr/lib/node_modules/kubelab/resources',
    ],
    [
      'packaged Linux (extraResources)',
      {
        moduleDir: '/opt/kubelab/resources/app.asar/out/main',
        resourcesPath: '/opt/kubelab/resources',
        exists: layout('/opt/kubelab/resources/sandbox'),
      },
      '/opt/kubelab/resources',
    ],
    [
      'packaged macOS: Contents/Resources, found though no ancestor has resources/ in lower case',
      {
        moduleDir: '/Applications/kubelab.app/Contents/Resources/app.asar/out/main',
        resourcesPath: '/Applications/kubelab.app/Contents/Resources',
        exists: layout('/Applications/kubelab.app/Contents/Resources/sandbox'),
      },
      '/Applications/kubelab.app/Contents/Resources',
    ],
    [
      "electron-vite dev: Electron's own resources folder has no sandbox/, the checkout's is used",
      {
        moduleDir: '/src/kubelab/out/main',
        resourcesPath: '/src/kubelab/node_modules/electron/dist/resources',
        exists: layout('/src/kubelab/resources/sandbox'),
      },
      '/src/kubelab/resources',
    ],
    [
      'KUBELAB_RESOURCES wins',
      {
        env: '/custom/res',
        moduleDir: '/src/kubelab/main',
        resourcesPath: '/opt/kubelab/resources',
        exists: layout('/src/kubelab/resources/sandbox', '/opt/kubelab/resources/sandbox'),
      },
      '/custom/res',
    ],
    ['nothing anywhere', { moduleDir: '/tmp/x/main', exists: layout() }, undefined],
  ])('%s', (_what, probe, expected) => {
    expect(findResourcesDir(probe)).toBe(expected);
  });

  it('the package root is the nearest package.json: the checkout, or the app.asar', () => {
    expect(findPackageRoot('/src/kubelab/out/main', layout('/src/kubelab/package.json'))).toBe('/src/kubelab');
    expect(findPackageRoot('/opt/kubelab/resources/app.asar/out/main', layout('/opt/kubelab/resources/app.asar/package.json'))).toBe(
      '/opt/kubelab/resources/app.asar',
    );
  });

  it('in this checkout, the pause binary and the relay are looked up in resources/sandbox/bin', () => {
    const checkout = fileURLToPath(new URL('../../../', import.meta.url));
    expect(resourcesDir()).toBe(join(checkout, 'resources'));
    expect(sandboxBinDir()).toBe(join(checkout, 'resources', 'sandbox', 'bin'));
    expect(pauseBinaryPath('amd64')).toBe(join(checkout, 'resources', 'sandbox', 'bin', 'pause-linux-amd64'));
    expect(existsSync(join(resourcesDir(), 'sandbox', 'pause.c'))).toBe(true);
  });
});
