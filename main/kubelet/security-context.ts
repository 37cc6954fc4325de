// A pod's securityContext as the runtime gets it, the way upstream's kubelet and dockershim map it: the
// effective context (container over pod), runAsNonRoot verified against the image's user, capabilities,
// no-new-privileges, seccomp, AppArmor, SELinux labels, procMount, host namespaces and sysctls. Pure functions:
// the kubelet reads the image and any Localhost seccomp profile first, then calls these.
import type { Container, Pod, PodSecurityContext, SecurityContext } from 'kubernetes-types/core/v1';
import { SAFE_SYSCTLS } from '../apiserver/admission/pod-security-policy';
import type { ContainerConfig, SandboxConfig } from '../runtime/types';

export class SecurityContextError extends Error {}

/** upstream's format.Pod: `name_namespace(uid)` */
const podRef = (pod: Pod) => `${pod.metadata?.name}_${pod.metadata?.namespace}(${pod.metadata?.uid})`;

/** upstream's DetermineEffectiveSecurityContext: the container's fields win over the pod's where both exist. */
export function effectiveSecurityContext(pod: Pod, c: Container): SecurityContext {
  const p: PodSecurityContext = pod.spec?.securityContext ?? {};
  const own = c.securityContext ?? {};
  const out: SecurityContext = { ...own };
  for (const k of ['runAsUser', 'runAsGroup', 'runAsNonRoot', 'seLinuxOptions', 'seccompProfile', 'appArmorProfile', 'windowsOptions'] as const) {
    if (out[k] === undefined && p[k] !== undefined) (out as Record<string, unknown>)[k] = p[k];
  }
  return out;
}

/** The image's user as upstream's getImageUser reads it: a numeric uid, or a name; '' is root. */
export function imageUser(user: string | undefined): { uid?: number; name?: string; group?: string } {
  const [u = '', group] = (user ?? '').split(':');
  if (u === '') return { uid: 0, group };
  return /^\d+$/.test(u) ? { uid: Number(u), group } : { name: u, group };
}

/** upstream's verifyRunAsNonRoot: the kubelet refuses to start a container that would run as root. */
export function verifyRunAsNonRoot(pod: Pod, c: Container, image: string | undefined): void {
  const sc = effectiveSecurityContext(pod, c);
  if (sc.runAsNonRoot !== true) return;
  if (sc.runAsUser !== undefined) {
    if (sc.runAsUser === 0) throw new SecurityContextError(`container's runAsUser breaks non-root policy (pod: "${podRef(pod)}", container: ${c.name})`);
    return;
  }
  const u = imageUser(image);
  if (u.uid === 0) throw new SecurityContextError(`container has runAsNonRoot and image will run as root (pod: "${podRef(pod)}", container: ${c.name})`);
  if (u.name)
    throw new SecurityContextError(
      `container has runAsNonRoot and image has non-numeric user (${u.name}), cannot verify user is non-root (pod: "${podRef(pod)}", container: ${c.name})`,
    );
}

/** The Localhost seccomp profile a container asks for, relative to the kubelet's seccomp directory. */
export function localhostSeccompProfile(pod: Pod, c: Container): string | undefined {
  const p = effectiveSecurityContext(pod, c).seccompProfile;
  return p?.type === 'Localhost' ? (p.localhostProfile ?? '') : undefined;
}

type Security = Pick<
  ContainerConfig,
  'user' | 'groupAdd' | 'privileged' | 'readOnlyRootfs' | 'capAdd' | 'capDrop' | 'securityOpt' | 'pidMode' | 'ipcHost' | 'utsHost'
>;

/**
 * What the runtime is told for one container. `image` is the image's configured user; `seccompJson` the content of
 * a Localhost profile (read by the caller). Throws SecurityContextError (CreateContainerConfigError) where upstream's
 * kubelet would refuse.
 */
