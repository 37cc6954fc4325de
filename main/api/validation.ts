// Validation as upstream's apimachinery and pkg/apis/core/validation: same rules, same messages,
// same field paths, so `kubectl` users read exactly what a real cluster would tell them.
import type { FieldError } from './errors';
import { isQuantity, parseQuantity, compareQuantity, formatQuantity, QUANTITY_ERROR } from './quantity';

type Obj = Record<string, any>;

// ---- field errors, formatted as upstream's field.Error.ErrorBody ----

/** Go-like rendering of a bad value: strings quoted, numbers plain, string maps as `map[string]string{...}`. */
export function formatValue(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string')) {
    const keys = Object.keys(v).sort();
    return `map[string]string{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify((v as Obj)[k])}`).join(', ')}}`;
  }
  return JSON.stringify(v);
}

const withDetail = (s: string, detail?: string) => (detail ? `${s}: ${detail}` : s);

export const fieldErr = {
  required: (field: string, detail = ''): FieldError => ({ field, type: 'FieldValueRequired', message: withDetail('Required value', detail) }),
  invalid: (field: string, value: unknown, detail = ''): FieldError => ({
    field,
    type: 'FieldValueInvalid',
    message: withDetail(`Invalid value: ${formatValue(value)}`, detail),
  }),
  duplicate: (field: string, value: unknown): FieldError => ({ field, type: 'FieldValueDuplicate', message: `Duplicate value: ${formatValue(value)}` }),
  notSupported: (field: string, value: unknown, supported: string[]): FieldError => ({
    field,
    type: 'FieldValueNotSupported',
    message: withDetail(
      `Unsupported value: ${formatValue(value)}`,
      supported.length ? `supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}` : '',
    ),
  }),
  forbidden: (field: string, detail: string): FieldError => ({ field, type: 'FieldValueForbidden', message: withDetail('Forbidden', detail) }),
  tooLong: (field: string, max: number): FieldError => ({ field, type: 'FieldValueTooLong', message: `Too long: may not be more than ${max} bytes` }),
  notFound: (field: string, value: unknown): FieldError => ({ field, type: 'FieldValueNotFound', message: `Not found: ${formatValue(value)}` }),
};

// ---- string formats (k8s.io/apimachinery/pkg/util/validation) ----

export function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  let s = `${msg} (e.g. `;
  examples.forEach((e, i) => {
    if (i > 0) s += ' or ';
    s += `'${e}', `;
  });
  return `${s}regex used for validation is '${fmt}')`;
}

export const maxLenError = (n: number) => `must be no more than ${n} characters`;
export const inclusiveRangeError = (lo: number, hi: number) => `must be between ${lo} and ${hi}, inclusive`;

const dns1123LabelFmt = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const dns1123SubdomainFmt = `${dns1123LabelFmt}(\\.${dns1123LabelFmt})*`;
const dns1123LabelRe = new RegExp(`^${dns1123LabelFmt}$`);
const dns1123SubdomainRe = new RegExp(`^${dns1123SubdomainFmt}$`);
export const DNS1123_LABEL_ERROR =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
export const DNS1123_SUBDOMAIN_ERROR =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const dns1035LabelFmt = '[a-z]([-a-z0-9]*[a-z0-9])?';
const dns1035LabelRe = new RegExp(`^${dns1035LabelFmt}$`);
export const DNS1035_LABEL_ERROR =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";

export function isDNS1123Label(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 63) errs.push(maxLenError(63));
  if (!dns1123LabelRe.test(v)) errs.push(regexError(DNS1123_LABEL_ERROR, dns1123LabelFmt, 'my-name', '123-abc'));
  return errs;
}

export function isDNS1123Subdomain(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 253) errs.push(maxLenError(253));
  if (!dns1123SubdomainRe.test(v)) errs.push(regexError(DNS1123_SUBDOMAIN_ERROR, dns1123SubdomainFmt, 'example.com'));
  return errs;
}

export function isDNS1035Label(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 63) errs.push(maxLenError(63));
  if (!dns1035LabelRe.test(v)) errs.push(regexError(DNS1035_LABEL_ERROR, dns1035LabelFmt, 'my-name', 'abc-123'));
  return errs;
}

const qualifiedNameFmt = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const qualifiedNameRe = new RegExp(`^${qualifiedNameFmt}$`);
const qualifiedNameErrMsg = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

export function isQualifiedName(v: string): string[] {
  const errs: string[] = [];
  const parts = v.split('/');
  let name: string;
  if (parts.length === 1) name = parts[0];
  else if (parts.length === 2) {
    const prefix = parts[0];
    name = parts[1];
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else errs.push(...isDNS1123Subdomain(prefix).map((m) => `prefix part ${m}`));
  } else {
    return [
      `a qualified name ${regexError(qualifiedNameErrMsg, qualifiedNameFmt, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push(`name part ${maxLenError(63)}`);
  if (!qualifiedNameRe.test(name)) errs.push(`name part ${regexError(qualifiedNameErrMsg, qualifiedNameFmt, 'MyName', 'my.name', '123-abc')}`);
  return errs;
}

const labelValueFmt = `(${qualifiedNameFmt})?`;
const labelValueRe = new RegExp(`^${labelValueFmt}$`);
export function isValidLabelValue(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 63) errs.push(maxLenError(63));
  if (!labelValueRe.test(v)) {
    errs.push(
      regexError(
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        labelValueFmt,
        'MyValue',
        'my_value',
        '12345',
      ),
    );
  }
  return errs;
}

