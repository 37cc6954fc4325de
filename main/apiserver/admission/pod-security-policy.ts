// The Pod Security Standards as upstream's k8s.io/pod-security-admission/policy: one pure check per control,
// versioned, with upstream's reasons and details, so a refusal reads exactly as a real cluster's does.
// Order matters for the message: the checks run in upstream's registration order (its file names), baseline
// ones first, and a restricted check replaces the baseline check it tightens.
import type { Container, PodSpec } from 'kubernetes-types/core/v1';
import type { ObjectMeta } from 'kubernetes-types/meta/v1';

export type Level = 'privileged' | 'baseline' | 'restricted';
export const LEVELS: Level[] = ['privileged', 'baseline', 'restricted'];

/** A policy version: `latest`, or v1.<minor>. */
export type Version = { latest: true } | { latest: false; minor: number };
export const LATEST: Version = { latest: true };

export interface LevelVersion {
  level: Level;
  version: Version;
}

export const versionString = (v: Version) => (v.latest ? 'latest' : `v1.${v.minor}`);
export const levelVersionString = (lv: LevelVersion) => `${lv.level}:${versionString(lv.version)}`;

/** The Kubernetes minor version the lab serves: what `latest` means, as upstream clamps it to its own. */
export const SERVED_MINOR = 32;

export interface CheckResult {
  allowed: boolean;
  reason?: string;
  detail?: string;
}

type Meta = Pick<ObjectMeta, 'annotations'> | undefined;
type CheckFn = (meta: Meta, spec: PodSpec) => CheckResult;

interface Check {
  id: string;
  level: 'baseline' | 'restricted';
  /** a baseline check that a restricted one replaces at the restricted level */
  overlap?: boolean;
  /** newest last: the one with the highest minimum not above the evaluated version applies */
  versions: Array<{ min: number; check: CheckFn }>;
}

const OK: CheckResult = { allowed: true };
const deny = (reason: string, detail = ''): CheckResult => ({ allowed: false, reason, detail });

const joinQuote = (items: string[]) => (items.length ? `"${items.join('", "')}"` : '');
const pluralize = (one: string, many: string, n: number) => (n === 1 ? one : many);
const sortedUnique = (items: Iterable<string>) => [...new Set(items)].sort();

/** init containers, containers, then ephemeral containers, as upstream's visitContainers */
function containers(spec: PodSpec): Container[] {
  return [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...((spec.ephemeralContainers ?? []) as Container[])];
}

const sc = (c: Container) => c.securityContext;

// ---- baseline ----

const ALLOWED_CAPABILITIES = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);

/**
 * Who sets a profile (AppArmor, seccomp) of a type not allowed: `pod`, then `containers "a", "b"`, and the types
 * they set; the pod's securityContext and each container's are read alike (upstream's checks do the same loop).
 */
function profileSetters(
  spec: PodSpec,
  profile: (securityContext: { appArmorProfile?: { type: string }; seccompProfile?: { type: string } } | undefined) => { type: string } | undefined,
  allowed: (type: string) => boolean,
): { setters: string[]; values: Set<string> } {
  const setters: string[] = [];
  const values = new Set<string>();
  const pod = profile(spec.securityContext);
  if (pod && !allowed(pod.type)) {
    setters.push('pod');
    values.add(pod.type);
  }
  const bad: string[] = [];
  for (const c of containers(spec)) {
    const p = profile(sc(c));
    if (p && !allowed(p.type)) {
      bad.push(c.name);
      values.add(p.type);
    }
  }
  if (bad.length) setters.push(`${pluralize('container', 'containers', bad.length)} ${joinQuote(bad)}`);
  return { setters, values };
}

