// The kubelet's volume manager: each pod volume becomes a directory under the data dir (or a runtime
// volume for emptyDir medium Memory) that containers bind-mount, as upstream's volume plugins do.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ConfigMap, Container, DownwardAPIVolumeFile, KeyToPath, Pod, Secret, Volume } from 'kubernetes-types/core/v1';
import type { ContainerRuntime, Mount } from '../runtime/types';
import { logger } from '../log';
import { expandVars, podField, resourceField } from './env';

const log = logger('kubelet');

export class VolumeError extends Error {}

export interface VolumeSources {
  configMap(namespace: string, name: string): Promise<ConfigMap | undefined>;
  secret(namespace: string, name: string): Promise<Secret | undefined>;
  /** a token for the pod's service account, if the API can issue one */
  serviceAccountToken?(pod: Pod, audience: string | undefined, expirationSeconds: number | undefined): Promise<string | undefined>;
  nodeName: string;
  hostIP?: string;
  podIP?: string;
  nodeAllocatable?: { cpu?: string; memory?: string };
}

export interface PreparedVolume {
  name: string;
  type: string;
  mount: Pick<Mount, 'source' | 'type'>;
  readOnly: boolean;
}

export const podDir = (dataDir: string, uid: string) => path.join(dataDir, 'pods', uid);

async function writeFiles(dir: string, files: Array<{ path: string; content: Buffer | string; mode?: number }>, dirMode = 0o755): Promise<void> {
  await fs.mkdir(dir, { recursive: true, mode: dirMode });
  await fs.chmod(dir, dirMode);
  const keep = new Set<string>();
  for (const f of files) {
    const p = path.join(dir, f.path);
    if (!p.startsWith(dir + path.sep)) throw new VolumeError(`invalid path ${f.path}`);
    await fs.mkdir(path.dirname(p), { recursive: true });
    await fs.writeFile(p + '.tmp', f.content, { mode: f.mode ?? 0o644 });
    await fs.chmod(p + '.tmp', f.mode ?? 0o644);
    await fs.rename(p + '.tmp', p);
    keep.add(f.path.split('/')[0]);
  }
  // keys removed from the source disappear from the volume
  for (const entry of await fs.readdir(dir)) if (!keep.has(entry)) await fs.rm(path.join(dir, entry), { recursive: true, force: true });
}

function keyFiles(
  data: Record<string, Buffer>,
  items: KeyToPath[] | undefined,
  defaultMode: number | undefined,
  name: string,
  kind: string,
  fallbackMode: number,
): Array<{ path: string; content: Buffer; mode: number }> {
  if (items?.length) {
    return items.map((it) => {
      const v = data[it.key];
      if (v === undefined) throw new VolumeError(`configmap references non-existent config key: ${it.key}`.replace('configmap', kind));
      return { path: it.path, content: v, mode: it.mode ?? defaultMode ?? fallbackMode };
    });
  }
  void name;
  return Object.entries(data).map(([k, v]) => ({ path: k, content: v, mode: defaultMode ?? fallbackMode }));
}

