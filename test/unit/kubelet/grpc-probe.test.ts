// The grpc probe's client side against a real HTTP/2 server on 127.0.0.1 that speaks grpc.health.v1 (the
// responses are hand-framed here as a gRPC server sends them); messages are the kubelet's (pkg/probe/grpc).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { grpcHealthRequest, grpcHealthStatus, probeNetwork } from '../../../main/runtime/docker/net-probes';

/** HealthCheckResponse{status} framed as one gRPC message. */
const response = (status: number) => Buffer.from([0, 0, 0, 0, 2, 0x08, status]);

let server: http2.Http2Server;
let port: number;
const seen: string[] = [];

beforeAll(async () => {
  server = http2.createServer();
  server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (d: Buffer) => chunks.push(d));
    stream.on('end', () => {
      const body = Buffer.concat(chunks);
      const service = body.length > 7 ? body.subarray(7).toString('utf8') : '';
      seen.push(`${headers[':path']} ${service} ${headers['user-agent']}`);
      if (service === 'missing') {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '12', 'grpc-message': 'unknown service grpc.health.v1.Health' }));
        return stream.end();
      }
      if (service === 'slow') return; // never answers
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      stream.end(response(service === 'down' ? 2 : 1));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
});

describe('grpc probe', () => {
  it('encodes HealthCheckRequest and decodes HealthCheckResponse', () => {
    expect([...grpcHealthRequest('')]).toEqual([0, 0, 0, 0, 0]);
    expect([...grpcHealthRequest('ab')]).toEqual([0, 0, 0, 0, 4, 0x0a, 2, 0x61, 0x62]);
    expect(grpcHealthStatus(response(1))).toBe(1);
    expect(grpcHealthStatus(Buffer.from([0, 0, 0, 0, 0]))).toBe(0);
  });

  it.each([
    ['', { ok: true, message: 'service healthy' }],
    ['down', { ok: false, message: 'service unhealthy (responded with "NOT_SERVING")' }],
    [
      'missing',
      { ok: false, message: 'error: this server does not implement the grpc health protocol (grpc.health.v1.Health): unknown service grpc.health.v1.Health' },
    ],
  ])('service %j', async (service, want) => {
    expect(await probeNetwork('127.0.0.1', { grpc: { port, service } }, 2000)).toEqual(want);
    expect(seen.at(-1)).toBe(`/grpc.health.v1.Health/Check ${service} kube-probe/1.32`);
  });

  it('a server that does not answer within the timeout', async () => {
    expect(await probeNetwork('127.0.0.1', { grpc: { port, service: 'slow' } }, 300)).toEqual({
      ok: false,
      message: 'timeout: health rpc did not complete within 300ms',
    });
  });

  it('nothing listening', async () => {
    const r = await probeNetwork('127.0.0.1', { grpc: { port: 1 } }, 1000);
    expect(r).toEqual({ ok: false, message: 'error: failed to connect service at "127.0.0.1:1": dial tcp 127.0.0.1:1: connect: connection refused' });
  });
});
