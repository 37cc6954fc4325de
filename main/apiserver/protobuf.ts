// Just enough Kubernetes protobuf to read the request bodies kubectl's typed clients send that way
// (`kubectl create deployment|namespace|serviceaccount|configmap|secret|service|job|quota|rolebinding|...`,
// `auth can-i`, `create token`, `drain`). Field numbers are those of k8s.io/api's generated.proto;
// fields not listed are skipped. Responses are JSON, which client-go decodes by Content-Type.
import { errors } from '../api/errors';

export const PROTOBUF = 'application/vnd.kubernetes.protobuf';
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** int0: a plain (non-pointer) int, omitted when 0 as JSON's omitempty does */
type Kind = 'string' | 'int' | 'int0' | 'bool' | 'bytes' | 'intOrString' | 'quantity' | 'time' | Msg | { repeated: Kind } | { map: Kind };
interface Msg {
  [field: number]: [string, Kind];
}

/** a length-delimited field's bytes, or a varint / fixed field's value, exact (a negative int64 is a 10-byte varint) */
type Wire = Buffer | bigint;
type Fields = Map<number, Wire[]>;

function readVarint(b: Buffer, pos: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    if (pos >= b.length) throw errors.badRequest('invalid protobuf: truncated varint');
    if (shift > 63n) throw errors.badRequest('invalid protobuf: varint longer than 64 bits');
    const byte = b[pos++];
    result |= BigInt(byte & 0x7f) << shift;
    if (!(byte & 0x80)) return [result, pos];
    shift += 7n;
  }
}

/** a length or a tag: small, and a JavaScript number */
function readLength(b: Buffer, pos: number): [number, number] {
  const [v, p] = readVarint(b, pos);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw errors.badRequest('invalid protobuf: length out of range');
  return [Number(v), p];
}

function fields(b: Buffer): Fields {
  const out: Fields = new Map();
  let pos = 0;
  while (pos < b.length) {
    const [tag, p1] = readLength(b, pos);
    pos = p1;
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    let value: Wire;
    if (wire === 0) [value, pos] = readVarint(b, pos);
    else if (wire === 2) {
      const [len, p2] = readLength(b, pos);
      if (p2 + len > b.length) throw errors.badRequest('invalid protobuf: truncated field');
      value = b.subarray(p2, p2 + len);
      pos = p2 + len;
    } else if (wire === 1) {
      value = b.readBigUInt64LE(pos);
      pos += 8;
    } else if (wire === 5) {
      value = BigInt(b.readUInt32LE(pos));
      pos += 4;
    } else throw errors.badRequest(`invalid protobuf: wire type ${wire}`);
    if (!out.has(field)) out.set(field, []);
    out.get(field)!.push(value);
  }
  return out;
}

/** int32/int64 varints are 64-bit two's complement: -5 is 2^64 - 5, read exactly, then signed */
const signed = (n: bigint) => Number(BigInt.asIntN(64, n));

function scalar(kind: Kind, v: Wire): unknown {
  if (kind === 'string') return Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
  if (kind === 'bytes') return Buffer.isBuffer(v) ? v.toString('base64') : '';
  if (kind === 'int') return typeof v === 'bigint' ? signed(v) : 0;
  if (kind === 'int0') return typeof v === 'bigint' && v !== 0n ? signed(v) : undefined;
  if (kind === 'bool') return v === 1n;
  if (kind === 'time') {
    if (!Buffer.isBuffer(v)) return undefined;
    const secs = fields(v).get(1)?.[0];
    return typeof secs === 'bigint' ? new Date(signed(secs) * 1000).toISOString().replace(/\.\d+Z$/, 'Z') : undefined;
  }
  // resource.Quantity is a message holding its string form in field 1
  if (kind === 'quantity') return Buffer.isBuffer(v) ? scalar('string', fields(v).get(1)?.[0] ?? Buffer.alloc(0)) : undefined;
  if (kind === 'intOrString') {
    if (!Buffer.isBuffer(v)) return undefined;
    const f = fields(v);
    const type = f.get(1)?.[0] ?? 0n;
    return type === 1n ? scalar('string', f.get(3)?.[0] ?? Buffer.alloc(0)) : scalar('int', f.get(2)?.[0] ?? 0n);
  }
  return Buffer.isBuffer(v) ? decodeMessage(v, kind as Msg) : undefined;
}

function decodeMessage(b: Buffer, schema: Msg): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [num, values] of fields(b)) {
    const entry = schema[num];
    if (!entry) continue;
    const [name, kind] = entry;
    if (typeof kind === 'object' && 'repeated' in kind) {
      out[name] = values.map((v) => scalar(kind.repeated as Kind, v));
    } else if (typeof kind === 'object' && 'map' in kind) {
      const m: Record<string, unknown> = {};
      for (const v of values) {
        if (!Buffer.isBuffer(v)) continue;
        const e = fields(v);
        m[String(scalar('string', e.get(1)?.[0] ?? Buffer.alloc(0)))] = scalar(kind.map as Kind, e.get(2)?.[0] ?? Buffer.alloc(0));
      }
      out[name] = m;
    } else {
      const v = scalar(kind, values[values.length - 1]);
      // proto always carries empty strings and false; JSON's omitempty leaves them out, and defaulting relies on that
      if (v !== undefined && v !== '' && v !== false) out[name] = v;
    }
  }
  return out;
}

