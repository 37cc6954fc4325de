// volumeMounts[].subPath and friends: refused at the API as upstream (422 with the field path), and at
// mount time resolved inside the volume, so neither `..` nor a symlink planted by a container reaches the host.
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errors } from '../../../main/api/errors';
import type { KubeObject } from '../../../main/api/object';
import { podStrategy } from '../../../main/apiserver/registry/pods';
import type { StrategyContext } from '../../../main/apiserver/registry/types';
import { containerMounts, expandSubPathExpr, resolveSubPath, VolumeError, type PreparedVolume } from '../../../main/kubelet/volumes';

const ctx: StrategyContext = { user: { username: 'admin', groups: ['system:masters'] }, operation: 'create', now: new Date() };

function message(mount: Record<string, unknown>, volume: Record<string, unknown> = { name: 'data', emptyDir: {} }): string {
  const obj: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default' },
    spec: { volumes: [volume], containers: [{ name: 'c', image: 'busybox:1', volumeMounts: [{ name: 'data', mountPath: '/data', ...mount }] }] },
  };
  podStrategy.prepareForCreate!(obj, ctx);
  podStrategy.defaults!(obj);
  const errs = podStrategy.validate!(obj, ctx);
  return errs.length ? errors.invalid('Pod', undefined, 'p', errs).message : '';
}

describe('subPath validation', () => {
  it.each([
    ['a plain relative path', { subPath: 'conf/app' }, ''],
    ['a name with dots', { subPath: '..data-not-a-parent/x..y' }, ''],
    ['a parent step', { subPath: '../x' }, `Pod "p" is invalid: spec.containers[0].volumeMounts[0].subPath: Invalid value: "../x": must not contain '..'`],
    [
      'a parent step in the middle',
      { subPath: 'a/../../etc' },
      `Pod "p" is invalid: spec.containers[0].volumeMounts[0].subPath: Invalid value: "a/../../etc": must not contain '..'`,
    ],
    [
      'many parent steps: one error',
      { subPath: '../../..' },
      `Pod "p" is invalid: spec.containers[0].volumeMounts[0].subPath: Invalid value: "../../..": must not contain '..'`,
    ],
    ['an absolute path', { subPath: '/etc' }, 'Pod "p" is invalid: spec.containers[0].volumeMounts[0].subPath: Invalid value: "/etc": must be a relative path'],
    [
      'absolute and parent',
      { subPath: '/../etc' },
      `Pod "p" is invalid: [spec.containers[0].volumeMounts[0].subPath: Invalid value: "/../etc": must be a relative path, spec.containers[0].volumeMounts[0].subPath: Invalid value: "/../etc": must not contain '..']`,
    ],
    [
      'subPathExpr with a parent step',
      { subPathExpr: '$(POD_NAME)/..' },
      `Pod "p" is invalid: spec.containers[0].volumeMounts[0].subPathExpr: Invalid value: "$(POD_NAME)/..": must not contain '..'`,
    ],
    [
      'subPath and subPathExpr together',
      { subPath: 'a', subPathExpr: 'b' },
      'Pod "p" is invalid: spec.containers[0].volumeMounts[0].subPathExpr: Invalid value: "b": subPathExpr and subPath are mutually exclusive',
    ],
  ])('%s', (_name, mount, want) => {
    expect(message(mount)).toBe(want);
  });

  it.each([
    [
      'configMap item',
      { name: 'data', configMap: { name: 'cm', items: [{ key: 'k', path: '../k' }] } },
      `spec.volumes[0].configMap.items[0].path: Invalid value: "../k": must not contain '..'`,
    ],
    [
      'secret item',
      { name: 'data', secret: { secretName: 's', items: [{ key: 'k', path: '/k' }] } },
      'spec.volumes[0].secret.items[0].path: Invalid value: "/k": must be a relative path',
    ],
    [
      'a reserved ..name',
      { name: 'data', configMap: { name: 'cm', items: [{ key: 'k', path: '..data' }] } },
      `spec.volumes[0].configMap.items[0].path: Invalid value: "..data": must not start with '..'`,
    ],
    [
      'downwardAPI item',
      { name: 'data', downwardAPI: { items: [{ path: '../x', fieldRef: { fieldPath: 'metadata.name' } }] } },
      `spec.volumes[0].downwardAPI.items[0].path: Invalid value: "../x": must not contain '..'`,
    ],
    [
      'projected token path',
      { name: 'data', projected: { sources: [{ serviceAccountToken: { path: '../token' } }] } },
      `spec.volumes[0].projected.sources[0].serviceAccountToken.path: Invalid value: "../token": must not contain '..'`,
    ],
  ])('key paths of a %s', (_name, volume, want) => {
    expect(message({}, volume)).toContain(want);
  });
});

