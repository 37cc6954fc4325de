// Pod Security Standards: upstream's checks and messages, table by table, and the PodSecurity plugin's
// decisions (enforce refuses pods, warn and audit for pods and workload templates, namespace labels).
import { describe, expect, it } from 'vitest';
import type { PodSpec } from 'kubernetes-types/core/v1';
import { isStatusError, type StatusError } from '../../../main/api/errors';
import type { KubeObject } from '../../../main/api/object';
import { podSecurity } from '../../../main/apiserver/admission/pod-security';
import {
  aggregate,
  evaluatePod,
  forbiddenDetail,
  LATEST,
  policyFromLabels,
  type Level,
  type LevelVersion,
} from '../../../main/apiserver/admission/pod-security-policy';
import { R } from '../../../main/client/types';
import { attrs, FakeClient } from './fake-client';

const lv = (level: Level, minor?: number): LevelVersion => ({ level, version: minor === undefined ? LATEST : { latest: false, minor } });
const c = (name: string, over: Record<string, unknown> = {}) => ({ name, image: 'busybox', ...over });
const spec = (over: Record<string, unknown> = {}): PodSpec => ({ containers: [c('c')], ...over }) as PodSpec;
const detail = (level: LevelVersion, s: PodSpec, annotations?: Record<string, string>) => forbiddenDetail(aggregate(evaluatePod(level, { annotations }, s)));

const restrictedOk = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };

describe('baseline checks', () => {
  it.each([
    ['a plain pod', spec(), ''],
    [
      'privileged',
      spec({ containers: [c('c', { securityContext: { privileged: true } })] }),
      'privileged (container "c" must not set securityContext.privileged=true)',
    ],
    [
      'two privileged',
      spec({ containers: [c('a', { securityContext: { privileged: true } }), c('b', { securityContext: { privileged: true } })] }),
      'privileged (containers "a", "b" must not set securityContext.privileged=true)',
    ],
    [
      'privileged init container',
      spec({ initContainers: [c('i', { securityContext: { privileged: true } })] }),
      'privileged (container "i" must not set securityContext.privileged=true)',
    ],
    ['host namespaces', spec({ hostNetwork: true, hostPID: true, hostIPC: true }), 'host namespaces (hostNetwork=true, hostPID=true, hostIPC=true)'],
    [
      'a hostPath volume',
      spec({
        volumes: [
          { name: 'h', hostPath: { path: '/etc' } },
          { name: 'e', emptyDir: {} },
        ],
      }),
      'hostPath volumes (volume "h")',
    ],
    [
      'hostPorts',
      spec({
        containers: [
          c('a', {
            ports: [
              { containerPort: 80, hostPort: 8080 },
              { containerPort: 443, hostPort: 10443 },
            ],
          }),
        ],
      }),
      'hostPort (container "a" uses hostPorts 10443, 8080)',
    ],
    [
      'a hostPort in two containers',
      spec({ containers: [c('a', { ports: [{ containerPort: 80, hostPort: 80 }] }), c('b', { ports: [{ containerPort: 81, hostPort: 81 }] })] }),
      'hostPort (containers "a", "b" use hostPorts 80, 81)',
    ],
    [
      'added capabilities',
      spec({ containers: [c('c', { securityContext: { capabilities: { add: ['NET_ADMIN', 'CHOWN', 'SYS_ADMIN'] } } })] }),
      'non-default capabilities (container "c" must not include "NET_ADMIN", "SYS_ADMIN" in securityContext.capabilities.add)',
    ],
    ['default capabilities', spec({ containers: [c('c', { securityContext: { capabilities: { add: ['NET_BIND_SERVICE', 'CHOWN'] } } })] }), ''],
    [
      'procMount Unmasked',
      spec({ containers: [c('c', { securityContext: { procMount: 'Unmasked' } })] }),
      'procMount (container "c" must not set securityContext.procMount to "Unmasked")',
    ],
    [
      'seccomp Unconfined',
      spec({ securityContext: { seccompProfile: { type: 'Unconfined' } } }),
      'seccompProfile (pod must not set securityContext.seccompProfile.type to "Unconfined")',
    ],
    [
      'seccomp Unconfined in a container',
      spec({ containers: [c('c', { securityContext: { seccompProfile: { type: 'Unconfined' } } })] }),
      'seccompProfile (container "c" must not set securityContext.seccompProfile.type to "Unconfined")',
    ],
    [
      'appArmor Unconfined',
      spec({ containers: [c('c', { securityContext: { appArmorProfile: { type: 'Unconfined' } } })] }),
      'forbidden AppArmor profile (container "c" must not set AppArmor profile type to "Unconfined")',
    ],
    [
      'unsafe sysctls',
      spec({
        securityContext: {
          sysctls: [
            { name: 'kernel.msgmax', value: '1' },
            { name: 'net.ipv4.tcp_syncookies', value: '1' },
            { name: 'vm.swappiness', value: '1' },
          ],
        },
      }),
      'forbidden sysctls (kernel.msgmax, vm.swappiness)',
    ],
    ['a sysctl added in 1.32', spec({ securityContext: { sysctls: [{ name: 'net.ipv4.tcp_rmem', value: '4096 87380 6291456' }] } }), ''],
    [
      'seLinux type and user',
      spec({ securityContext: { seLinuxOptions: { type: 'spc_t', user: 'root' } } }),
      'seLinuxOptions (pod set forbidden securityContext.seLinuxOptions: type "spc_t"; user may not be set)',
    ],
    [
      'windows hostProcess',
      spec({ securityContext: { windowsOptions: { hostProcess: true } } }),
      'hostProcess (pod must not set securityContext.windowsOptions.hostProcess=true)',
    ],
    [
      'many at once, in upstream order',
      spec({
        hostNetwork: true,
        volumes: [{ name: 'h', hostPath: { path: '/' } }],
        containers: [c('c', { ports: [{ containerPort: 80, hostPort: 80 }], securityContext: { privileged: true, capabilities: { add: ['SYS_ADMIN'] } } })],
      }),
      'host namespaces (hostNetwork=true), hostPort (container "c" uses hostPort 80), privileged (container "c" must not set securityContext.privileged=true), non-default capabilities (container "c" must not include "SYS_ADMIN" in securityContext.capabilities.add), hostPath volumes (volume "h")',
    ],
  ])('%s', (_name, s, want) => {
    expect(detail(lv('baseline'), s)).toBe(want);
  });

  it('checks annotations too', () => {
    expect(detail(lv('baseline'), spec(), { 'container.apparmor.security.beta.kubernetes.io/c': 'unconfined' })).toBe(
      'forbidden AppArmor profile (annotation must not set AppArmor profile type to "container.apparmor.security.beta.kubernetes.io/c="unconfined"")',
    );
    expect(detail(lv('baseline', 18), spec(), { 'seccomp.security.alpha.kubernetes.io/pod': 'unconfined' })).toBe(
      'seccompProfile (forbidden annotation seccomp.security.alpha.kubernetes.io/pod="unconfined")',
    );
  });

  it('privileged allows everything', () => {
    expect(evaluatePod(lv('privileged'), {}, spec({ hostNetwork: true }))).toEqual([]);
  });
});