const rep = (k: Kind) => ({ repeated: k });
const map = (k: Kind) => ({ map: k });

const ownerReference: Msg = {
  1: ['kind', 'string'],
  3: ['name', 'string'],
  4: ['uid', 'string'],
  5: ['apiVersion', 'string'],
  6: ['controller', 'bool'],
  7: ['blockOwnerDeletion', 'bool'],
};
const objectMeta: Msg = {
  1: ['name', 'string'],
  2: ['generateName', 'string'],
  3: ['namespace', 'string'],
  5: ['uid', 'string'],
  6: ['resourceVersion', 'string'],
  11: ['labels', map('string')],
  12: ['annotations', map('string')],
  13: ['ownerReferences', rep(ownerReference)],
  14: ['finalizers', rep('string')],
};
const labelSelector: Msg = {
  1: ['matchLabels', map('string')],
  2: ['matchExpressions', rep({ 1: ['key', 'string'], 2: ['operator', 'string'], 3: ['values', rep('string')] })],
};
const containerPort: Msg = { 1: ['name', 'string'], 2: ['hostPort', 'int0'], 3: ['containerPort', 'int'], 4: ['protocol', 'string'], 5: ['hostIP', 'string'] };
const envVar: Msg = { 1: ['name', 'string'], 2: ['value', 'string'] };
const resources: Msg = { 1: ['limits', map('quantity')], 2: ['requests', map('quantity')] };
const container: Msg = {
  1: ['name', 'string'],
  2: ['image', 'string'],
  3: ['command', rep('string')],
  4: ['args', rep('string')],
  5: ['workingDir', 'string'],
  6: ['ports', rep(containerPort)],
  7: ['env', rep(envVar)],
  8: ['resources', resources],
  13: ['terminationMessagePath', 'string'],
  14: ['imagePullPolicy', 'string'],
  16: ['stdin', 'bool'],
  17: ['stdinOnce', 'bool'],
  18: ['tty', 'bool'],
  20: ['terminationMessagePolicy', 'string'],
};
const podSpec: Msg = {
  2: ['containers', rep(container)],
  3: ['restartPolicy', 'string'],
  4: ['terminationGracePeriodSeconds', 'int'],
  5: ['activeDeadlineSeconds', 'int'],
  6: ['dnsPolicy', 'string'],
  7: ['nodeSelector', map('string')],
  8: ['serviceAccountName', 'string'],
  10: ['nodeName', 'string'],
  19: ['schedulerName', 'string'],
  20: ['initContainers', rep(container)],
};
const podTemplateSpec: Msg = { 1: ['metadata', objectMeta], 2: ['spec', podSpec] };
const policyRule: Msg = {
  1: ['verbs', rep('string')],
  2: ['apiGroups', rep('string')],
  3: ['resources', rep('string')],
  4: ['resourceNames', rep('string')],
  5: ['nonResourceURLs', rep('string')],
};
const binding: Msg = {
  1: ['metadata', objectMeta],
  2: ['subjects', rep({ 1: ['kind', 'string'], 2: ['apiGroup', 'string'], 3: ['name', 'string'], 4: ['namespace', 'string'] })],
  3: ['roleRef', { 1: ['apiGroup', 'string'], 2: ['kind', 'string'], 3: ['name', 'string'] }],
};
const jobSpec: Msg = {
  1: ['parallelism', 'int'],
  2: ['completions', 'int'],
  3: ['activeDeadlineSeconds', 'int'],
  4: ['selector', labelSelector],
  5: ['manualSelector', 'bool'],
  6: ['template', podTemplateSpec],
  7: ['backoffLimit', 'int'],
  8: ['ttlSecondsAfterFinished', 'int'],
};

const deleteOptions: Msg = {
  1: ['gracePeriodSeconds', 'int'],
  2: ['preconditions', { 1: ['uid', 'string'], 2: ['resourceVersion', 'string'] }],
  4: ['propagationPolicy', 'string'],
  5: ['dryRun', rep('string')],
};

