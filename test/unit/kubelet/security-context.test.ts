// securityContext to the runtime, as upstream's kubelet maps it: a row per field, input and what Docker is told.
import { describe, expect, it } from 'vitest';
import type { Container, Pod } from 'kubernetes-types/core/v1';
import { admitPod, containerSecurity, imageUser, sandboxSecurity, SecurityContextError, verifyRunAsNonRoot } from '../../../main/kubelet/security-context';

const pod = (spec: Record<string, unknown> = {}, annotations?: Record<string, string>): Pod =>
  ({
    metadata: { name: 'web', namespace: 'team', uid: 'u1', annotations },
    spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec },
  }) as Pod;
const c = (securityContext: Record<string, unknown> = {}): Container => ({ name: 'c', image: 'busybox', securityContext }) as Container;

describe('containerSecurity', () => {
  it.each([
    ['nothing set', pod(), c(), '', {}],
    ['runAsUser and runAsGroup', pod(), c({ runAsUser: 1000, runAsGroup: 2000 }), '', { user: '1000:2000' }],
    [
      'the pod sets them, the container overrides one',
      pod({ securityContext: { runAsUser: 1000, runAsGroup: 3000 } }),
      c({ runAsUser: 1001 }),
      '',
      { user: '1001:3000' },
    ],
    ['runAsGroup alone keeps the image user', pod(), c({ runAsGroup: 50 }), 'nginx', { user: 'nginx:50' }],
    ['runAsGroup alone on a root image', pod(), c({ runAsGroup: 50 }), '', { user: '0:50' }],
    ['supplemental groups and fsGroup', pod({ securityContext: { supplementalGroups: [10, 20], fsGroup: 30 } }), c(), '', { groupAdd: ['10', '20', '30'] }],
    ['capabilities', pod(), c({ capabilities: { add: ['NET_ADMIN'], drop: ['ALL'] } }), '', { capAdd: ['NET_ADMIN'], capDrop: ['ALL'] }],
    ['privileged ignores capabilities', pod(), c({ privileged: true, capabilities: { drop: ['ALL'] } }), '', { privileged: true }],
    ['readOnlyRootFilesystem', pod(), c({ readOnlyRootFilesystem: true }), '', { readOnlyRootfs: true }],
    ['allowPrivilegeEscalation false', pod(), c({ allowPrivilegeEscalation: false }), '', { securityOpt: ['no-new-privileges'] }],
    ['allowPrivilegeEscalation true is the default', pod(), c({ allowPrivilegeEscalation: true }), '', {}],
    ['seccomp Unconfined', pod({ securityContext: { seccompProfile: { type: 'Unconfined' } } }), c(), '', { securityOpt: ['seccomp=unconfined'] }],
    ['seccomp RuntimeDefault is the engine default', pod(), c({ seccompProfile: { type: 'RuntimeDefault' } }), '', {}],
    ['AppArmor Unconfined', pod(), c({ appArmorProfile: { type: 'Unconfined' } }), '', { securityOpt: ['apparmor=unconfined'] }],
    [
      'AppArmor Localhost',
      pod({ securityContext: { appArmorProfile: { type: 'Localhost', localhostProfile: 'k8s-nginx' } } }),
      c(),
      '',
      { securityOpt: ['apparmor=k8s-nginx'] },
    ],
    [
      'AppArmor by annotation',
      pod({}, { 'container.apparmor.security.beta.kubernetes.io/c': 'localhost/legacy' }),
      c(),
      '',
      { securityOpt: ['apparmor=legacy'] },
    ],
    [
      'SELinux options',
      pod(),
      c({ seLinuxOptions: { type: 'container_t', level: 's0:c1,c2' } }),
      '',
      { securityOpt: ['label=type:container_t', 'label=level:s0:c1,c2'] },
    ],
    ['procMount Unmasked', pod(), c({ procMount: 'Unmasked' }), '', { securityOpt: ['systempaths=unconfined'] }],
    ['hostPID', pod({ hostPID: true }), c(), '', { pidMode: 'host' }],
    ['shareProcessNamespace', pod({ shareProcessNamespace: true }), c(), '', { pidMode: 'pod' }],
    ['hostIPC and hostNetwork', pod({ hostIPC: true, hostNetwork: true }), c(), '', { ipcHost: true, utsHost: true }],
  ])('%s', (_name, p, container, image, want) => {
    expect(containerSecurity(p, container, image)).toEqual(want);
  });

  it('passes a Localhost seccomp profile as its JSON', () => {
    expect(
      containerSecurity(pod(), c({ seccompProfile: { type: 'Localhost', localhostProfile: 'p.json' } }), '', '{"defaultAction":"SCMP_ACT_ALLOW"}'),
    ).toEqual({ securityOpt: ['seccomp={"defaultAction":"SCMP_ACT_ALLOW"}'] });
  });
});