export function containerSecurity(pod: Pod, c: Container, image: string | undefined, seccompJson?: string): Security {
  verifyRunAsNonRoot(pod, c, image);
  const sc = effectiveSecurityContext(pod, c);
  const spec = pod.spec ?? { containers: [] };
  const out: Security = {};
  // Docker's user is "user[:group]": a group alone keeps the image's user, as upstream's runtimes do
  if (sc.runAsUser !== undefined) out.user = `${sc.runAsUser}${sc.runAsGroup !== undefined ? `:${sc.runAsGroup}` : ''}`;
  else if (sc.runAsGroup !== undefined) out.user = `${(image ?? '').split(':')[0] || '0'}:${sc.runAsGroup}`;
  const groups = [...(spec.securityContext?.supplementalGroups ?? []), ...(spec.securityContext?.fsGroup !== undefined ? [spec.securityContext.fsGroup] : [])];
  if (groups.length) out.groupAdd = [...new Set(groups.map(String))];
  if (sc.privileged) out.privileged = true;
  if (sc.readOnlyRootFilesystem) out.readOnlyRootfs = true;
  if (!sc.privileged) {
    if (sc.capabilities?.add?.length) out.capAdd = [...sc.capabilities.add];
    if (sc.capabilities?.drop?.length) out.capDrop = [...sc.capabilities.drop];
  }
  const opts: string[] = [];
  // upstream's AddNoNewPrivileges: only an explicit false
  if (sc.allowPrivilegeEscalation === false) opts.push('no-new-privileges');
  const seccomp = sc.seccompProfile?.type;
  if (seccomp === 'Unconfined') opts.push('seccomp=unconfined');
  else if (seccomp === 'Localhost') opts.push(`seccomp=${seccompJson ?? ''}`);
  // RuntimeDefault and unset: the engine's default profile (as the kubelet's --seccomp-default)
  const annotation = pod.metadata?.annotations?.[`container.apparmor.security.beta.kubernetes.io/${c.name}`];
  const apparmor = sc.appArmorProfile
    ? sc.appArmorProfile.type === 'Localhost'
      ? `localhost/${sc.appArmorProfile.localhostProfile ?? ''}`
      : sc.appArmorProfile.type === 'Unconfined'
        ? 'unconfined'
        : 'runtime/default'
    : annotation;
  if (apparmor === 'unconfined') opts.push('apparmor=unconfined');
  else if (apparmor?.startsWith('localhost/')) opts.push(`apparmor=${apparmor.slice('localhost/'.length)}`);
  const se = sc.seLinuxOptions;
  if (se) for (const k of ['user', 'role', 'type', 'level'] as const) if (se[k]) opts.push(`label=${k}:${se[k]}`);
  if (sc.procMount === 'Unmasked') opts.push('systempaths=unconfined');
  if (opts.length) out.securityOpt = opts;
  if (spec.hostPID) out.pidMode = 'host';
  else if (spec.shareProcessNamespace) out.pidMode = 'pod';
  if (spec.hostIPC) out.ipcHost = true;
  if (spec.hostNetwork) out.utsHost = true;
  return out;
}

/** What the sandbox is told: host namespaces and the pod's sysctls. */
export function sandboxSecurity(pod: Pod): Pick<SandboxConfig, 'hostNetwork' | 'hostPID' | 'hostIPC' | 'sysctls'> {
  const spec = pod.spec;
  const sysctls = Object.fromEntries((spec?.securityContext?.sysctls ?? []).map((s) => [s.name, s.value]));
  return {
    ...(spec?.hostNetwork ? { hostNetwork: true } : {}),
    ...(spec?.hostPID ? { hostPID: true } : {}),
    ...(spec?.hostIPC ? { hostIPC: true } : {}),
    ...(Object.keys(sysctls).length ? { sysctls } : {}),
  };
}

/**
 * The kubelet's own admission of a pod (upstream's sysctl allowlist): unsafe sysctls are refused, the pod Fails
 * with reason SysctlForbidden. `allowed` are the node's --allowed-unsafe-sysctls.
 */
export function admitPod(pod: Pod, allowed: string[] = []): { reason: string; message: string } | undefined {
  for (const s of pod.spec?.securityContext?.sysctls ?? []) {
    const ok = SAFE_SYSCTLS.has(s.name) || allowed.some((a) => a === s.name || (a.endsWith('*') && s.name.startsWith(a.slice(0, -1))));
    if (!ok) return { reason: 'SysctlForbidden', message: `Pod forbidden sysctl: "${s.name}" not allowlisted` };
  }
  return undefined;
}
