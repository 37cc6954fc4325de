// Pod fields the lab's runtime cannot honor as asked: refused (422) or warned, never dropped silently.
import { describe, expect, it } from 'vitest';
import { errors } from '../../../main/api/errors';
import type { KubeObject } from '../../../main/api/object';
import { deploymentStrategy } from '../../../main/apiserver/registry/apps';
import { cronJobStrategy } from '../../../main/apiserver/registry/batch';
import { podStrategy } from '../../../main/apiserver/registry/pods';
import type { StrategyContext } from '../../../main/apiserver/registry/types';

const ctx: StrategyContext = { user: { username: 'admin', groups: ['system:masters'] }, operation: 'create', now: new Date() };
const pod = (spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'default' },
  spec: { containers: [{ name: 'c', image: 'busybox:1' }], ...spec },
});

function message(obj: KubeObject): string {
  podStrategy.prepareForCreate!(obj, ctx);
  podStrategy.defaults!(obj);
  const errs = podStrategy.validate!(obj, ctx);
  return errs.length ? errors.invalid('Pod', undefined, 'p', errs).message : '';
}

describe('refused', () => {
  it.each([
    [
      'user namespaces',
      { hostUsers: false },
      `Pod "p" is invalid: spec.hostUsers: Forbidden: user namespaces are not supported by the lab's container runtime (Docker runs containers in the engine's user namespace)`,
    ],
    ['host users (the default)', { hostUsers: true }, ''],
    [
      'a net sysctl with hostNetwork',
      { hostNetwork: true, securityContext: { sysctls: [{ name: 'net.ipv4.tcp_syncookies', value: '1' }] } },
      `Pod "p" is invalid: spec.securityContext.sysctls[0].name: Invalid value: "net.ipv4.tcp_syncookies": may not be specified when 'hostNetwork' is true`,
    ],
    [
      'an IPC sysctl with hostIPC',
      { hostIPC: true, securityContext: { sysctls: [{ name: 'kernel.shm_rmid_forced', value: '1' }] } },
      `Pod "p" is invalid: spec.securityContext.sysctls[0].name: Invalid value: "kernel.shm_rmid_forced": may not be specified when 'hostIPC' is true`,
    ],
    [
      'a malformed sysctl name',
      { securityContext: { sysctls: [{ name: 'Kernel..x', value: '1' }] } },
      'Pod "p" is invalid: spec.securityContext.sysctls[0].name: Invalid value: "Kernel..x": must have at most 253 characters and match regex ([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?',
    ],
  ])('%s', (_name, spec, want) => {
    expect(message(pod(spec))).toBe(want);
  });
});

describe('warned', () => {
  it('names each field the runtime cannot honor as asked, on create and on a changed spec only', () => {
    const p = pod({
      securityContext: { seLinuxOptions: { type: 'spc_t' }, supplementalGroupsPolicy: 'Strict', fsGroupChangePolicy: 'OnRootMismatch' },
      containers: [{ name: 'c', image: 'x', securityContext: { seLinuxOptions: { level: 's0' } } }],
    });
    expect(podStrategy.warnings!(p, undefined)).toEqual([
      'spec.securityContext.seLinuxOptions: passed to Docker as label options, which take effect only on an engine with SELinux enabled',
      `spec.securityContext.supplementalGroupsPolicy: "Strict" is not honored: Docker also applies the groups the image's /etc/group gives the user`,
      'spec.securityContext.fsGroupChangePolicy: "OnRootMismatch" is not honored: the kubelet gives every volume it writes the fsGroup; hostPath volumes never change',
      'spec.containers[0].securityContext.seLinuxOptions: passed to Docker as label options, which take effect only on an engine with SELinux enabled',
    ]);
    expect(podStrategy.warnings!(p, structuredClone(p))).toEqual([]);
    expect(podStrategy.warnings!(pod({}), undefined)).toEqual([]);
  });

  it('in workload templates too, with their paths', () => {
    const tplSpec = { containers: [{ name: 'c', image: 'x', securityContext: { seLinuxOptions: { type: 't' } } }] };
    const d = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { template: { spec: tplSpec } } } as KubeObject;
    expect(deploymentStrategy.warnings!(d, undefined)[0]).toMatch(/^spec\.template\.spec\.containers\[0\]\.securityContext\.seLinuxOptions: /);
    const cj = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'j' },
      spec: { jobTemplate: { spec: { template: { spec: tplSpec } } } },
    } as KubeObject;
    expect(cronJobStrategy.warnings!(cj, undefined)[0]).toMatch(/^spec\.jobTemplate\.spec\.template\.spec\.containers\[0\]/);
  });
});