const appArmorProfile: CheckFn = (meta, spec) => {
  const allowedType = (t: string | undefined) => t === 'RuntimeDefault' || t === 'Localhost';
  const allowedAnnotation = (v: string) => v === '' || v === 'runtime/default' || v.startsWith('localhost/');
  const { setters, values: badValues } = profileSetters(spec, (x) => x?.appArmorProfile, allowedType);
  const values = [...badValues].sort();
  const annotations = Object.entries(meta?.annotations ?? {})
    .filter(([k, v]) => k.startsWith('container.apparmor.security.beta.kubernetes.io/') && !allowedAnnotation(v))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .sort();
  if (annotations.length) {
    values.push(...annotations);
    setters.push(pluralize('annotation', 'annotations', annotations.length));
  }
  if (!setters.length) return OK;
  return deny(
    pluralize('forbidden AppArmor profile', 'forbidden AppArmor profiles', values.length),
    `${setters.join(' and ')} must not set AppArmor profile type to ${joinQuote(values)}`,
  );
};

const capabilitiesBaseline: CheckFn = (_meta, spec) => {
  const bad: string[] = [];
  const caps = new Set<string>();
  for (const c of containers(spec)) {
    let valid = true;
    for (const cap of sc(c)?.capabilities?.add ?? []) {
      if (!ALLOWED_CAPABILITIES.has(cap)) {
        valid = false;
        caps.add(cap);
      }
    }
    if (!valid) bad.push(c.name);
  }
  if (!bad.length) return OK;
  return deny(
    'non-default capabilities',
    `${pluralize('container', 'containers', bad.length)} ${joinQuote(bad)} must not include ${joinQuote(sortedUnique(caps))} in securityContext.capabilities.add`,
  );
};

const hostNamespaces: CheckFn = (_meta, spec) => {
  const set: string[] = [];
  if (spec.hostNetwork) set.push('hostNetwork=true');
  if (spec.hostPID) set.push('hostPID=true');
  if (spec.hostIPC) set.push('hostIPC=true');
  return set.length ? deny('host namespaces', set.join(', ')) : OK;
};

const hostPathVolumes: CheckFn = (_meta, spec) => {
  const vols = (spec.volumes ?? []).filter((v) => v.hostPath).map((v) => v.name);
  return vols.length ? deny('hostPath volumes', `${pluralize('volume', 'volumes', vols.length)} ${joinQuote(vols)}`) : OK;
};

const hostPorts: CheckFn = (_meta, spec) => {
  const bad: string[] = [];
  const ports = new Set<string>();
  for (const c of containers(spec)) {
    let valid = true;
    for (const p of c.ports ?? []) {
      if (p.hostPort) {
        valid = false;
        ports.add(String(p.hostPort));
      }
    }
    if (!valid) bad.push(c.name);
  }
  if (!bad.length) return OK;
  // upstream sorts them as strings
  const list = sortedUnique(ports);
  return deny(
    'hostPort',
    `${pluralize('container', 'containers', bad.length)} ${joinQuote(bad)} ${pluralize('uses', 'use', bad.length)} ${pluralize('hostPort', 'hostPorts', list.length)} ${list.join(', ')}`,
  );
};

const privileged: CheckFn = (_meta, spec) => {
  const bad = containers(spec)
    .filter((c) => sc(c)?.privileged === true)
    .map((c) => c.name);
  return bad.length
    ? deny('privileged', `${pluralize('container', 'containers', bad.length)} ${joinQuote(bad)} must not set securityContext.privileged=true`)
    : OK;
};

const procMount: CheckFn = (_meta, spec) => {
  const bad: string[] = [];
  const types = new Set<string>();
  for (const c of containers(spec)) {
    const pm = sc(c)?.procMount;
    if (pm !== undefined && pm !== 'Default') {
      bad.push(c.name);
      types.add(pm);
    }
  }
  if (!bad.length) return OK;
  return deny(
    'procMount',
    `${pluralize('container', 'containers', bad.length)} ${joinQuote(bad)} must not set securityContext.procMount to ${joinQuote(sortedUnique(types))}`,
  );
};

const SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t']);
const seLinuxOptions: CheckFn = (_meta, spec) => {
  const setters: string[] = [];
  const badTypes = new Set<string>();
  let setUser = false;
  let setRole = false;
  const valid = (o: { type?: string; user?: string; role?: string }) => {
    let ok = true;
    if (!SELINUX_TYPES.has(o.type ?? '')) {
      ok = false;
      badTypes.add(o.type ?? '');
    }
    if (o.user) {
      ok = false;
      setUser = true;
    }
    if (o.role) {
      ok = false;
      setRole = true;
    }
    return ok;
  };
  if (spec.securityContext?.seLinuxOptions && !valid(spec.securityContext.seLinuxOptions)) setters.push('pod');
  const bad = containers(spec)
    .filter((c) => sc(c)?.seLinuxOptions && !valid(sc(c)!.seLinuxOptions!))
    .map((c) => c.name);
  if (bad.length) setters.push(`${pluralize('container', 'containers', bad.length)} ${joinQuote(bad)}`);
  if (!setters.length) return OK;
  const data: string[] = [];
  // as upstream: user and role are named only alongside a bad type
  if (badTypes.size) {
    const t = sortedUnique(badTypes);
    data.push(`${pluralize('type', 'types', t.length)} ${joinQuote(t)}`);
    if (setUser) data.push('user may not be set');
    if (setRole) data.push('role may not be set');
  }
  return deny('seLinuxOptions', `${setters.join(' and ')} set forbidden securityContext.seLinuxOptions: ${data.join('; ')}`);
};

const validSeccomp = (t: string | undefined) => t === 'Localhost' || t === 'RuntimeDefault';

const seccompBaselineAnnotations: CheckFn = (meta, spec) => {
  const ok = (v: string) => v === 'runtime/default' || v === 'docker/default' || v.startsWith('localhost/');
  const bad = new Set<string>();
  const ann = meta?.annotations ?? {};
  const podKey = 'seccomp.security.alpha.kubernetes.io/pod';
  if (ann[podKey] !== undefined && !ok(ann[podKey])) bad.add(`${podKey}=${JSON.stringify(ann[podKey])}`);
  for (const c of containers(spec)) {
    const key = `container.seccomp.security.alpha.kubernetes.io/${c.name}`;
    if (ann[key] !== undefined && !ok(ann[key])) bad.add(`${key}=${JSON.stringify(ann[key])}`);
  }
  if (!bad.size) return OK;
  return deny('seccompProfile', `forbidden ${pluralize('annotation', 'annotations', bad.size)} ${sortedUnique(bad).join(', ')}`);
};

const seccompBaseline: CheckFn = (_meta, spec) => {
  const { setters, values } = profileSetters(spec, (x) => x?.seccompProfile, validSeccomp);
  if (!setters.length) return OK;
  return deny('seccompProfile', `${setters.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(sortedUnique(values))}`);
};

const SYSCTLS_1_0 = [
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start',
];
const SYSCTLS_1_27 = [...SYSCTLS_1_0, 'net.ipv4.ip_local_reserved_ports'];
const SYSCTLS_1_29 = [
  ...SYSCTLS_1_27,
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
];
const SYSCTLS_1_32 = [...SYSCTLS_1_29, 'net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem'];
/** the sysctls baseline allows at the lab's version: namespaced ones that stay inside the pod */
export const SAFE_SYSCTLS = new Set(SYSCTLS_1_32);

const sysctls = (allowed: string[]): CheckFn => {
  const set = new Set(allowed);
  return (_meta, spec) => {
    const bad = (spec.securityContext?.sysctls ?? []).map((s) => s.name).filter((n) => !set.has(n));
    return bad.length ? deny('forbidden sysctls', bad.join(', ')) : OK;
  };
};

const windowsHostProcess: CheckFn = (_meta, spec) => {
  const setters: string[] = [];
  if (spec.securityContext?.windowsOptions?.hostProcess === true) setters.push('pod');
  const bad = containers(spec)
    .filter((c) => sc(c)?.windowsOptions?.hostProcess === true)
    .map((c) => c.name);
  if (bad.length) setters.push(`${pluralize('container', 'containers', bad.length)} ${joinQuote(bad)}`);
  return setters.length ? deny('hostProcess', `${setters.join(' and ')} must not set securityContext.windowsOptions.hostProcess=true`) : OK;
};

// ---- restricted ----