export function isValidPortNum(p: number): string[] {
  return Number.isInteger(p) && p >= 1 && p <= 65535 ? [] : [inclusiveRangeError(1, 65535)];
}

export function isValidPortName(p: string): string[] {
  const errs: string[] = [];
  if (p.length > 15) errs.push(maxLenError(15));
  if (!/^[-a-z0-9]+$/.test(p)) errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(p)) errs.push('must contain at least one letter (a-z)');
  if (p.includes('--')) errs.push('must not contain consecutive hyphens');
  if (p.length > 0 && (p.startsWith('-') || p.endsWith('-'))) errs.push('must not begin or end with a hyphen');
  return errs;
}

const envVarNameFmt = '[-._a-zA-Z][-._a-zA-Z0-9]*';
export function isEnvVarName(v: string): string[] {
  const errs: string[] = [];
  if (!new RegExp(`^${envVarNameFmt}$`).test(v)) {
    errs.push(
      regexError(
        "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit",
        envVarNameFmt,
        'my.env-name',
        'MY_ENV.NAME',
        'MyEnvName1',
      ),
    );
  }
  if (v === '.') errs.push("must not be '.'");
  else if (v === '..') errs.push("must not be '..'");
  else if (v.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}

const configMapKeyFmt = '[-._a-zA-Z0-9]+';
export function isConfigMapKey(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 253) errs.push(maxLenError(253));
  if (!new RegExp(`^${configMapKeyFmt}$`).test(v)) {
    errs.push(regexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'", configMapKeyFmt, 'key.name', 'KEY_NAME', 'key-name'));
  }
  if (v === '.') errs.push("must not be '.'");
  else if (v === '..') errs.push("must not be '..'");
  else if (v.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}

// ---- names ----

export type NameValidator = (name: string, prefix: boolean) => string[];
const maskTrailingDash = (s: string) => (s.length > 1 && s.endsWith('-') ? `${s.slice(0, -1)}a` : s);
export const nameIsDNSSubdomain: NameValidator = (n, prefix) => isDNS1123Subdomain(prefix ? maskTrailingDash(n) : n);
export const nameIsDNSLabel: NameValidator = (n, prefix) => isDNS1123Label(prefix ? maskTrailingDash(n) : n);
export const nameIsDNS1035Label: NameValidator = (n, prefix) => isDNS1035Label(prefix ? maskTrailingDash(n) : n);
/** RBAC and a few others accept any name that is a valid path segment */
export const nameIsPathSegment: NameValidator = (n) => {
  if (n === '.' || n === '..') return [`may not be '${n}'`];
  const errs: string[] = [];
  for (const bad of ['/', '%']) if (n.includes(bad)) errs.push(`may not contain '${bad}'`);
  return errs;
};

// ---- metadata ----

export function validateLabels(labels: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!labels || typeof labels !== 'object') return errs;
  for (const [k, v] of Object.entries(labels as Obj)) {
    for (const m of isQualifiedName(k)) errs.push(fieldErr.invalid(path, k, m));
    for (const m of isValidLabelValue(String(v ?? ''))) errs.push(fieldErr.invalid(path, v, m));
  }
  return errs;
}

const totalAnnotationSizeLimit = 256 * 1024;
export function validateAnnotations(ann: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!ann || typeof ann !== 'object') return errs;
  let size = 0;
  for (const [k, v] of Object.entries(ann as Obj)) {
    for (const m of isQualifiedName(k.toLowerCase())) errs.push(fieldErr.invalid(path, k, m));
    size += k.length + String(v ?? '').length;
  }
  if (size > totalAnnotationSizeLimit)
    errs.push({ field: path, type: 'FieldValueTooLong', message: `Too long: must have at most ${totalAnnotationSizeLimit} bytes` });
  return errs;
}

export function validateNonnegative(v: unknown, path: string): FieldError[] {
  return typeof v === 'number' && v < 0 ? [fieldErr.invalid(path, v, 'must be greater than or equal to 0')] : [];
}

export function validatePositive(v: unknown, path: string): FieldError[] {
  return typeof v === 'number' && v <= 0 ? [fieldErr.invalid(path, v, 'must be greater than zero')] : [];
}

export function validateObjectMeta(meta: Obj | undefined, namespaced: boolean, nameFn: NameValidator, path = 'metadata'): FieldError[] {
  const errs: FieldError[] = [];
  const m = meta ?? {};
  if (m.generateName) for (const msg of nameFn(m.generateName, true)) errs.push(fieldErr.invalid(`${path}.generateName`, m.generateName, msg));
  if (!m.name) errs.push(fieldErr.required(`${path}.name`, 'name or generateName is required'));
  else for (const msg of nameFn(m.name, false)) errs.push(fieldErr.invalid(`${path}.name`, m.name, msg));
  if (namespaced) {
    if (!m.namespace) errs.push(fieldErr.required(`${path}.namespace`));
    else for (const msg of nameIsDNSLabel(m.namespace, false)) errs.push(fieldErr.invalid(`${path}.namespace`, m.namespace, msg));
  } else if (m.namespace) {
    errs.push(fieldErr.forbidden(`${path}.namespace`, 'not allowed on this type'));
  }
  errs.push(...validateNonnegative(m.generation, `${path}.generation`));
  errs.push(...validateLabels(m.labels, `${path}.labels`));
  errs.push(...validateAnnotations(m.annotations, `${path}.annotations`));
  (m.ownerReferences ?? []).forEach((r: Obj, i: number) => {
    const p = `${path}.ownerReferences[${i}]`;
    if (!r.apiVersion) errs.push(fieldErr.invalid(`${p}.apiVersion`, r.apiVersion ?? '', 'version must not be empty'));
    if (!r.kind) errs.push(fieldErr.invalid(`${p}.kind`, r.kind ?? '', 'kind must not be empty'));
    if (!r.name) errs.push(fieldErr.invalid(`${p}.name`, r.name ?? '', 'name must not be empty'));
    if (!r.uid) errs.push(fieldErr.invalid(`${p}.uid`, r.uid ?? '', 'uid must not be empty'));
  });
  if ((m.ownerReferences ?? []).filter((r: Obj) => r.controller).length > 1) {
    errs.push(fieldErr.invalid(`${path}.ownerReferences`, m.ownerReferences, 'Only one reference can have Controller set to true'));
  }
  (m.finalizers ?? []).forEach((f: string) => {
    for (const msg of isQualifiedName(f)) errs.push(fieldErr.invalid(`${path}.finalizers`, f, msg));
  });
  return errs;
}