describe('runAsNonRoot, verified against the image', () => {
  it.each([
    ['not asked', c(), '', undefined],
    ['a non-root uid', c({ runAsNonRoot: true, runAsUser: 1000 }), '', undefined],
    ['runAsUser 0', c({ runAsNonRoot: true, runAsUser: 0 }), '', `container's runAsUser breaks non-root policy (pod: "web_team(u1)", container: c)`],
    ['an image running as root', c({ runAsNonRoot: true }), '', 'container has runAsNonRoot and image will run as root (pod: "web_team(u1)", container: c)'],
    [
      'an image with uid 0 and a group',
      c({ runAsNonRoot: true }),
      '0:0',
      'container has runAsNonRoot and image will run as root (pod: "web_team(u1)", container: c)',
    ],
    ['an image with a numeric user', c({ runAsNonRoot: true }), '101', undefined],
    [
      'an image with a user name',
      c({ runAsNonRoot: true }),
      'nginx',
      'container has runAsNonRoot and image has non-numeric user (nginx), cannot verify user is non-root (pod: "web_team(u1)", container: c)',
    ],
  ])('%s', (_name, container, image, want) => {
    const run = () => verifyRunAsNonRoot(pod(), container, image);
    if (want) expect(run).toThrow(new SecurityContextError(want));
    else expect(run).not.toThrow();
  });

  it('takes runAsNonRoot from the pod', () => {
    expect(() => verifyRunAsNonRoot(pod({ securityContext: { runAsNonRoot: true } }), c(), '')).toThrow('image will run as root');
  });

  it('reads image users as upstream', () => {
    expect(imageUser('')).toEqual({ uid: 0 });
    expect(imageUser('1000:1000')).toEqual({ uid: 1000, group: '1000' });
    expect(imageUser('www-data')).toEqual({ name: 'www-data' });
  });
});

describe('the sandbox and the kubelet admission', () => {
  it('gets the host namespaces and sysctls', () => {
    expect(sandboxSecurity(pod({ hostNetwork: true, securityContext: { sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }] } }))).toEqual({
      hostNetwork: true,
      sysctls: { 'net.ipv4.ip_unprivileged_port_start': '0' },
    });
    expect(sandboxSecurity(pod())).toEqual({});
  });

  it.each([
    ['no sysctls', [], [], undefined],
    ['safe ones', [{ name: 'kernel.shm_rmid_forced', value: '1' }], [], undefined],
    [
      'an unsafe one',
      [{ name: 'kernel.msgmax', value: '1' }],
      [],
      { reason: 'SysctlForbidden', message: 'Pod forbidden sysctl: "kernel.msgmax" not allowlisted' },
    ],
    ['an unsafe one the node allows', [{ name: 'kernel.msgmax', value: '1' }], ['kernel.msg*'], undefined],
  ])('admits %s', (_name, sysctls, allowed, want) => {
    expect(admitPod(pod({ securityContext: { sysctls } }), allowed)).toEqual(want);
  });
});
