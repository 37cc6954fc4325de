// Images of the lab's own static helpers (resources/sandbox/<name>.c built by scripts/build-pause.sh): the Service
// relay and the node agent. Imported offline into each engine as kubelab/<name>:<version>-<hash of the binary>, never
// pulled: the hash makes a rebuilt binary a new image, so labs of another build sharing the engine keep theirs.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type Docker from 'dockerode';
import tar from 'tar-stream';
import { logger } from '../../log';
import { pauseBinaryPath, SANDBOX_VERSION } from './sandbox-image';

const log = logger('runtime');
const COMPONENT_LABEL = 'kubelab.io/component';

export type StaticHelper = 'relay' | 'agent';

/** A tar stream holding just /<name> (mode 0755), for `docker import`. */
function binaryTar(name: string, binary: Buffer): NodeJS.ReadableStream {
  const pack = tar.pack();
  pack.entry({ name, mode: 0o755, uid: 0, gid: 0, mtime: new Date(0) }, binary);
  pack.finalize();
  return pack as unknown as NodeJS.ReadableStream;
}

const ready = new WeakMap<Docker, Map<StaticHelper, Promise<string>>>();

/** Imports kubelab/<name>:<version>-<hash> into the engine from our static binary, once per engine; resolves to the image name. */
export function ensureStaticImage(docker: Docker, name: StaticHelper, why: string): Promise<string> {
  let byName = ready.get(docker);
  if (!byName) ready.set(docker, (byName = new Map()));
  let p = byName.get(name);
  if (!p) {
    p = (async () => {
      const { Arch: arch } = await docker.version();
      const binPath = join(dirname(pauseBinaryPath(arch)), `${name}-linux-${arch}`);
      if (!existsSync(binPath)) throw new Error(`no ${name} binary for ${arch} at ${binPath} (build it with scripts/build-pause.sh): ${why}`);
      const binary = await readFile(binPath);
      const image = `kubelab/${name}:${SANDBOX_VERSION}-${createHash('sha256').update(binary).digest('hex').slice(0, 8)}`;
      try {
        await docker.getImage(image).inspect();
        return image;
      } catch (e) {
        if ((e as { statusCode?: number }).statusCode !== 404) throw e;
      }
      const [repo, tag] = image.split(/:(?=[^:/]+$)/);
      const stream = await docker.importImage(binaryTar(name, binary), {
        repo,
        tag,
        changes: [`CMD ["/${name}"]`, `LABEL ${COMPONENT_LABEL}=${name}`],
      } as Record<string, unknown>);
      await new Promise<void>((resolve, reject) =>
        docker.modem.followProgress(stream, (err: Error | null, out: { error?: string }[]) =>
          err ? reject(err) : out?.find((o) => o.error) ? reject(new Error(out.find((o) => o.error)!.error)) : resolve(),
        ),
      );
      log.info(`imported ${name} image`, { image, arch });
      return image;
    })();
    p.catch(() => byName.delete(name));
    byName.set(name, p);
  }
  return p;
}