export function validateImmutable(newV: unknown, oldV: unknown, path: string): FieldError[] {
  return deepEqual(newV, oldV) ? [] : [fieldErr.invalid(path, newV, 'field is immutable')];
}

export function validateObjectMetaUpdate(meta: Obj, old: Obj, path = 'metadata'): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...validateImmutable(meta.name, old.name, `${path}.name`));
  errs.push(...validateImmutable(meta.namespace, old.namespace, `${path}.namespace`));
  errs.push(...validateImmutable(meta.uid, old.uid, `${path}.uid`));
  errs.push(...validateImmutable(meta.creationTimestamp, old.creationTimestamp, `${path}.creationTimestamp`));
  if (old.deletionTimestamp && meta.deletionTimestamp !== old.deletionTimestamp) {
    errs.push(...validateImmutable(meta.deletionTimestamp, old.deletionTimestamp, `${path}.deletionTimestamp`));
  }
  return errs;
}

// ---- label selectors ----

export function validateLabelSelector(sel: Obj | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!sel) return errs;
  (sel.matchExpressions ?? []).forEach((e: Obj, i: number) => {
    const p = `${path}.matchExpressions[${i}]`;
    const ops = ['In', 'NotIn', 'Exists', 'DoesNotExist'];
    if (ops.includes(e.operator)) {
      const n = (e.values ?? []).length;
      if ((e.operator === 'In' || e.operator === 'NotIn') && n === 0)
        errs.push(fieldErr.required(`${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
      if ((e.operator === 'Exists' || e.operator === 'DoesNotExist') && n > 0)
        errs.push(fieldErr.forbidden(`${p}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    } else {
      errs.push(fieldErr.invalid(`${p}.operator`, e.operator ?? '', 'not a valid selector operator'));
    }
    for (const m of isQualifiedName(e.key ?? '')) errs.push(fieldErr.invalid(`${p}.key`, e.key ?? '', m));
  });
  errs.push(...validateLabels(sel.matchLabels, `${path}.matchLabels`));
  return errs;
}

// ---- resources ----

const standardContainerResources = ['cpu', 'memory', 'ephemeral-storage'];
function validateResourceName(name: string, path: string): FieldError[] {
  const errs = isQualifiedName(name).map((m) => fieldErr.invalid(path, name, m));
  if (errs.length) return errs;
  if (!name.includes('/') && !standardContainerResources.includes(name) && !name.startsWith('hugepages-')) {
    return [fieldErr.invalid(path, name, 'must be a standard resource for containers')];
  }
  return [];
}

export function validateResourceRequirements(res: Obj | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!res) return errs;
  const check = (map: Obj | undefined, kind: 'limits' | 'requests') => {
    for (const [name, q] of Object.entries(map ?? {})) {
      const p = `${path}.${kind}[${name}]`;
      errs.push(...validateResourceName(name, p));
      if (!isQuantity(q)) {
        errs.push(fieldErr.invalid(p, q, QUANTITY_ERROR));
        continue;
      }
      if (compareQuantity(q as string, '0') < 0) errs.push(fieldErr.invalid(p, formatQuantity(q as string), 'must be greater than or equal to 0'));
    }
  };
  check(res.limits, 'limits');
  check(res.requests, 'requests');
  for (const [name, q] of Object.entries((res.requests ?? {}) as Obj)) {
    const lim = res.limits?.[name];
    if (lim === undefined || !isQuantity(q) || !isQuantity(lim)) continue;
    if (compareQuantity(q, lim) > 0) {
      errs.push(
        fieldErr.invalid(
          `${path}.requests[${name}]`,
          formatQuantity(parseQuantity(q)),
          `must be less than or equal to ${name} limit of ${formatQuantity(parseQuantity(lim))}`,
        ),
      );
    }
  }
  return errs;
}

// ---- pod spec ----

const restartPolicies = ['Always', 'OnFailure', 'Never'];
const dnsPolicies = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const pullPolicies = ['Always', 'IfNotPresent', 'Never'];
const terminationMessagePolicies = ['File', 'FallbackToLogsOnError'];
const protocols = ['SCTP', 'TCP', 'UDP'];
const volumeSources = [
  'hostPath',
  'emptyDir',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'secret',
  'nfs',
  'iscsi',
  'glusterfs',
  'persistentVolumeClaim',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'flocker',
  'downwardAPI',
  'fc',
  'azureFile',
  'configMap',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'projected',
  'portworxVolume',
  'scaleIO',
  'storageos',
  'csi',
  'ephemeral',
  'image',
];
const hostPathTypes = ['', 'DirectoryOrCreate', 'Directory', 'FileOrCreate', 'File', 'Socket', 'CharDevice', 'BlockDevice'];