describe('restricted checks', () => {
  it.each([
    ['a pod that meets it', spec({ containers: [c('c', { securityContext: restrictedOk })] }), ''],
    [
      'pod-level runAsNonRoot and seccomp',
      spec({
        securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
        containers: [c('c', { securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } })],
      }),
      '',
    ],
    [
      'a plain pod',
      spec(),
      'allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    ],
    [
      'runAsNonRoot false',
      spec({ securityContext: { runAsNonRoot: false }, containers: [c('c', { securityContext: { ...restrictedOk, runAsNonRoot: false } })] }),
      'runAsNonRoot != true (pod and container "c" must not set securityContext.runAsNonRoot=false)',
    ],
    [
      'runAsUser 0',
      spec({ securityContext: { runAsUser: 0 }, containers: [c('c', { securityContext: { ...restrictedOk, runAsUser: 0 } })] }),
      'runAsUser=0 (pod and container "c" must not set runAsUser=0)',
    ],
    [
      'added capabilities',
      spec({ containers: [c('c', { securityContext: { ...restrictedOk, capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE', 'CHOWN'] } } })] }),
      'unrestricted capabilities (container "c" must not include "CHOWN" in securityContext.capabilities.add)',
    ],
    [
      'a hostPath volume: the restricted message, not the baseline one',
      spec({ volumes: [{ name: 'h', hostPath: { path: '/' } }], containers: [c('c', { securityContext: restrictedOk })] }),
      'restricted volume types (volume "h" uses restricted volume type "hostPath")',
    ],
    [
      'seccomp Unconfined',
      spec({ containers: [c('c', { securityContext: { ...restrictedOk, seccompProfile: { type: 'Unconfined' } } })] }),
      'seccompProfile (container "c" must not set securityContext.seccompProfile.type to "Unconfined")',
    ],
    [
      'baseline violations come first',
      spec({ hostPID: true, containers: [c('c', { securityContext: { ...restrictedOk, allowPrivilegeEscalation: true } })] }),
      'host namespaces (hostPID=true), allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false)',
    ],
  ])('%s', (_name, s, want) => {
    expect(detail(lv('restricted'), s)).toBe(want);
  });

  it('a version applies the checks that existed then', () => {
    // capabilities_restricted came in 1.22, runAsUser in 1.23
    const s = spec({
      containers: [
        c('c', { securityContext: { allowPrivilegeEscalation: false, runAsNonRoot: true, runAsUser: 0, seccompProfile: { type: 'RuntimeDefault' } } }),
      ],
    });
    expect(detail(lv('restricted', 21), s)).toBe('');
    expect(detail(lv('restricted', 22), s)).toBe('unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"])');
    expect(detail(lv('restricted', 23), s)).toContain('runAsUser=0 (container "c" must not set runAsUser=0)');
  });
});

describe('namespace labels', () => {
  const defaults = { enforce: lv('baseline'), audit: lv('baseline'), warn: lv('baseline') };
  it.each([
    [{}, 'baseline:latest', 'baseline:latest', []],
    [
      {
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/enforce-version': 'v1.25',
        'pod-security.kubernetes.io/warn': 'privileged',
      },
      'restricted:v1.25',
      'privileged:latest',
      [],
    ],
    [
      { 'pod-security.kubernetes.io/enforce': 'strict' },
      'restricted:latest',
      'baseline:latest',
      ['metadata.labels[pod-security.kubernetes.io/enforce]: must be one of privileged, baseline, restricted'],
    ],
    [
      { 'pod-security.kubernetes.io/warn': 'loud', 'pod-security.kubernetes.io/warn-version': '1.25' },
      'baseline:latest',
      'privileged:latest',
      [
        'metadata.labels[pod-security.kubernetes.io/warn]: must be one of privileged, baseline, restricted',
        'metadata.labels[pod-security.kubernetes.io/warn-version]: must be "latest" or "v1.x"',
      ],
    ],
  ])('%j', (labels, enforce, warn, errs) => {
    const { policy, errors } = policyFromLabels(labels as Record<string, string>, defaults);
    expect(`${policy.enforce.level}:${policy.enforce.version.latest ? 'latest' : `v1.${policy.enforce.version.minor}`}`).toBe(enforce);
    expect(`${policy.warn.level}:${policy.warn.version.latest ? 'latest' : `v1.${(policy.warn.version as { minor: number }).minor}`}`).toBe(warn);
    expect(errors.map((e) => `${e.field}: ${e.message}`)).toEqual(errs);
  });
});

describe('PodSecurity admission', () => {
  const ns = (name: string, labels: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } }) as KubeObject;
  const client = () => {
    const f = new FakeClient();
    f.add(R.namespaces, ns('team', { 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/warn': 'restricted' }));
    f.add(
      R.namespaces,
      ns('open', {
        'pod-security.kubernetes.io/enforce': 'privileged',
        'pod-security.kubernetes.io/audit': 'privileged',
        'pod-security.kubernetes.io/warn': 'privileged',
      }),
    );
    return f;
  };
  const pod = (name: string, s: PodSpec) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'team' }, spec: s }) as unknown as KubeObject;

  it("refuses a pod that violates the enforce level with upstream's message", async () => {
    const { a } = attrs(client(), {
      operation: 'CREATE',
      namespace: 'team',
      object: pod('x', spec({ containers: [c('c', { securityContext: { privileged: true } })] })),
    });
    const err = (await podSecurity().validate!(a).catch((e: unknown) => e)) as StatusError;
    expect(isStatusError(err, 'Forbidden')).toBe(true);
    expect(err.message).toBe(
      'pods "x" is forbidden: violates PodSecurity "baseline:latest": privileged (container "c" must not set securityContext.privileged=true)',
    );
  });

  it('lets one through with the warn level as a warning', async () => {
    const { a, warnings } = attrs(client(), { operation: 'CREATE', namespace: 'team', object: pod('x', spec()) });
    await podSecurity().validate!(a);
    expect(warnings).toEqual([
      expect.stringMatching(/^would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false \(container "c" must set/),
    ]);
  });

  it('says nothing in a privileged namespace', async () => {
    const { a, warnings } = attrs(client(), { operation: 'CREATE', namespace: 'open', object: pod('x', spec({ hostNetwork: true })) });
    await podSecurity().validate!(a);
    expect(warnings).toEqual([]);
  });

  it('checks workload templates for warn and audit, never refusing them', async () => {
    const deploy = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd', namespace: 'team' },
      spec: { template: { metadata: {}, spec: spec({ containers: [c('c', { securityContext: { privileged: true } })] }) } },
    } as unknown as KubeObject;
    const { a, warnings, notes } = attrs(client(), {
      operation: 'CREATE',
      namespace: 'team',
      group: 'apps',
      resource: 'deployments',
      kind: 'Deployment',
      object: deploy,
    });
    await podSecurity().validate!(a);
    expect(warnings).toEqual([
      expect.stringMatching(
        /^would violate PodSecurity "restricted:latest": privileged \(container "c" must not set securityContext.privileged=true\), allowPrivilegeEscalation/,
      ),
    ]);
    expect(notes).toEqual(['audit: would violate PodSecurity "baseline:latest": privileged (container "c" must not set securityContext.privileged=true)']);
    const cron = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'j', namespace: 'team' },
      spec: { jobTemplate: { spec: { template: { spec: spec({ hostPID: true }) } } } },
    } as unknown as KubeObject;
    const cj = attrs(client(), { operation: 'CREATE', namespace: 'team', group: 'batch', resource: 'cronjobs', kind: 'CronJob', object: cron });
    await podSecurity().validate!(cj.a);
    expect(cj.warnings[0]).toContain('host namespaces (hostPID=true)');
  });

  it('ignores pod subresources that cannot change what runs, and updates that change nothing that matters', async () => {
    const bad = pod('x', spec({ hostNetwork: true }));
    await podSecurity().validate!(attrs(client(), { operation: 'UPDATE', namespace: 'team', subresource: 'status', object: bad, oldObject: bad }).a);
    const withLabel = { ...bad, metadata: { ...bad.metadata, labels: { a: 'b' } } } as KubeObject;
    await podSecurity().validate!(attrs(client(), { operation: 'UPDATE', namespace: 'team', object: withLabel, oldObject: bad }).a);
    const newImage = pod('x', spec({ hostNetwork: true, containers: [c('c', { image: 'nginx' })] }));
    await expect(podSecurity().validate!(attrs(client(), { operation: 'UPDATE', namespace: 'team', object: newImage, oldObject: bad }).a)).rejects.toThrow(
      'violates PodSecurity',
    );
  });

  it('labels a namespace created without a level baseline, and keeps one that has a level', async () => {
    const created = ns('new', {});
    const { a, notes } = attrs(client(), { operation: 'CREATE', namespace: '', resource: 'namespaces', kind: 'Namespace', object: created });
    await podSecurity().admit!(a);
    expect(created.metadata.labels).toEqual({ 'pod-security.kubernetes.io/enforce': 'baseline' });
    expect(notes).toEqual(['set label pod-security.kubernetes.io/enforce=baseline']);
    const chosen = ns('mine', { 'pod-security.kubernetes.io/enforce': 'restricted' });
    await podSecurity().admit!(attrs(client(), { operation: 'CREATE', namespace: '', resource: 'namespaces', kind: 'Namespace', object: chosen }).a);
    expect(chosen.metadata.labels).toEqual({ 'pod-security.kubernetes.io/enforce': 'restricted' });
  });

  it('refuses bad levels on a namespace with a 422 naming the label', async () => {
    const bad = ns('new', { 'pod-security.kubernetes.io/enforce': 'strict' });
    const err = (await podSecurity().validate!(
      attrs(client(), { operation: 'CREATE', namespace: '', name: 'new', resource: 'namespaces', kind: 'Namespace', object: bad }).a,
    ).catch((e: unknown) => e)) as StatusError;
    expect(err.code).toBe(422);
    expect(err.message).toBe(
      'namespaces "new" is invalid: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "strict": must be one of privileged, baseline, restricted',
    );
  });

  it('warns of existing pods a tightened enforce level would refuse', async () => {
    const f = client();
    f.add(R.pods, pod('b-web', spec({ hostNetwork: true })));
    f.add(R.pods, pod('a-web', spec({ hostNetwork: true })));
    f.add(R.pods, pod('fine', spec()));
    const old = ns('team', { 'pod-security.kubernetes.io/enforce': 'privileged' });
    const next = ns('team', { 'pod-security.kubernetes.io/enforce': 'baseline' });
    const { a, warnings } = attrs(f, {
      operation: 'UPDATE',
      namespace: '',
      name: 'team',
      resource: 'namespaces',
      kind: 'Namespace',
      object: next,
      oldObject: old,
    });
    await podSecurity().validate!(a);
    expect(warnings).toEqual([
      'existing pods in namespace "team" violate the new PodSecurity enforce level "baseline:latest"',
      'a-web (and 1 other pod): host namespaces',
    ]);
  });
});