const allowPrivilegeEscalation: CheckFn = (_meta, spec) => {
  const bad = containers(spec)
    .filter((c) => sc(c)?.allowPrivilegeEscalation !== false)
    .map((c) => c.name);
  return bad.length
    ? deny(
        'allowPrivilegeEscalation != false',
        `${pluralize('container', 'containers', bad.length)} ${joinQuote(bad)} must set securityContext.allowPrivilegeEscalation=false`,
      )
    : OK;
};

const capabilitiesRestricted: CheckFn = (_meta, spec) => {
  const missingDrop: string[] = [];
  const adding: string[] = [];
  const caps = new Set<string>();
  for (const c of containers(spec)) {
    const cap = sc(c)?.capabilities;
    if (!cap) {
      missingDrop.push(c.name);
      continue;
    }
    if (!(cap.drop ?? []).includes('ALL')) missingDrop.push(c.name);
    let forbidden = false;
    for (const a of cap.add ?? []) {
      if (a !== 'NET_BIND_SERVICE') {
        forbidden = true;
        caps.add(a);
      }
    }
    if (forbidden) adding.push(c.name);
  }
  const details: string[] = [];
  if (missingDrop.length)
    details.push(`${pluralize('container', 'containers', missingDrop.length)} ${joinQuote(missingDrop)} must set securityContext.capabilities.drop=["ALL"]`);
  if (adding.length)
    details.push(
      `${pluralize('container', 'containers', adding.length)} ${joinQuote(adding)} must not include ${joinQuote(sortedUnique(caps))} in securityContext.capabilities.add`,
    );
  return details.length ? deny('unrestricted capabilities', details.join('; ')) : OK;
};

const RESTRICTED_VOLUME_TYPES = [
  'hostPath',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'nfs',
  'iscsi',
  'glusterfs',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'flocker',
  'fc',
  'azureFile',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'portworxVolume',
  'scaleIO',
  'storageos',
];
const ALLOWED_VOLUME_TYPES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];

const restrictedVolumes: CheckFn = (_meta, spec) => {
  const bad: string[] = [];
  const types = new Set<string>();
  for (const v of spec.volumes ?? []) {
    const rec = v as unknown as Record<string, unknown>;
    if (ALLOWED_VOLUME_TYPES.some((t) => rec[t] != null)) continue;
    bad.push(v.name);
    types.add(RESTRICTED_VOLUME_TYPES.find((t) => rec[t] != null) ?? 'unknown');
  }
  if (!bad.length) return OK;
  const t = sortedUnique(types);
  return deny(
    'restricted volume types',
    `${pluralize('volume', 'volumes', bad.length)} ${joinQuote(bad)} ${pluralize('uses', 'use', bad.length)} ${pluralize('restricted volume type', 'restricted volume types', t.length)} ${joinQuote(t)}`,
  );
};

const runAsNonRoot: CheckFn = (_meta, spec) => {
  const setters: string[] = [];
  let podNonRoot = false;
  const podValue = spec.securityContext?.runAsNonRoot;
  if (podValue === false) setters.push('pod');
  else if (podValue === true) podNonRoot = true;
  const explicit: string[] = [];
  const implicit: string[] = [];
  for (const c of containers(spec)) {
    const v = sc(c)?.runAsNonRoot;
    if (v === false) explicit.push(c.name);
    else if (v === undefined && !podNonRoot) implicit.push(c.name);
  }
  if (explicit.length) setters.push(`${pluralize('container', 'containers', explicit.length)} ${joinQuote(explicit)}`);
  if (setters.length) return deny('runAsNonRoot != true', `${setters.join(' and ')} must not set securityContext.runAsNonRoot=false`);
  if (implicit.length)
    return deny(
      'runAsNonRoot != true',
      `pod or ${pluralize('container', 'containers', implicit.length)} ${joinQuote(implicit)} must set securityContext.runAsNonRoot=true`,
    );
  return OK;
};

const runAsUser: CheckFn = (_meta, spec) => {
  const setters: string[] = [];
  if (spec.securityContext?.runAsUser === 0) setters.push('pod');
  const bad = containers(spec)
    .filter((c) => sc(c)?.runAsUser === 0)
    .map((c) => c.name);
  if (bad.length) setters.push(`${pluralize('container', 'containers', bad.length)} ${joinQuote(bad)}`);
  return setters.length ? deny('runAsUser=0', `${setters.join(' and ')} must not set runAsUser=0`) : OK;
};

