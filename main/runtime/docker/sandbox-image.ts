// The pod sandbox image: our own static pause binary (resources/sandbox/pause.c), put into each engine with
// `docker import` of a tar stream, so sandboxes work offline. Without a binary for the engine's architecture
// the upstream image is pulled instead.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type Docker from 'dockerode';
import tar from 'tar-stream';
import { logger } from '../../log';
import { packageRoot, sandboxBinDir } from '../../resources';

const log = logger('sandbox-image');

export const SANDBOX_REPO = 'kubelab/pause';
export const UPSTREAM_PAUSE_IMAGE = 'registry.k8s.io/pause:3.10';
/** Labels on the imported image, so it is recognisably ours. */
export const SANDBOX_IMAGE_LABELS = { 'kubelab.io/component': 'sandbox' } as const;
/** Label on sandbox images whose /pause has the dial and listen modes (older ones, and the upstream pause, lack it). */
export const PAUSE_MODES_LABEL = 'kubelab.io/pause-modes';

function packageVersion(): string {
  try {
    return JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export const SANDBOX_VERSION = packageVersion();
export const SANDBOX_IMAGE = `${SANDBOX_REPO}:${SANDBOX_VERSION}`;

/** What the imported image is labelled with. */
const imageLabels = () => ({ ...SANDBOX_IMAGE_LABELS, 'kubelab.io/version': SANDBOX_VERSION, [PAUSE_MODES_LABEL]: 'dial,listen' });

/** The image name for a binary: the version plus a digest of the binary and labels, so a rebuilt pause (new modes) is imported anew. */
export function sandboxImageFor(binary: Buffer): string {
  return `${SANDBOX_IMAGE}-${createHash('sha256').update(binary).update(JSON.stringify(imageLabels())).digest('hex').slice(0, 12)}`;
}

/** Where the binary for an architecture is (Docker's arch names: amd64, arm64). */
export function pauseBinaryPath(arch: string, binDir = sandboxBinDir()): string {
  return join(binDir, `pause-linux-${arch}`);
}

/** A tar stream holding just /pause (mode 0755), ready for `docker import`. */
export function pauseTar(binary: Buffer): NodeJS.ReadableStream {
  const pack = tar.pack();
  pack.entry({ name: 'pause', mode: 0o755, uid: 0, gid: 0, mtime: new Date(0) }, binary);
  pack.finalize();
  return pack as unknown as NodeJS.ReadableStream;
}

async function hasImage(docker: Docker, name: string): Promise<boolean> {
  try {
    await docker.getImage(name).inspect();
    return true;
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode === 404) return false;
    throw e;
  }
}

/** Follows a progress stream to its end; rejects on an error message in it. */
function follow(docker: Docker, stream: NodeJS.ReadableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(stream, (err: Error | null, output: { error?: string; errorDetail?: { message?: string } }[]) => {
      if (err) return reject(err);
      const failed = output?.find((o) => o.error || o.errorDetail);
      if (failed) return reject(new Error(failed.errorDetail?.message ?? failed.error));
      resolve();
    });
  });
}

export interface SandboxImageOptions {
  /** folder holding pause-linux-<arch>; default resources/sandbox/bin */
  binDir?: string;
  /** image name to create; default kubelab/pause:<version> */
  image?: string;
}

const inflight = new WeakMap<Docker, Promise<string>>();

/**
 * Makes sure the engine has a sandbox image and returns its name: kubelab/pause:<version>-<digest> imported from our
 * binary, or registry.k8s.io/pause:3.10 pulled when there is no binary for the engine's architecture.
 * Concurrent callers on one dockerode client share one attempt.
 */
export function ensureSandboxImage(docker: Docker, opts: SandboxImageOptions = {}): Promise<string> {
  const pending = inflight.get(docker);
  if (pending) return pending;
  const p = ensure(docker, opts).finally(() => inflight.delete(docker));
  inflight.set(docker, p);
  return p;
}

async function ensure(docker: Docker, opts: SandboxImageOptions): Promise<string> {
  if (opts.image && (await hasImage(docker, opts.image))) return opts.image;
  const { Arch: arch, Os: os } = await docker.version();
  const binPath = pauseBinaryPath(arch, opts.binDir);
  if (os === 'linux' && existsSync(binPath)) {
    const binary = await readFile(binPath);
    const image = opts.image ?? sandboxImageFor(binary);
    if (await hasImage(docker, image)) return image;
    const [repo, tag] = image.split(/:(?=[^:/]+$)/);
    const labels = Object.entries(imageLabels()).map(([k, v]) => `LABEL ${k}=${v}`);
    const stream = await docker.importImage(pauseTar(binary), { repo, tag: tag ?? 'latest', changes: ['CMD ["/pause"]', ...labels] } as Record<
      string,
      unknown
    >);
    await follow(docker, stream);
    log.info('imported sandbox image', { image, arch, bytes: binary.length });
    return image;
  }
  log.warn('no pause binary for this engine, pulling the upstream sandbox image', { arch, os, expected: binPath, image: UPSTREAM_PAUSE_IMAGE });
  if (!(await hasImage(docker, UPSTREAM_PAUSE_IMAGE))) {
    try {
      await follow(docker, await docker.pull(UPSTREAM_PAUSE_IMAGE));
    } catch (err) {
      throw new Error(
        `no sandbox image: no pause binary for ${os}/${arch} (build it with scripts/build-pause.sh) and pulling ${UPSTREAM_PAUSE_IMAGE} failed: ${(err as Error).message}`,
      );
    }
  }
  return UPSTREAM_PAUSE_IMAGE;
}
