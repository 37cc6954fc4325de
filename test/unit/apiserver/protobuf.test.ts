// Protobuf bodies as client-go sends them: varints read exactly, so a negative int64 (a 10-byte two's complement
// varint) decodes as itself, not as 0; a row per value.
import { describe, expect, it } from 'vitest';
import { decodeProtobuf } from '../../../main/apiserver/protobuf';

/** protobuf wire encoding, just enough to build bodies here (a test's own encoder, not the lab's) */
function varint(v: bigint): Buffer {
  let n = BigInt.asUintN(64, v);
  const out: number[] = [];
  do {
    let byte = Number(n & 0x7fn);
    n >>= 7n;
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return Buffer.from(out);
}
const field = (num: number, wire: 0 | 2, v: bigint | Buffer) =>
  Buffer.concat([varint(BigInt(num * 8 + wire)), wire === 0 ? varint(v as bigint) : Buffer.concat([varint(BigInt((v as Buffer).length)), v as Buffer])]);
const str = (num: number, s: string) => field(num, 2, Buffer.from(s));
const msg = (num: number, ...parts: Buffer[]) => field(num, 2, Buffer.concat(parts));
/** the runtime.Unknown envelope: k8s magic, typeMeta, raw */
const envelope = (apiVersion: string, kind: string, raw: Buffer) =>
  Buffer.concat([Buffer.from([0x6b, 0x38, 0x73, 0x00]), msg(1, str(1, apiVersion), str(2, kind)), field(2, 2, raw)]);

const deployment = (replicas: bigint) => envelope('apps/v1', 'Deployment', Buffer.concat([msg(1, str(1, 'web')), msg(2, field(1, 0, replicas))]));

describe('protobuf int32/int64 fields', () => {
  it.each([
    [0n, 0],
    [1n, 1],
    [300n, 300],
    [2n ** 31n - 1n, 2 ** 31 - 1],
    [2n ** 53n - 1n, Number.MAX_SAFE_INTEGER],
    [-1n, -1],
    [-5n, -5],
    [-300n, -300],
    [-(2n ** 31n), -(2 ** 31)],
    [-(2n ** 53n) + 1n, -Number.MAX_SAFE_INTEGER],
  ])('spec.replicas %s decodes as %s', (wire, want) => {
    expect((decodeProtobuf(deployment(wire)).spec as { replicas: number }).replicas).toBe(want);
  });

  it('a negative grace period in DeleteOptions (kubectl delete --grace-period=-1) stays negative', () => {
    const body = envelope('v1', 'DeleteOptions', field(1, 0, -1n));
    expect(decodeProtobuf(body)).toMatchObject({ kind: 'DeleteOptions', gracePeriodSeconds: -1 });
  });

  it.each([
    ['a truncated varint', Buffer.concat([Buffer.from([0x6b, 0x38, 0x73, 0x00]), Buffer.from([0x0a, 0xff])]), /truncated/],
    [
      'a varint longer than 64 bits',
      Buffer.concat([Buffer.from([0x6b, 0x38, 0x73, 0x00, 0x08]), Buffer.alloc(11, 0xff), Buffer.from([0x01])]),
      /longer than 64 bits/,
    ],
    ['a field longer than the body', Buffer.concat([Buffer.from([0x6b, 0x38, 0x73, 0x00, 0x0a, 0x40, 0x01])]), /truncated field/],
  ])('refuses %s with 400', (_n, body, msg) => {
    expect(() => decodeProtobuf(body)).toThrow(msg);
  });
});