const seccompRestricted: CheckFn = (_meta, spec) => {
  const setters: string[] = [];
  const values = new Set<string>();
  let podSet = false;
  const pod = spec.securityContext?.seccompProfile;
  if (pod) {
    if (!validSeccomp(pod.type)) {
      setters.push('pod');
      values.add(pod.type);
    } else podSet = true;
  }
  const explicit: string[] = [];
  const implicit: string[] = [];
  for (const c of containers(spec)) {
    const p = sc(c)?.seccompProfile;
    if (p) {
      if (!validSeccomp(p.type)) {
        explicit.push(c.name);
        values.add(p.type);
      }
    } else if (!podSet) implicit.push(c.name);
  }
  if (explicit.length) setters.push(`${pluralize('container', 'containers', explicit.length)} ${joinQuote(explicit)}`);
  if (setters.length)
    return deny('seccompProfile', `${setters.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(sortedUnique(values))}`);
  if (implicit.length) {
    return deny(
      'seccompProfile',
      `pod or ${pluralize('container', 'containers', implicit.length)} ${joinQuote(implicit)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`,
    );
  }
  return OK;
};

/** upstream's checks in registration order (alphabetical by file name) */
const CHECKS: Check[] = [
  { id: 'allowPrivilegeEscalation', level: 'restricted', versions: [{ min: 8, check: allowPrivilegeEscalation }] },
  { id: 'appArmorProfile', level: 'baseline', versions: [{ min: 0, check: appArmorProfile }] },
  { id: 'capabilities_baseline', level: 'baseline', overlap: true, versions: [{ min: 0, check: capabilitiesBaseline }] },
  { id: 'capabilities_restricted', level: 'restricted', versions: [{ min: 22, check: capabilitiesRestricted }] },
  { id: 'hostNamespaces', level: 'baseline', versions: [{ min: 0, check: hostNamespaces }] },
  { id: 'hostPathVolumes', level: 'baseline', overlap: true, versions: [{ min: 0, check: hostPathVolumes }] },
  { id: 'hostPorts', level: 'baseline', versions: [{ min: 0, check: hostPorts }] },
  { id: 'privileged', level: 'baseline', versions: [{ min: 0, check: privileged }] },
  { id: 'procMount', level: 'baseline', versions: [{ min: 0, check: procMount }] },
  { id: 'restrictedVolumes', level: 'restricted', versions: [{ min: 0, check: restrictedVolumes }] },
  { id: 'runAsNonRoot', level: 'restricted', versions: [{ min: 0, check: runAsNonRoot }] },
  { id: 'runAsUser', level: 'restricted', versions: [{ min: 23, check: runAsUser }] },
  { id: 'seLinuxOptions', level: 'baseline', versions: [{ min: 0, check: seLinuxOptions }] },
  {
    id: 'seccompProfile_baseline',
    level: 'baseline',
    overlap: true,
    versions: [
      { min: 0, check: seccompBaselineAnnotations },
      { min: 19, check: seccompBaseline },
    ],
  },
  { id: 'seccompProfile_restricted', level: 'restricted', versions: [{ min: 19, check: seccompRestricted }] },
  {
    id: 'sysctls',
    level: 'baseline',
    versions: [
      { min: 0, check: sysctls(SYSCTLS_1_0) },
      { min: 27, check: sysctls(SYSCTLS_1_27) },
      { min: 29, check: sysctls(SYSCTLS_1_29) },
      { min: 32, check: sysctls(SYSCTLS_1_32) },
    ],
  },
  { id: 'windowsHostProcess', level: 'baseline', versions: [{ min: 0, check: windowsHostProcess }] },
];

function versionOf(check: Check, minor: number): CheckFn | undefined {
  let fn: CheckFn | undefined;
  for (const v of check.versions) if (v.min <= minor) fn = v.check;
  return fn;
}