/** upstream's validateLocalDescendingPath: a relative path with no `..` element (subPath, subPathExpr, key paths). */
export function validateLocalDescendingPath(target: string, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (target.startsWith('/')) errs.push(fieldErr.invalid(path, target, 'must be a relative path'));
  // one error is enough, even for `../../..`
  if (target.split('/').includes('..')) errs.push(fieldErr.invalid(path, target, "must not contain '..'"));
  return errs;
}

/** upstream's validateLocalNonReservedPath: as above, and not starting with `..` (the kubelet's own `..data` links). */
export function validateLocalNonReservedPath(target: string, path: string): FieldError[] {
  const errs = validateLocalDescendingPath(target, path);
  if (target.startsWith('..') && !target.startsWith('../')) errs.push(fieldErr.invalid(path, target, "must not start with '..'"));
  return errs;
}

function validateVolumes(vols: Obj[] | undefined, path: string): { errs: FieldError[]; names: Set<string> } {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  (vols ?? []).forEach((v, i) => {
    const p = `${path}[${i}]`;
    if (!v.name) errs.push(fieldErr.required(`${p}.name`));
    else {
      const msgs = isDNS1123Label(v.name);
      for (const m of msgs) errs.push(fieldErr.invalid(`${p}.name`, v.name, m));
      if (!msgs.length && names.has(v.name)) errs.push(fieldErr.duplicate(`${p}.name`, v.name));
      names.add(v.name);
    }
    const sources = volumeSources.filter((s) => v[s] !== undefined && v[s] !== null);
    if (sources.length === 0) errs.push(fieldErr.required(p, 'must specify a volume type'));
    else if (sources.length > 1) errs.push(fieldErr.forbidden(`${p}.${sources[1]}`, 'may not specify more than 1 volume type'));
    if (v.hostPath) {
      if (!v.hostPath.path) errs.push(fieldErr.required(`${p}.hostPath.path`));
      if (v.hostPath.type !== undefined && !hostPathTypes.includes(v.hostPath.type))
        errs.push(fieldErr.notSupported(`${p}.hostPath.type`, v.hostPath.type, hostPathTypes));
    }
    if (v.configMap && !v.configMap.name) errs.push(fieldErr.required(`${p}.configMap.name`));
    if (v.secret && !v.secret.secretName) errs.push(fieldErr.required(`${p}.secret.secretName`));
    if (v.emptyDir?.sizeLimit !== undefined && !isQuantity(v.emptyDir.sizeLimit))
      errs.push(fieldErr.invalid(`${p}.emptyDir.sizeLimit`, v.emptyDir.sizeLimit, QUANTITY_ERROR));
    for (const key of ['configMap', 'secret'] as const) {
      for (const [j, item] of ((v[key]?.items ?? []) as Obj[]).entries()) {
        if (!item.key) errs.push(fieldErr.required(`${p}.${key}.items[${j}].key`));
        if (!item.path) errs.push(fieldErr.required(`${p}.${key}.items[${j}].path`));
        else errs.push(...validateLocalNonReservedPath(item.path, `${p}.${key}.items[${j}].path`));
      }
    }
    for (const [j, item] of ((v.downwardAPI?.items ?? []) as Obj[]).entries()) {
      if (item.path) errs.push(...validateLocalNonReservedPath(item.path, `${p}.downwardAPI.items[${j}].path`));
    }
    for (const [j, src] of ((v.projected?.sources ?? []) as Obj[]).entries()) {
      const sp = `${p}.projected.sources[${j}]`;
      for (const key of ['configMap', 'secret', 'downwardAPI'] as const) {
        for (const [k, item] of ((src[key]?.items ?? []) as Obj[]).entries()) {
          if (item.path) errs.push(...validateLocalNonReservedPath(item.path, `${sp}.${key}.items[${k}].path`));
        }
      }
      if (src.serviceAccountToken?.path) errs.push(...validateLocalNonReservedPath(src.serviceAccountToken.path, `${sp}.serviceAccountToken.path`));
    }
  });
  return { errs, names };
}

function validateProbe(probe: Obj | undefined, path: string, mustSucceedOnce: boolean): FieldError[] {
  const errs: FieldError[] = [];
  if (!probe) return errs;
  const handlers = ['exec', 'httpGet', 'tcpSocket', 'grpc'].filter((h) => probe[h] != null);
  if (handlers.length === 0) errs.push(fieldErr.required(path, 'must specify a handler type'));
  else if (handlers.length > 1) errs.push(fieldErr.forbidden(`${path}.${handlers[1]}`, 'may not specify more than 1 handler type'));
  for (const f of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) {
    errs.push(...validateNonnegative(probe[f], `${path}.${f}`));
  }
  if (mustSucceedOnce && probe.successThreshold !== undefined && probe.successThreshold !== 1) {
    errs.push(fieldErr.invalid(`${path}.successThreshold`, probe.successThreshold, 'must be 1'));
  }
  errs.push(...validateHandlerPort(probe, path));
  return errs;
}

