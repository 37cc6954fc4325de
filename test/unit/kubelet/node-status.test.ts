import { describe, expect, it } from 'vitest';
import { nodeLabels, nodeStatus } from '../../../main/kubelet/node-status';
import { authFromSecrets, defaultPullPolicy, registryOf } from '../../../main/kubelet/images';
import type { RuntimeInfo } from '../../../main/runtime/types';

const info: RuntimeInfo = {
  name: 'docker',
  version: '20.10.24',
  kernelVersion: '6.1.0',
  osImage: 'Debian GNU/Linux 12',
  os: 'linux',
  arch: 'amd64',
  cpus: 2,
  memoryBytes: 2048 * 1024 * 1024,
  storageBytes: 10 * 1024 ** 3,
  internalIP: '172.18.0.1',
};

describe('nodeStatus', () => {
  it('a reachable engine: Ready, capacity, nodeInfo, addresses, images', () => {
    const s = nodeStatus({
      nodeName: 'default',
      info,
      images: [
        { id: 'a', names: ['small:1'], sizeBytes: 10 },
        { id: 'b', names: ['big:1'], sizeBytes: 100 },
        { id: 'c', names: [], sizeBytes: 5 },
      ],
      now: '2026-01-01T00:00:00Z',
    })!;
    expect(s.conditions!.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['MemoryPressure', 'False', 'KubeletHasSufficientMemory'],
      ['DiskPressure', 'False', 'KubeletHasNoDiskPressure'],
      ['PIDPressure', 'False', 'KubeletHasSufficientPID'],
      ['Ready', 'True', 'KubeletReady'],
    ]);
    expect(s.capacity).toMatchObject({ cpu: '2', memory: '2097152Ki', pods: '110' });
    expect(s.allocatable).toEqual(s.capacity);
    expect(s.nodeInfo).toMatchObject({
      containerRuntimeVersion: 'docker://20.10.24',
      kubeletVersion: 'v1.32.4-kubelab',
      operatingSystem: 'linux',
      architecture: 'amd64',
    });
    expect(s.addresses).toEqual([
      { type: 'InternalIP', address: '172.18.0.1' },
      { type: 'Hostname', address: 'default' },
    ]);
    expect(s.images!.map((i) => i.names?.[0])).toEqual(['big:1', 'small:1']);
  });

  it('an unreachable engine: not Ready, with the reason; transition time moves only on change', () => {
    const up = nodeStatus({ nodeName: 'n', info, images: [], now: '2026-01-01T00:00:00Z' })!;
    const down = nodeStatus({
      nodeName: 'n',
      runtimeError: 'connect ENOENT /run/docker-n2.sock',
      images: [],
      previous: up.conditions,
      now: '2026-01-01T00:00:10Z',
    })!;
    const ready = down.conditions!.find((c) => c.type === 'Ready')!;
    expect(ready).toMatchObject({
      status: 'False',
      reason: 'KubeletNotReady',
      message: 'container runtime is down: connect ENOENT /run/docker-n2.sock',
      lastTransitionTime: '2026-01-01T00:00:10Z',
    });
    const again = nodeStatus({ nodeName: 'n', runtimeError: 'x', images: [], previous: down.conditions, now: '2026-01-01T00:00:20Z' })!;
    expect(again.conditions!.find((c) => c.type === 'Ready')!.lastTransitionTime).toBe('2026-01-01T00:00:10Z');
    expect(again.conditions!.find((c) => c.type === 'Ready')!.lastHeartbeatTime).toBe('2026-01-01T00:00:20Z');
  });

  it('labels: hostname, os, arch, beta ones, virtual', () => {
    expect(nodeLabels('n1', info, true)).toEqual({
      'kubernetes.io/hostname': 'n1',
      'kubernetes.io/os': 'linux',
      'kubernetes.io/arch': 'amd64',
      'beta.kubernetes.io/os': 'linux',
      'beta.kubernetes.io/arch': 'amd64',
      'kubelab.io/virtual': 'true',
    });
  });
});

describe('image helpers', () => {
  it.each([
    ['nginx', 'Always'],
    ['nginx:latest', 'Always'],
    ['nginx:1.22', 'IfNotPresent'],
    ['127.0.0.1:5000/nginx', 'Always'],
    ['127.0.0.1:5000/nginx:1.22', 'IfNotPresent'],
    ['nginx@sha256:abc', 'IfNotPresent'],
  ])('default pull policy of %s is %s', (image, want) => expect(defaultPullPolicy(image)).toBe(want));

  it.each([
    ['nginx', 'docker.io'],
    ['library/nginx:1', 'docker.io'],
    ['127.0.0.1:5000/nginx:1.22', '127.0.0.1:5000'],
    ['ghcr.io/a/b', 'ghcr.io'],
    ['localhost/x', 'localhost'],
  ])('registry of %s is %s', (image, want) => expect(registryOf(image)).toBe(want));

  it('auth comes from a dockerconfigjson secret for the image registry', () => {
    const cfg = {
      auths: { '127.0.0.1:5000': { auth: Buffer.from('alice:pa:ss').toString('base64') }, 'https://index.docker.io/v1/': { username: 'bob', password: 'x' } },
    };
    const secret = {
      metadata: { name: 's' },
      type: 'kubernetes.io/dockerconfigjson',
      data: { '.dockerconfigjson': Buffer.from(JSON.stringify(cfg)).toString('base64') },
    };
    expect(authFromSecrets('127.0.0.1:5000/nginx:1.22', [secret])).toEqual({ username: 'alice', password: 'pa:ss', serveraddress: '127.0.0.1:5000' });
    expect(authFromSecrets('nginx', [secret])).toMatchObject({ username: 'bob', password: 'x' });
    expect(authFromSecrets('quay.io/x', [secret])).toBeUndefined();
  });
});