const cmData = (cm: ConfigMap) => ({
  ...Object.fromEntries(Object.entries(cm.data ?? {}).map(([k, v]) => [k, Buffer.from(v)])),
  ...Object.fromEntries(Object.entries(cm.binaryData ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
});
const secretData = (s: Secret) => ({
  ...Object.fromEntries(Object.entries(s.stringData ?? {}).map(([k, v]) => [k, Buffer.from(v)])),
  ...Object.fromEntries(Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
});

function downwardFiles(pod: Pod, items: DownwardAPIVolumeFile[], defaultMode: number | undefined, src: VolumeSources) {
  return items.map((it) => {
    let content = '';
    if (it.fieldRef) content = podField(pod, it.fieldRef.fieldPath, src) ?? '';
    else if (it.resourceFieldRef) {
      const c = pod.spec?.containers.find((x) => x.name === it.resourceFieldRef!.containerName) ?? pod.spec?.containers[0];
      content = resourceField(c, it.resourceFieldRef.resource, it.resourceFieldRef.divisor as string | undefined, src.nodeAllocatable);
    }
    return { path: it.path, content, mode: it.mode ?? defaultMode ?? 0o644 };
  });
}

async function setUpVolume(pod: Pod, v: Volume, dataDir: string, runtime: ContainerRuntime, src: VolumeSources): Promise<PreparedVolume> {
  const uid = pod.metadata!.uid!;
  const ns = pod.metadata!.namespace ?? 'default';
  const base = path.join(podDir(dataDir, uid), 'volumes');
  const dirFor = (plugin: string) => path.join(base, `kubernetes.io~${plugin}`, v.name);
  if (v.emptyDir) {
    if (v.emptyDir.medium === 'Memory' && runtime.ensureVolume) {
      const name = await runtime.ensureVolume(v.name, { uid, name: pod.metadata!.name!, namespace: ns }, 'Memory');
      return { name: v.name, type: 'emptyDir(Memory)', mount: { type: 'volume', source: name }, readOnly: false };
    }
    const dir = dirFor('empty-dir');
    await fs.mkdir(dir, { recursive: true });
    await fs.chmod(dir, 0o777);
    return { name: v.name, type: 'emptyDir', mount: { type: 'bind', source: dir }, readOnly: false };
  }
  if (v.hostPath) {
    const p = v.hostPath.path;
    const t = v.hostPath.type ?? '';
    const st = await fs.stat(p).catch(() => undefined);
    if (t === 'DirectoryOrCreate' && !st) await fs.mkdir(p, { recursive: true, mode: 0o755 });
    else if (t === 'FileOrCreate' && !st) {
      await fs.mkdir(path.dirname(p), { recursive: true });
      await fs.writeFile(p, '', { mode: 0o644 });
    } else if (t === 'Directory' && !st?.isDirectory()) throw new VolumeError(`hostPath type check failed: ${p} is not a directory`);
    else if (t === 'File' && !st?.isFile()) throw new VolumeError(`hostPath type check failed: ${p} is not a file`);
    else if (t === 'Socket' && !st?.isSocket()) throw new VolumeError(`hostPath type check failed: ${p} is not a socket file`);
    return { name: v.name, type: 'hostPath', mount: { type: 'bind', source: p }, readOnly: false };
  }
  if (v.configMap) {
    const cm = await src.configMap(ns, v.configMap.name ?? '');
    const dir = dirFor('configmap');
    if (!cm && !v.configMap.optional) throw new VolumeError(`configmap "${v.configMap.name}" not found`);
    await writeFiles(dir, cm ? keyFiles(cmData(cm), v.configMap.items, v.configMap.defaultMode, v.name, 'configmap', 0o644) : []);
    return { name: v.name, type: 'configMap', mount: { type: 'bind', source: dir }, readOnly: true };
  }
  if (v.secret) {
    const s = await src.secret(ns, v.secret.secretName ?? '');
    const dir = dirFor('secret');
    if (!s && !v.secret.optional) throw new VolumeError(`secret "${v.secret.secretName}" not found`);
    await writeFiles(dir, s ? keyFiles(secretData(s), v.secret.items, v.secret.defaultMode, v.name, 'secret', 0o600) : []);
    return { name: v.name, type: 'secret', mount: { type: 'bind', source: dir }, readOnly: true };
  }
  if (v.downwardAPI) {
    const dir = dirFor('downward-api');
    await writeFiles(dir, downwardFiles(pod, v.downwardAPI.items ?? [], v.downwardAPI.defaultMode, src));
    return { name: v.name, type: 'downwardAPI', mount: { type: 'bind', source: dir }, readOnly: true };
  }
  if (v.projected) {
    const dir = dirFor('projected');
    const files: Array<{ path: string; content: Buffer | string; mode?: number }> = [];
    const mode = v.projected.defaultMode;
    for (const s of v.projected.sources ?? []) {
      if (s.configMap) {
        const cm = await src.configMap(ns, s.configMap.name ?? '');
        // kube-root-ca.crt is published by a controller the lab may not run: its absence must not block every pod
        if (!cm && !s.configMap.optional && s.configMap.name !== 'kube-root-ca.crt') throw new VolumeError(`configmap "${s.configMap.name}" not found`);
        if (cm) files.push(...keyFiles(cmData(cm), s.configMap.items, mode, v.name, 'configmap', 0o644));
      } else if (s.secret) {
        const sec = await src.secret(ns, s.secret.name ?? '');
        if (!sec && !s.secret.optional) throw new VolumeError(`secret "${s.secret.name}" not found`);
        if (sec) files.push(...keyFiles(secretData(sec), s.secret.items, mode, v.name, 'secret', 0o644));
      } else if (s.downwardAPI) {
        files.push(...downwardFiles(pod, s.downwardAPI.items ?? [], mode, src));
      } else if (s.serviceAccountToken) {
        const token =
          (await src.serviceAccountToken?.(pod, s.serviceAccountToken.audience, s.serviceAccountToken.expirationSeconds).catch(() => undefined)) ?? '';
        files.push({ path: s.serviceAccountToken.path, content: token, mode: mode ?? 0o644 });
      }
    }
    await writeFiles(dir, files);
    return { name: v.name, type: 'projected', mount: { type: 'bind', source: dir }, readOnly: true };
  }
  const kind = Object.keys(v).find((k) => k !== 'name') ?? 'unknown';
  throw new VolumeError(`volume type ${kind} is not supported by this lab's kubelet`);
}

/**
 * upstream's SetVolumeOwnership for the volumes the kubelet writes: group fsGroup, group-readable (and writable
 * for emptyDir), directories setgid so new files keep the group. hostPath volumes are never changed, as upstream.
 */
async function applyFsGroup(dir: string, gid: number, readOnly: boolean): Promise<void> {
  const walk = async (p: string) => {
    const st = await fs.lstat(p);
    if (st.isSymbolicLink()) return;
    // a kubelet not running as root may not give away a group: the mode bits still open it to the group
    await fs.lchown(p, st.uid, gid).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPERM') throw e;
    });
    const mask = readOnly ? 0o440 : 0o660;
    await fs.chmod(p, (st.mode & 0o7777) | mask | (st.isDirectory() ? 0o2110 : 0));
    if (st.isDirectory()) for (const e of await fs.readdir(p)) await walk(path.join(p, e));
  };
  await walk(dir);
}

/** Set up every volume of the pod; throws VolumeError with upstream's wording. */
export async function setUpVolumes(pod: Pod, dataDir: string, runtime: ContainerRuntime, src: VolumeSources): Promise<Map<string, PreparedVolume>> {
  const out = new Map<string, PreparedVolume>();
  const fsGroup = pod.spec?.securityContext?.fsGroup;
  for (const v of pod.spec?.volumes ?? []) {
    try {
      const prepared = await setUpVolume(pod, v, dataDir, runtime, src);
      if (fsGroup !== undefined && prepared.mount.type === 'bind' && prepared.type !== 'hostPath')
        await applyFsGroup(prepared.mount.source, fsGroup, prepared.readOnly);
      out.set(v.name, prepared);
    } catch (e) {
      throw new VolumeError(`MountVolume.SetUp failed for volume "${v.name}" : ${(e as Error).message}`);
    }
  }
  return out;
}

const inside = (root: string, p: string) => p === root || p.startsWith(root + path.sep);

/**
 * The real path of `subPath` inside `root`, walked one component at a time so that a symlink a container
 * planted in the volume cannot lead the mount out of it (upstream's doSafeMakeDir / PrepareSafeSubpath):
 * symlinks are followed only while they resolve inside the volume, missing directories are made inside it.
 * What is returned has no symlink left, so the runtime binds exactly what was checked.
 */
export async function resolveSubPath(root: string, subPath: string): Promise<string> {
  if (path.isAbsolute(subPath)) throw new Error(`subPath ${JSON.stringify(subPath)} must not be an absolute path`);
  const realRoot = await fs.realpath(root);
  let cur = realRoot;
  for (const part of subPath.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') throw new Error(`subPath ${JSON.stringify(subPath)} must not contain '..'`);
    const next = path.join(cur, part);
    const st = await fs.lstat(next).catch(() => undefined);
    if (!st) {
      // `cur` is a real directory inside the volume, so the new one is too
      await fs.mkdir(next, { mode: 0o755 }).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'EEXIST') throw e;
      });
      const made = await fs.lstat(next);
      if (!made.isDirectory()) throw new Error(`${next} changed while it was being created`);
      cur = next;
      continue;
    }
    if (st.isSymbolicLink()) {
      const target = await fs.realpath(next).catch(() => undefined);
      if (!target) throw new Error(`${next} is a dangling symlink`);
      if (!inside(realRoot, target)) throw new Error(`${next} resolves to ${target}, outside the volume ${realRoot}`);
      cur = target;
      continue;
    }
    cur = next;
  }
  return cur;
}