describe('subPath at mount time', () => {
  let dir: string;
  let vol: string;
  let outside: string;
  beforeAll(async () => {
    dir = await realpath(await mkdtemp(path.join(tmpdir(), 'kubelab-subpath-')));
    vol = path.join(dir, 'volume');
    outside = path.join(dir, 'host-secret');
    await mkdir(path.join(vol, 'inner', 'deep'), { recursive: true });
    await mkdir(outside);
    await writeFile(path.join(outside, 'shadow'), 'root:x');
    // what a first container can plant in a shared emptyDir
    await symlink(outside, path.join(vol, 'escape'));
    await symlink('/', path.join(vol, 'root'));
    await symlink('inner/deep', path.join(vol, 'ok-link'));
    await symlink('../../host-secret', path.join(vol, 'inner', 'up'));
    await symlink(path.join(vol, 'missing'), path.join(vol, 'dangling'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ['a directory inside', 'inner/deep', 'inner/deep'],
    ['a symlink that stays inside', 'ok-link', 'inner/deep'],
    ['a new directory, made inside', 'made/here', 'made/here'],
  ])('resolves %s', async (_name, subPath, want) => {
    expect(await resolveSubPath(vol, subPath)).toBe(path.join(vol, want));
  });

  it.each([
    ['a symlink to a host directory', 'escape'],
    ['a symlink to /', 'root/etc'],
    ['a relative symlink climbing out', 'inner/up'],
    ['a path through an escaping symlink', 'escape/shadow'],
    ['a dangling symlink', 'dangling'],
  ])('refuses %s', async (_name, subPath) => {
    await expect(resolveSubPath(vol, subPath)).rejects.toThrow();
  });

  const volumes = () => new Map<string, PreparedVolume>([['data', { name: 'data', type: 'emptyDir', mount: { type: 'bind', source: vol }, readOnly: false }]]);

  it('mounts the checked real path, not the path as written', async () => {
    const mounts = await containerMounts({ name: 'b', volumeMounts: [{ name: 'data', mountPath: '/x', subPath: 'ok-link' }] }, volumes());
    expect(mounts).toEqual([{ type: 'bind', source: path.join(vol, 'inner', 'deep'), target: '/x', readOnly: false }]);
  });

  it("refuses an escaping one with upstream's message, naming no host path", async () => {
    const err = await containerMounts({ name: 'b', volumeMounts: [{ name: 'data', mountPath: '/x', subPath: 'escape' }] }, volumes()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VolumeError);
    expect((err as Error).message).toBe('failed to prepare subPath for volumeMount "data" of container "b"');
  });

  it('expands subPathExpr from the environment, and refuses what expands out of the volume', async () => {
    expect(expandSubPathExpr('logs/$(POD_NAME)', [{ name: 'POD_NAME', value: 'web-1' }])).toBe('logs/web-1');
    expect(() => expandSubPathExpr('$(NOPE)/x', [])).toThrow('missing value for NOPE');
    const mounts = await containerMounts({ name: 'b', volumeMounts: [{ name: 'data', mountPath: '/x', subPathExpr: '$(WHERE)' }] }, volumes(), [
      { name: 'WHERE', value: 'inner' },
    ]);
    expect(mounts[0].source).toBe(path.join(vol, 'inner'));
    await expect(
      containerMounts({ name: 'b', volumeMounts: [{ name: 'data', mountPath: '/x', subPathExpr: '$(WHERE)' }] }, volumes(), [
        { name: 'WHERE', value: '../..' },
      ]),
    ).rejects.toThrow("unable to provision SubPath `../..`: must not contain '..'");
    await expect(
      containerMounts({ name: 'b', volumeMounts: [{ name: 'data', mountPath: '/x', subPathExpr: '$(WHERE)' }] }, volumes(), [
        { name: 'WHERE', value: 'escape' },
      ]),
    ).rejects.toThrow('failed to prepare subPath for volumeMount "data" of container "b"');
  });

  it('refuses a subPath on a runtime volume instead of mounting all of it', async () => {
    const v = new Map<string, PreparedVolume>([
      ['mem', { name: 'mem', type: 'emptyDir(Memory)', mount: { type: 'volume', source: 'kubelab-x' }, readOnly: false }],
    ]);
    await expect(containerMounts({ name: 'b', volumeMounts: [{ name: 'mem', mountPath: '/x', subPath: 'a' }] }, v)).rejects.toThrow(
      'subPath is not supported for volume "mem"',
    );
  });
});