/** by kind: the message schema of the object (field 1 is always metadata) */
const kinds: Record<string, Msg> = {
  Namespace: { 1: ['metadata', objectMeta], 2: ['spec', { 1: ['finalizers', rep('string')] }] },
  ServiceAccount: { 1: ['metadata', objectMeta], 4: ['automountServiceAccountToken', 'bool'] },
  ConfigMap: { 1: ['metadata', objectMeta], 2: ['data', map('string')], 3: ['binaryData', map('bytes')], 4: ['immutable', 'bool'] },
  Secret: { 1: ['metadata', objectMeta], 2: ['data', map('bytes')], 3: ['type', 'string'], 4: ['stringData', map('string')], 5: ['immutable', 'bool'] },
  Role: { 1: ['metadata', objectMeta], 2: ['rules', rep(policyRule)] },
  ClusterRole: { 1: ['metadata', objectMeta], 2: ['rules', rep(policyRule)], 3: ['aggregationRule', { 1: ['clusterRoleSelectors', rep(labelSelector)] }] },
  RoleBinding: binding,
  ClusterRoleBinding: binding,
  Pod: { 1: ['metadata', objectMeta], 2: ['spec', podSpec] },
  Deployment: {
    1: ['metadata', objectMeta],
    2: [
      'spec',
      {
        1: ['replicas', 'int'],
        2: ['selector', labelSelector],
        3: ['template', podTemplateSpec],
        4: ['strategy', { 1: ['type', 'string'], 2: ['rollingUpdate', { 1: ['maxUnavailable', 'intOrString'], 2: ['maxSurge', 'intOrString'] }] }],
        5: ['minReadySeconds', 'int0'],
        6: ['revisionHistoryLimit', 'int'],
        7: ['paused', 'bool'],
        9: ['progressDeadlineSeconds', 'int'],
      },
    ],
  },
  Service: {
    1: ['metadata', objectMeta],
    2: [
      'spec',
      {
        1: ['ports', rep({ 1: ['name', 'string'], 2: ['protocol', 'string'], 3: ['port', 'int'], 4: ['targetPort', 'intOrString'], 5: ['nodePort', 'int0'] })],
        2: ['selector', map('string')],
        3: ['clusterIP', 'string'],
        4: ['type', 'string'],
        5: ['externalIPs', rep('string')],
        7: ['sessionAffinity', 'string'],
        10: ['externalName', 'string'],
      },
    ],
  },
  Job: { 1: ['metadata', objectMeta], 2: ['spec', jobSpec] },
  ResourceQuota: {
    1: ['metadata', objectMeta],
    2: [
      'spec',
      {
        1: ['hard', map('quantity')],
        2: ['scopes', rep('string')],
        3: ['scopeSelector', { 1: ['matchExpressions', rep({ 1: ['scopeName', 'string'], 2: ['operator', 'string'], 3: ['values', rep('string')] })] }],
      },
    ],
  },
  CronJob: {
    1: ['metadata', objectMeta],
    2: [
      'spec',
      {
        1: ['schedule', 'string'],
        2: ['startingDeadlineSeconds', 'int'],
        3: ['concurrencyPolicy', 'string'],
        4: ['suspend', 'bool'],
        5: ['jobTemplate', { 1: ['metadata', objectMeta], 2: ['spec', jobSpec] }],
      },
    ],
  },
  SelfSubjectAccessReview: {
    1: ['metadata', objectMeta],
    2: [
      'spec',
      {
        1: [
          'resourceAttributes',
          {
            1: ['namespace', 'string'],
            2: ['verb', 'string'],
            3: ['group', 'string'],
            4: ['version', 'string'],
            5: ['resource', 'string'],
            6: ['subresource', 'string'],
            7: ['name', 'string'],
          },
        ],
        2: ['nonResourceAttributes', { 1: ['path', 'string'], 2: ['verb', 'string'] }],
      },
    ],
  },
  SelfSubjectRulesReview: { 1: ['metadata', objectMeta], 2: ['spec', { 1: ['namespace', 'string'] }] },
  TokenRequest: {
    1: ['metadata', objectMeta],
    2: [
      'spec',
      {
        1: ['audiences', rep('string')],
        3: ['boundObjectRef', { 1: ['kind', 'string'], 2: ['apiVersion', 'string'], 3: ['name', 'string'], 4: ['uid', 'string'] }],
        4: ['expirationSeconds', 'int'],
      },
    ],
  },
  Eviction: { 1: ['metadata', objectMeta], 2: ['deleteOptions', deleteOptions] },
  DeleteOptions: deleteOptions,
};

/** Decode a protobuf body into its JSON form; kinds not listed above are a 415. */
export function decodeProtobuf(body: Buffer): Record<string, unknown> {
  if (!body.subarray(0, 4).equals(MAGIC)) throw errors.badRequest('invalid protobuf: missing the k8s magic prefix');
  const unknown = fields(body.subarray(4));
  const typeMeta = unknown.get(1)?.[0];
  const tm = Buffer.isBuffer(typeMeta) ? decodeMessage(typeMeta, { 1: ['apiVersion', 'string'], 2: ['kind', 'string'] }) : {};
  const kind = tm.kind as string | undefined;
  const schema = kind ? kinds[kind] : undefined;
  if (!schema) {
    throw errors.unsupportedMediaType(`the body of the request was in an unknown format - accepted media types include: application/json, application/yaml`);
  }
  const raw = unknown.get(2)?.[0];
  const obj = Buffer.isBuffer(raw) ? decodeMessage(raw, schema) : {};
  return { apiVersion: tm.apiVersion, kind, ...obj };
}
