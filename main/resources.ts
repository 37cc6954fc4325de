// Where our resources are (resources/sandbox: pause and relay sources and binaries; resources/templates), for
// `kubelab serve` from a checkout or an npm install, and for the packaged app (electron-builder's extraResources
// put them in process.resourcesPath). One resolver, so the two never disagree.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ResourcesProbe {
  /** KUBELAB_RESOURCES: an explicit resources folder */
  env?: string;
  /** Electron's process.resourcesPath (set in dev too, where it is Electron's own folder without our sandbox/) */
  resourcesPath?: string;
  /** the folder of the running module (source file or bundle) */
  moduleDir: string;
  exists(path: string): boolean;
}

/** The resources folder: explicit, else the packaged app's, else the nearest ancestor's resources/ holding sandbox/. */
export function findResourcesDir(p: ResourcesProbe): string | undefined {
  if (p.env) return p.env;
  if (p.resourcesPath && p.exists(join(p.resourcesPath, 'sandbox'))) return p.resourcesPath;
  for (let dir = p.moduleDir; ;) {
    if (p.exists(join(dir, 'resources', 'sandbox'))) return join(dir, 'resources');
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/** The nearest ancestor holding package.json (the checkout, the npm install, or the app's asar). */
export function findPackageRoot(moduleDir: string, exists: (path: string) => boolean): string | undefined {
  for (let dir = moduleDir; ;) {
    if (exists(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

const moduleDir = () => dirname(fileURLToPath(import.meta.url));
let cached: string | undefined;

/** This process's resources folder; ./resources when none is found (the lab then pulls the upstream pause image). */
export function resourcesDir(): string {
  cached ??=
    findResourcesDir({
      env: process.env.KUBELAB_RESOURCES,
      resourcesPath: (process as { resourcesPath?: string }).resourcesPath,
      moduleDir: moduleDir(),
      exists: existsSync,
    }) ?? join(process.cwd(), 'resources');
  return cached;
}

export const sandboxBinDir = (): string => join(resourcesDir(), 'sandbox', 'bin');

export const packageRoot = (): string => findPackageRoot(moduleDir(), existsSync) ?? process.cwd();