function validateHandlerPort(h: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const k of ['httpGet', 'tcpSocket']) {
    const port = h[k]?.port;
    if (h[k] == null) continue;
    const p = `${path}.${k}.port`;
    if (port === undefined) errs.push(fieldErr.required(p));
    else if (typeof port === 'number') for (const m of isValidPortNum(port)) errs.push(fieldErr.invalid(p, port, m));
    else for (const m of isValidPortName(String(port))) errs.push(fieldErr.invalid(p, port, m));
  }
  if (h.httpGet && h.httpGet.scheme !== undefined && !['HTTP', 'HTTPS'].includes(h.httpGet.scheme)) {
    errs.push(fieldErr.notSupported(`${path}.httpGet.scheme`, h.httpGet.scheme, ['HTTP', 'HTTPS']));
  }
  if (h.exec && !(h.exec.command ?? []).length) errs.push(fieldErr.required(`${path}.exec.command`));
  return errs;
}

function validateEnv(env: Obj[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (env ?? []).forEach((e, i) => {
    const p = `${path}[${i}]`;
    if (!e.name) errs.push(fieldErr.required(`${p}.name`));
    else for (const m of isEnvVarName(e.name)) errs.push(fieldErr.invalid(`${p}.name`, e.name, m));
    const vf = e.valueFrom;
    if (vf) {
      const n = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'].filter((k) => vf[k] != null).length;
      if (n === 0)
        errs.push(fieldErr.invalid(`${p}.valueFrom`, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
      else if (n > 1) errs.push(fieldErr.invalid(`${p}.valueFrom`, '', 'may not have more than one field specified at a time'));
      if (e.value) errs.push(fieldErr.invalid(`${p}.valueFrom`, '', 'may not be specified when `value` is not empty'));
      if (vf.fieldRef && !vf.fieldRef.fieldPath) errs.push(fieldErr.required(`${p}.valueFrom.fieldRef.fieldPath`));
      for (const k of ['configMapKeyRef', 'secretKeyRef']) {
        if (vf[k] && !vf[k].key) errs.push(fieldErr.required(`${p}.valueFrom.${k}.key`));
        if (vf[k] && !vf[k].name) errs.push(fieldErr.required(`${p}.valueFrom.${k}.name`));
      }
    }
  });
  return errs;
}

interface ContainerContext {
  volumes: Set<string>;
  hostNetwork: boolean;
  names: Set<string>;
  init: boolean;
}

function validateContainers(list: Obj[] | undefined, path: string, ctx: ContainerContext): FieldError[] {
  const errs: FieldError[] = [];
  (list ?? []).forEach((c, i) => {
    const p = `${path}[${i}]`;
    if (!c.name) errs.push(fieldErr.required(`${p}.name`));
    else {
      const msgs = isDNS1123Label(c.name);
      for (const m of msgs) errs.push(fieldErr.invalid(`${p}.name`, c.name, m));
      if (!msgs.length && ctx.names.has(c.name)) errs.push(fieldErr.duplicate(`${p}.name`, c.name));
      ctx.names.add(c.name);
    }
    if (!c.image) errs.push(fieldErr.required(`${p}.image`));
    else if (c.image !== c.image.trim()) errs.push(fieldErr.invalid(`${p}.image`, c.image, 'must not have leading or trailing whitespace'));
    if (!c.imagePullPolicy) errs.push(fieldErr.required(`${p}.imagePullPolicy`));
    else if (!pullPolicies.includes(c.imagePullPolicy)) errs.push(fieldErr.notSupported(`${p}.imagePullPolicy`, c.imagePullPolicy, pullPolicies));
    if (c.terminationMessagePolicy !== undefined && !terminationMessagePolicies.includes(c.terminationMessagePolicy)) {
      errs.push(fieldErr.notSupported(`${p}.terminationMessagePolicy`, c.terminationMessagePolicy, terminationMessagePolicies));
    }
    const portNames = new Set<string>();
    ((c.ports ?? []) as Obj[]).forEach((port, j) => {
      const pp = `${p}.ports[${j}]`;
      if (port.name) {
        const msgs = isValidPortName(port.name);
        for (const m of msgs) errs.push(fieldErr.invalid(`${pp}.name`, port.name, m));
        if (!msgs.length && portNames.has(port.name)) errs.push(fieldErr.duplicate(`${pp}.name`, port.name));
        portNames.add(port.name);
      }
      if (!port.containerPort) errs.push(fieldErr.required(`${pp}.containerPort`));
      else for (const m of isValidPortNum(port.containerPort)) errs.push(fieldErr.invalid(`${pp}.containerPort`, port.containerPort, m));
      if (port.hostPort) for (const m of isValidPortNum(port.hostPort)) errs.push(fieldErr.invalid(`${pp}.hostPort`, port.hostPort, m));
      if (!port.protocol) errs.push(fieldErr.required(`${pp}.protocol`));
      else if (!protocols.includes(port.protocol)) errs.push(fieldErr.notSupported(`${pp}.protocol`, port.protocol, protocols));
      if (ctx.hostNetwork && port.hostPort && port.hostPort !== port.containerPort) {
        errs.push(fieldErr.invalid(`${pp}.hostPort`, port.hostPort, 'must match `containerPort` when `hostNetwork` is true'));
      }
    });
    errs.push(...validateEnv(c.env, `${p}.env`));
    ((c.envFrom ?? []) as Obj[]).forEach((ef, j) => {
      const n = ['configMapRef', 'secretRef'].filter((k) => ef[k] != null).length;
      if (n === 0) errs.push(fieldErr.invalid(`${p}.envFrom[${j}]`, '', 'must specify one of: `configMapRef` or `secretRef`'));
      else if (n > 1) errs.push(fieldErr.invalid(`${p}.envFrom[${j}]`, '', 'may not have more than one field specified at a time'));
    });
    const mountPaths = new Set<string>();
    ((c.volumeMounts ?? []) as Obj[]).forEach((vm, j) => {
      const mp = `${p}.volumeMounts[${j}]`;
      if (!vm.name) errs.push(fieldErr.required(`${mp}.name`));
      else if (!ctx.volumes.has(vm.name)) errs.push(fieldErr.notFound(`${mp}.name`, vm.name));
      if (!vm.mountPath) errs.push(fieldErr.required(`${mp}.mountPath`));
      else if (mountPaths.has(vm.mountPath)) errs.push(fieldErr.invalid(`${mp}.mountPath`, vm.mountPath, 'must be unique'));
      if (vm.mountPath) mountPaths.add(vm.mountPath);
      if (vm.subPath) errs.push(...validateLocalDescendingPath(vm.subPath, `${mp}.subPath`));
      if (vm.subPathExpr) {
        if (vm.subPath) errs.push(fieldErr.invalid(`${mp}.subPathExpr`, vm.subPathExpr, 'subPathExpr and subPath are mutually exclusive'));
        errs.push(...validateLocalDescendingPath(vm.subPathExpr, `${mp}.subPathExpr`));
      }
    });
    errs.push(...validateResourceRequirements(c.resources, `${p}.resources`));
    if (ctx.init && c.restartPolicy !== 'Always') {
      for (const f of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe']) {
        if (c[f] != null) errs.push(fieldErr.forbidden(`${p}.${f}`, `may not be set for init containers without restartPolicy=Always`));
      }
    } else {
      errs.push(...validateProbe(c.livenessProbe, `${p}.livenessProbe`, true));
      errs.push(...validateProbe(c.readinessProbe, `${p}.readinessProbe`, false));
      errs.push(...validateProbe(c.startupProbe, `${p}.startupProbe`, true));
      for (const hook of ['postStart', 'preStop']) {
        const h = c.lifecycle?.[hook];
        if (!h) continue;
        const n = ['exec', 'httpGet', 'tcpSocket', 'sleep'].filter((k) => h[k] != null).length;
        if (n === 0) errs.push(fieldErr.required(`${p}.lifecycle.${hook}`, 'must specify a handler type'));
        errs.push(...validateHandlerPort(h, `${p}.lifecycle.${hook}`));
      }
    }
    if (ctx.init && c.restartPolicy !== undefined && c.restartPolicy !== 'Always') {
      errs.push(fieldErr.notSupported(`${p}.restartPolicy`, c.restartPolicy, ['Always']));
    }
    if (!ctx.init && c.restartPolicy !== undefined) errs.push(fieldErr.forbidden(`${p}.restartPolicy`, 'may not be set for non-init containers'));
    const sc = c.securityContext;
    if (sc) {
      errs.push(...validateNonnegative(sc.runAsUser, `${p}.securityContext.runAsUser`));
      errs.push(...validateNonnegative(sc.runAsGroup, `${p}.securityContext.runAsGroup`));
      if (sc.allowPrivilegeEscalation === false && sc.privileged === true) {
        errs.push(fieldErr.invalid(`${p}.securityContext`, sc, 'cannot set `allowPrivilegeEscalation` to false and `privileged` to true'));
      }
    }
  });
  return errs;
}

function validateTolerations(tols: Obj[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const effects = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
  (tols ?? []).forEach((t, i) => {
    const p = `${path}[${i}]`;
    if (t.key) for (const m of isQualifiedName(t.key)) errs.push(fieldErr.invalid(`${p}.key`, t.key, m));
    if (!t.key && t.operator !== 'Exists')
      errs.push(
        fieldErr.invalid(`${p}.operator`, t.operator ?? '', 'operator must be Exists when `key` is empty, which means "match all values and all keys"'),
      );
    if (t.tolerationSeconds != null && t.effect !== 'NoExecute')
      errs.push(fieldErr.invalid(`${p}.effect`, t.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    if (t.operator === 'Exists' && t.value) errs.push(fieldErr.invalid(`${p}.operator`, t.value, "value must be empty when `operator` is 'Exists'"));
    else if (t.operator !== undefined && t.operator !== '' && t.operator !== 'Equal' && t.operator !== 'Exists') {
      errs.push(fieldErr.notSupported(`${p}.operator`, t.operator, ['Equal', 'Exists']));
    }
    if (t.operator !== 'Exists' && t.value) for (const m of isValidLabelValue(t.value)) errs.push(fieldErr.invalid(`${p}.value`, t.value, m));
    if (t.effect && !effects.includes(t.effect)) errs.push(fieldErr.notSupported(`${p}.effect`, t.effect, effects));
  });
  return errs;
}

function validateNodeSelectorTerms(terms: Obj[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const ops = ['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt'];
  (terms ?? []).forEach((term, i) => {
    ((term.matchExpressions ?? []) as Obj[]).forEach((e, j) => {
      const p = `${path}[${i}].matchExpressions[${j}]`;
      if (!ops.includes(e.operator)) errs.push(fieldErr.invalid(`${p}.operator`, e.operator ?? '', 'not a valid selector operator'));
      for (const m of isQualifiedName(e.key ?? '')) errs.push(fieldErr.invalid(`${p}.key`, e.key ?? '', m));
      const n = (e.values ?? []).length;
      if ((e.operator === 'In' || e.operator === 'NotIn') && n === 0)
        errs.push(fieldErr.required(`${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
      if ((e.operator === 'Exists' || e.operator === 'DoesNotExist') && n > 0)
        errs.push(fieldErr.forbidden(`${p}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      if ((e.operator === 'Gt' || e.operator === 'Lt') && n !== 1)
        errs.push(fieldErr.required(`${p}.values`, "must be specified single value when `operator` is 'Lt' or 'Gt'"));
    });
  });
  return errs;
}

function validateAffinity(aff: Obj | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!aff) return errs;
  const req = aff.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (req) {
    if (!(req.nodeSelectorTerms ?? []).length)
      errs.push(
        fieldErr.required(`${path}.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms`, 'must have at least one node selector term'),
      );
    errs.push(...validateNodeSelectorTerms(req.nodeSelectorTerms, `${path}.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms`));
  }
  ((aff.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []) as Obj[]).forEach((t, i) => {
    const p = `${path}.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[${i}]`;
    if (typeof t.weight !== 'number' || t.weight < 1 || t.weight > 100) errs.push(fieldErr.invalid(`${p}.weight`, t.weight ?? 0, inclusiveRangeError(1, 100)));
  });
  for (const kind of ['podAffinity', 'podAntiAffinity']) {
    ((aff[kind]?.requiredDuringSchedulingIgnoredDuringExecution ?? []) as Obj[]).forEach((t, i) => {
      const p = `${path}.${kind}.requiredDuringSchedulingIgnoredDuringExecution[${i}]`;
      if (!t.topologyKey) errs.push(fieldErr.required(`${p}.topologyKey`, 'can not be empty'));
      errs.push(...validateLabelSelector(t.labelSelector, `${p}.labelSelector`));
    });
    ((aff[kind]?.preferredDuringSchedulingIgnoredDuringExecution ?? []) as Obj[]).forEach((t, i) => {
      const p = `${path}.${kind}.preferredDuringSchedulingIgnoredDuringExecution[${i}]`;
      if (typeof t.weight !== 'number' || t.weight < 1 || t.weight > 100)
        errs.push(fieldErr.invalid(`${p}.weight`, t.weight ?? 0, inclusiveRangeError(1, 100)));
      if (!t.podAffinityTerm?.topologyKey) errs.push(fieldErr.required(`${p}.podAffinityTerm.topologyKey`, 'can not be empty'));
    });
  }
  return errs;
}

function validateTopologySpread(list: Obj[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const whens = ['DoNotSchedule', 'ScheduleAnyway'];
  (list ?? []).forEach((c, i) => {
    const p = `${path}[${i}]`;
    if (typeof c.maxSkew !== 'number' || c.maxSkew <= 0) errs.push(fieldErr.invalid(`${p}.maxSkew`, c.maxSkew ?? 0, 'must be greater than zero'));
    if (!c.topologyKey) errs.push(fieldErr.required(`${p}.topologyKey`, 'can not be empty'));
    if (!c.whenUnsatisfiable) errs.push(fieldErr.required(`${p}.whenUnsatisfiable`));
    else if (!whens.includes(c.whenUnsatisfiable)) errs.push(fieldErr.notSupported(`${p}.whenUnsatisfiable`, c.whenUnsatisfiable, whens));
    if (c.minDomains !== undefined && c.minDomains <= 0) errs.push(fieldErr.invalid(`${p}.minDomains`, c.minDomains, 'must be greater than 0'));
  });
  return errs;
}

export function validatePodSpec(spec: Obj | undefined, path = 'spec'): FieldError[] {
  const errs: FieldError[] = [];
  const s = spec ?? {};
  const { errs: volErrs, names: volumes } = validateVolumes(s.volumes, `${path}.volumes`);
  errs.push(...volErrs);
  const names = new Set<string>();
  if (!(s.containers ?? []).length) errs.push(fieldErr.required(`${path}.containers`));
  errs.push(...validateContainers(s.initContainers, `${path}.initContainers`, { volumes, hostNetwork: !!s.hostNetwork, names, init: true }));
  errs.push(...validateContainers(s.containers, `${path}.containers`, { volumes, hostNetwork: !!s.hostNetwork, names, init: false }));
  if (!s.restartPolicy) errs.push(fieldErr.required(`${path}.restartPolicy`));
  else if (!restartPolicies.includes(s.restartPolicy)) errs.push(fieldErr.notSupported(`${path}.restartPolicy`, s.restartPolicy, restartPolicies));
  if (!s.dnsPolicy) errs.push(fieldErr.required(`${path}.dnsPolicy`));
  else if (!dnsPolicies.includes(s.dnsPolicy)) errs.push(fieldErr.notSupported(`${path}.dnsPolicy`, s.dnsPolicy, dnsPolicies));
  if (s.dnsPolicy === 'None' && !(s.dnsConfig?.nameservers ?? []).length) {
    errs.push(fieldErr.required(`${path}.dnsConfig.nameservers`, 'must provide at least one DNS nameserver when `dnsPolicy` is None'));
  }
  errs.push(...validateLabels(s.nodeSelector, `${path}.nodeSelector`));
  if (s.nodeName) for (const m of isDNS1123Subdomain(s.nodeName)) errs.push(fieldErr.invalid(`${path}.nodeName`, s.nodeName, m));
  if (s.serviceAccountName)
    for (const m of isDNS1123Subdomain(s.serviceAccountName)) errs.push(fieldErr.invalid(`${path}.serviceAccountName`, s.serviceAccountName, m));
  if (s.activeDeadlineSeconds != null && (s.activeDeadlineSeconds < 1 || s.activeDeadlineSeconds > 2147483647)) {
    errs.push(fieldErr.invalid(`${path}.activeDeadlineSeconds`, s.activeDeadlineSeconds, inclusiveRangeError(1, 2147483647)));
  }
  errs.push(...validateNonnegative(s.terminationGracePeriodSeconds, `${path}.terminationGracePeriodSeconds`));
  if (s.hostname) for (const m of isDNS1123Label(s.hostname)) errs.push(fieldErr.invalid(`${path}.hostname`, s.hostname, m));
  if (s.subdomain) for (const m of isDNS1123Label(s.subdomain)) errs.push(fieldErr.invalid(`${path}.subdomain`, s.subdomain, m));
  errs.push(...validateTolerations(s.tolerations, `${path}.tolerations`));
  errs.push(...validateAffinity(s.affinity, `${path}.affinity`));
  errs.push(...validateTopologySpread(s.topologySpreadConstraints, `${path}.topologySpreadConstraints`));
  // the lab's runtime cannot honor user namespaces: refused rather than run in the host's
  if (s.hostUsers === false)
    errs.push(
      fieldErr.forbidden(
        `${path}.hostUsers`,
        "user namespaces are not supported by the lab's container runtime (Docker runs containers in the engine's user namespace)",
      ),
    );
  ((s.securityContext?.sysctls ?? []) as Obj[]).forEach((sy, i) => {
    const sp = `${path}.securityContext.sysctls[${i}]`;
    if (!sy.name) errs.push(fieldErr.required(`${sp}.name`));
    else if (!/^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$/.test(sy.name)) {
      errs.push(
        fieldErr.invalid(
          `${sp}.name`,
          sy.name,
          'must have at most 253 characters and match regex ([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?',
        ),
      );
    } else if (s.hostNetwork && String(sy.name).startsWith('net.'))
      errs.push(fieldErr.invalid(`${sp}.name`, sy.name, "may not be specified when 'hostNetwork' is true"));
    else if (s.hostIPC && /^(kernel\.(shm|msg|sem)|fs\.mqueue\.)/.test(sy.name))
      errs.push(fieldErr.invalid(`${sp}.name`, sy.name, "may not be specified when 'hostIPC' is true"));
  });
  if (s.securityContext) {
    errs.push(...validateNonnegative(s.securityContext.runAsUser, `${path}.securityContext.runAsUser`));
    errs.push(...validateNonnegative(s.securityContext.runAsGroup, `${path}.securityContext.runAsGroup`));
    errs.push(...validateNonnegative(s.securityContext.fsGroup, `${path}.securityContext.fsGroup`));
  }
  ((s.imagePullSecrets ?? []) as Obj[]).forEach((r, i) => {
    if (!r.name) errs.push(fieldErr.required(`${path}.imagePullSecrets[${i}].name`));
  });
  ((s.readinessGates ?? []) as Obj[]).forEach((g, i) => {
    for (const m of isQualifiedName(g.conditionType ?? '')) errs.push(fieldErr.invalid(`${path}.readinessGates[${i}].conditionType`, g.conditionType ?? '', m));
  });
  return errs;
}

/** A pod template inside a workload: labels, then the pod spec. */
export function validatePodTemplate(tpl: Obj | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!tpl) return [fieldErr.required(path)];
  errs.push(...validateLabels(tpl.metadata?.labels, `${path}.metadata.labels`));
  errs.push(...validateAnnotations(tpl.metadata?.annotations, `${path}.metadata.annotations`));
  errs.push(...validatePodSpec(tpl.spec, `${path}.spec`));
  return errs;
}

// ---- helpers ----

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') {
    // An absent field equals an empty one, as Go's zero values do in semantic comparisons.
    return isEmpty(a) && isEmpty(b);
  }
  if (Array.isArray(a) !== Array.isArray(b)) return isEmpty(a) && isEmpty(b);
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ao = a as Obj;
  const bo = b as Obj;
  const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
  for (const k of keys) if (!deepEqual(ao[k], bo[k])) return false;
  return true;
}

const isEmpty = (v: unknown) =>
  v === undefined ||
  v === null ||
  v === '' ||
  v === false ||
  v === 0 ||
  (Array.isArray(v) && v.length === 0) ||
  (typeof v === 'object' && v !== null && Object.keys(v).length === 0);

/** Paths where two values differ (at most `max`), for the diff upstream appends to "may not change" errors. */
export function diffPaths(a: unknown, b: unknown, path = '', out: string[] = [], max = 10): string[] {
  if (out.length >= max || deepEqual(a, b)) return out;
  if (a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
    const keys = Array.isArray(a) ? [...Array(Math.max(a.length, (b as unknown[]).length)).keys()] : [...new Set([...Object.keys(a), ...Object.keys(b)])];
    for (const k of keys) {
      const sub = typeof k === 'number' ? `${path}[${k}]` : path ? `${path}.${k}` : String(k);
      diffPaths((a as Obj)[k], (b as Obj)[k], sub, out, max);
    }
    return out;
  }
  out.push(`${path}: ${JSON.stringify(a ?? null)} -> ${JSON.stringify(b ?? null)}`);
  return out;
}