/** Every check of a level and version, in upstream's order: baseline ones, then the overlapping baseline or the restricted ones. */
export function evaluatePod(lv: LevelVersion, meta: Meta, spec: PodSpec): CheckResult[] {
  if (lv.level === 'privileged') return [];
  const minor = lv.version.latest ? SERVED_MINOR : Math.min(lv.version.minor, SERVED_MINOR);
  const pick = (f: (c: Check) => boolean) =>
    CHECKS.filter(f)
      .map((c) => versionOf(c, minor))
      .filter((fn): fn is CheckFn => !!fn);
  const fns = [
    ...pick((c) => c.level === 'baseline' && !c.overlap),
    ...(lv.level === 'baseline' ? pick((c) => c.level === 'baseline' && !!c.overlap) : pick((c) => c.level === 'restricted')),
  ];
  return fns.map((fn) => fn(meta, spec));
}

export interface Aggregate {
  allowed: boolean;
  reasons: string[];
  details: string[];
}

export function aggregate(results: CheckResult[]): Aggregate {
  const denied = results.filter((r) => !r.allowed);
  return { allowed: denied.length === 0, reasons: denied.map((r) => r.reason || 'unknown forbidden reason'), details: denied.map((r) => r.detail ?? '') };
}

/** `host namespaces (hostNetwork=true), privileged (container "c" must not set ...)` */
export const forbiddenDetail = (a: Aggregate) => a.reasons.map((r, i) => (a.details[i] ? `${r} (${a.details[i]})` : r)).join(', ');
export const forbiddenReason = (a: Aggregate) => a.reasons.join(', ');

// ---- the namespace's policy, from its labels ----

export const LABEL_PREFIX = 'pod-security.kubernetes.io/';
export const MODES = ['enforce', 'audit', 'warn'] as const;
export type Mode = (typeof MODES)[number];
export type Policy = Record<Mode, LevelVersion>;

/** What an unlabeled namespace gets (upstream's AdmissionConfiguration defaults; the lab's are baseline). */
export const DEFAULT_POLICY: Policy = {
  enforce: { level: 'baseline', version: LATEST },
  audit: { level: 'baseline', version: LATEST },
  warn: { level: 'baseline', version: LATEST },
};

export interface LabelError {
  field: string;
  value: string;
  message: string;
}

const VERSION_RE = /^v1\.([0-9]|[1-9][0-9]*)$/;

export function parseVersion(v: string): Version | undefined {
  if (v === 'latest') return LATEST;
  const m = VERSION_RE.exec(v);
  return m ? { latest: false, minor: Number(m[1]) } : undefined;
}

/**
 * upstream's PolicyToEvaluate: labels over the defaults; a bad enforce level means restricted, a bad audit or
 * warn level privileged (fail open), a bad version latest. Errors carry upstream's field paths and messages.
 */
export function policyFromLabels(labels: Record<string, string> | undefined, defaults: Policy): { policy: Policy; errors: LabelError[] } {
  const policy: Policy = { enforce: { ...defaults.enforce }, audit: { ...defaults.audit }, warn: { ...defaults.warn } };
  const errors: LabelError[] = [];
  for (const mode of MODES) {
    const levelKey = `${LABEL_PREFIX}${mode}`;
    const level = labels?.[levelKey];
    if (level !== undefined) {
      if ((LEVELS as string[]).includes(level)) policy[mode].level = level as Level;
      else {
        policy[mode].level = mode === 'enforce' ? 'restricted' : 'privileged';
        errors.push({ field: `metadata.labels[${levelKey}]`, value: level, message: `must be one of ${LEVELS.join(', ')}` });
      }
    }
    const versionKey = `${levelKey}-version`;
    const version = labels?.[versionKey];
    if (version !== undefined) {
      const v = parseVersion(version);
      policy[mode].version = v ?? LATEST;
      if (!v) errors.push({ field: `metadata.labels[${versionKey}]`, value: version, message: 'must be "latest" or "v1.x"' });
    }
  }
  return { policy, errors };
}

const strictness = (l: Level) => LEVELS.indexOf(l);
export const compareLevels = (a: Level, b: Level) => Math.sign(strictness(a) - strictness(b));
export const sameLevelVersion = (a: LevelVersion, b: LevelVersion) => a.level === b.level && versionString(a.version) === versionString(b.version);