/** subPathExpr with the container's environment: $(VAR) each must have a value (upstream's ExpandContainerVolumeMounts). */
export function expandSubPathExpr(expr: string, env: Array<{ name: string; value: string }>): string {
  const values = new Map(env.map((e) => [e.name, e.value]));
  const missing = new Set<string>();
  const out = expandVars(expr, (name) => {
    const v = values.get(name);
    if (!v) missing.add(name);
    return v ?? '';
  });
  if (missing.size) throw new VolumeError(`missing value for ${[...missing].sort().join(', ')}`);
  return out;
}

/**
 * A container's mounts from its volumeMounts. A subPath (or expanded subPathExpr) is resolved inside its volume;
 * one that leaves it is refused with upstream's message, which keeps the host path to the kubelet's log.
 */
export async function containerMounts(
  container: Container,
  volumes: Map<string, PreparedVolume>,
  env: Array<{ name: string; value: string }> = [],
): Promise<Mount[]> {
  const mounts: Mount[] = [];
  for (const vm of container.volumeMounts ?? []) {
    const v = volumes.get(vm.name);
    if (!v) throw new VolumeError(`unable to find volume "${vm.name}"`);
    const readOnly = v.readOnly || !!vm.readOnly;
    const subPath = vm.subPathExpr ? expandSubPathExpr(vm.subPathExpr, env) : vm.subPath;
    if (!subPath) {
      mounts.push({ type: v.mount.type, source: v.mount.source, target: vm.mountPath, readOnly });
      continue;
    }
    if (path.isAbsolute(subPath)) throw new VolumeError(`error SubPath \`${subPath}\` must not be an absolute path`);
    if (subPath.split('/').includes('..')) throw new VolumeError(`unable to provision SubPath \`${subPath}\`: must not contain '..'`);
    if (v.mount.type !== 'bind') {
      throw new VolumeError(
        `subPath is not supported for volume "${vm.name}" (${v.type}) by this node's runtime; volumeMount of container "${container.name}"`,
      );
    }
    let source: string;
    try {
      source = await resolveSubPath(v.mount.source, subPath);
    } catch (e) {
      log.warn('subPath refused', { container: container.name, volume: vm.name, subPath, reason: (e as Error).message });
      throw new VolumeError(`failed to prepare subPath for volumeMount "${vm.name}" of container "${container.name}"`);
    }
    mounts.push({ type: 'bind', source, target: vm.mountPath, readOnly });
  }
  return mounts;
}

export async function tearDownVolumes(dataDir: string, uid: string, runtime: ContainerRuntime): Promise<void> {
  await fs.rm(podDir(dataDir, uid), { recursive: true, force: true });
  await runtime.removePodVolumes?.(uid);
}
