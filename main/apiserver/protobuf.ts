// Just enough Kubernetes protobuf to read the few request bodies kubectl's typed clients send
// that way (`kubectl auth can-i`: SelfSubjectAccessReview, `kubectl create token`: TokenRequest,
// `kubectl drain`: Eviction). Responses are JSON, which client-go decodes by Content-Type.
import { errors } from '../api/errors';

export const PROTOBUF = 'application/vnd.kubernetes.protobuf';
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

type Fields = Map<number, (Buffer | number)[]>;

function readVarint(b: Buffer, pos: number): [number, number] {
  let result = 0;
  let shift = 0;
  for (;;) {
    if (pos >= b.length) throw errors.badRequest('invalid protobuf: truncated varint');
    const byte = b[pos++];
    result += (byte & 0x7f) * 2 ** shift;
    if (!(byte & 0x80)) return [result, pos];
    shift += 7;
  }
}

function fields(b: Buffer): Fields {
  const out: Fields = new Map();
  let pos = 0;
  while (pos < b.length) {
    const [tag, p1] = readVarint(b, pos);
    pos = p1;
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    let value: Buffer | number;
    if (wire === 0) [value, pos] = readVarint(b, pos);
    else if (wire === 2) {
      const [len, p2] = readVarint(b, pos);
      value = b.subarray(p2, p2 + len);
      pos = p2 + len;
    } else if (wire === 1) { value = Number(b.readBigUInt64LE(pos)); pos += 8; }
    else if (wire === 5) { value = b.readUInt32LE(pos); pos += 4; }
    else throw errors.badRequest(`invalid protobuf: wire type ${wire}`);
    if (!out.has(field)) out.set(field, []);
    out.get(field)!.push(value);
  }
  return out;
}

const str = (f: Fields, n: number) => { const v = f.get(n)?.[0]; return Buffer.isBuffer(v) ? v.toString('utf8') : undefined; };
const strs = (f: Fields, n: number) => (f.get(n) ?? []).filter(Buffer.isBuffer).map((v) => (v as Buffer).toString('utf8'));
const num = (f: Fields, n: number) => { const v = f.get(n)?.[0]; return typeof v === 'number' ? v : undefined; };
const msg = (f: Fields, n: number) => { const v = f.get(n)?.[0]; return Buffer.isBuffer(v) ? fields(v) : undefined; };
const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== ''));

function objectMeta(f: Fields | undefined) {
  return f ? defined({ name: str(f, 1), generateName: str(f, 2), namespace: str(f, 3) }) : {};
}

/** Decode a protobuf body of the kinds above into its JSON form; anything else is a 415. */
export function decodeProtobuf(body: Buffer): Record<string, unknown> {
  if (!body.subarray(0, 4).equals(MAGIC)) throw errors.badRequest('invalid protobuf: missing the k8s magic prefix');
  const unknown = fields(body.subarray(4));
  const typeMeta = msg(unknown, 1);
  const apiVersion = typeMeta ? str(typeMeta, 1) : undefined;
  const kind = typeMeta ? str(typeMeta, 2) : undefined;
  const raw = msg(unknown, 2) ?? new Map();
  switch (kind) {
    case 'SelfSubjectAccessReview': {
      const spec = msg(raw, 2);
      const ra = spec && msg(spec, 1);
      const nra = spec && msg(spec, 2);
      return {
        apiVersion, kind, metadata: objectMeta(msg(raw, 1)),
        spec: defined({
          resourceAttributes: ra ? defined({ namespace: str(ra, 1), verb: str(ra, 2), group: str(ra, 3), version: str(ra, 4), resource: str(ra, 5), subresource: str(ra, 6), name: str(ra, 7) }) : undefined,
          nonResourceAttributes: nra ? defined({ path: str(nra, 1), verb: str(nra, 2) }) : undefined,
        }),
      };
    }
    case 'TokenRequest': {
      const spec = msg(raw, 2);
      return {
        apiVersion, kind, metadata: objectMeta(msg(raw, 1)),
        spec: spec ? defined({ audiences: strs(spec, 1), expirationSeconds: num(spec, 4) }) : {},
      };
    }
    case 'Eviction': {
      const del = msg(raw, 2);
      return {
        apiVersion, kind, metadata: objectMeta(msg(raw, 1)),
        ...(del ? { deleteOptions: defined({ gracePeriodSeconds: num(del, 1), propagationPolicy: str(del, 6) }) } : {}),
      };
    }
    default:
      throw errors.unsupportedMediaType(`the body of the request was in an unknown format - accepted media types include: application/json, application/yaml`);
  }
}
