// A stream that fails never takes the lab down: the container removed mid-exec, the client's socket destroyed
// mid-stream, frames on unknown channels, broken WebSocket frames, a connection reset during the upgrade.
// Each time kubectl (or the raw client) gets a Status or a closed stream, and the same serve process goes on
// serving; test/fixtures/serve.ts fails the suite if serve logged an unhandled rejection meanwhile.
import { spawn } from 'node:child_process';
import Docker from 'dockerode';
import { request as httpsRequest } from 'node:https';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { KubeObject } from '../../main/api/object';
import { images, kubectlPath, mainSocket } from '../fixtures/env';
import { startServe, type Serve } from '../fixtures/serve';
import { watchServe } from '../fixtures/watch';

const docker = new Docker({ socketPath: mainSocket });
let lab: Serve;

const pod = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: {
    terminationGracePeriodSeconds: 0,
    containers: [
      {
        name: 'box',
        image: images.busybox,
        imagePullPolicy: 'IfNotPresent',
        command: ['sh', '-c', 'i=0; while true; do echo tick-$i; i=$((i+1)); sleep 0.05; done'],
      },
    ],
  },
});

type PodJson = { status?: { containerStatuses?: { ready?: boolean; containerID?: string }[] } } & KubeObject;

/** The pod's container once ready (another one than `not`: the one the kubelet made after a removal). */
async function ready(name: string, not?: string): Promise<string> {
  const p = await watchServe<PodJson>(
    lab,
    '/api/v1/namespaces/default/pods',
    `${name} ready`,
    (o) => {
      const cs = o.status?.containerStatuses?.[0];
      return cs?.ready === true && cs.containerID !== `docker://${not}`;
    },
    { name, timeoutMs: 90_000 },
  );
  return p.status!.containerStatuses![0].containerID!.replace('docker://', '');
}

/** A TLS connection to the API that sent an upgrade request for path and read the 101; `tcp` is the socket under it. */
async function upgraded(path: string, headers: string): Promise<{ tls: TLSSocket; tcp: Socket }> {
  const url = new URL(lab.api);
  const tcp = netConnect({ host: url.hostname, port: Number(url.port) });
  const tls = tlsConnect({ socket: tcp, rejectUnauthorized: false });
  tls.on('error', () => {});
  tcp.on('error', () => {});
  await new Promise((r) => tls.once('secureConnect', r));
  tls.write(`GET ${path} HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${lab.adminToken()}\r\n${headers}\r\n`);
  return { tls, tcp };
}

const wsHeaders = (protocol: string) =>
  `Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${Buffer.from('0123456789abcdef').toString('base64')}\r\nSec-WebSocket-Protocol: ${protocol}\r\n`;

function execSocket(name: string, command: string[], extra: [string, string][] = []): WebSocket {
  const q = new URLSearchParams([...command.map((c) => ['command', c] as [string, string]), ['stdout', 'true'], ['stderr', 'true'], ...extra]);
  return new WebSocket(`${lab.api.replace('https:', 'wss:')}/api/v1/namespaces/default/pods/${name}/exec?${q}`, ['v5.channel.k8s.io'], {
    headers: { Authorization: `Bearer ${lab.adminToken()}` },
    rejectUnauthorized: false,
  });
}

/** The lab answers, and runs a fresh exec to the end. */
async function stillServing(): Promise<void> {
  const r = await lab.kubectl(['exec', 'steady', '--', 'echo', 'alive']);
  expect(r.stderr).toBe('');
  expect(r.stdout).toBe('alive\n');
  expect(lab.process.exitCode).toBeNull();
}

beforeAll(async () => {
  lab = await startServe({ nodes: ['default'], timeoutMs: 90_000 });
  for (const n of ['steady', 'victim']) expect((await lab.kubectl(['apply', '-f', '-'], { input: JSON.stringify(pod(n)) })).code).toBe(0);
  await Promise.all([ready('steady'), ready('victim')]);
}, 120_000);

afterAll(async () => {
  await lab?.stop();
});

describe('exec, attach, logs and port-forward streams that fail', () => {
  it('the container removed mid-exec: kubectl gets a Status, the lab goes on', async () => {
    const id = await ready('victim');
    const ws = execSocket('victim', ['sh', '-c', 'echo started; sleep 60'], [['stdin', 'true']]);
    let status = '';
    const started = new Promise<void>((r) =>
      ws.on('message', (d: Buffer) => {
        if (d[0] === 1 && d.includes('started')) r();
        if (d[0] === 3) status = d.subarray(1).toString();
      }),
    );
    const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
    await started;
    await docker.getContainer(id).remove({ force: true }); // the lab's own container, made for this test
    expect(await closed).toBe(1000);
    expect(JSON.parse(status), status).toMatchObject({ status: 'Failure' });
    await ready('victim', id);
    await stillServing();
  });

  it('kubectl exec into a container removed while it runs prints an error and exits non-zero', async () => {
    const id = await ready('victim');
    const kubectl = spawn(kubectlPath, ['exec', 'victim', '--', 'sh', '-c', 'echo started; sleep 60'], { env: { ...process.env, KUBECONFIG: lab.kubeconfig } });
    let stderr = '';
    kubectl.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exec = new Promise<{ code: number | null; stderr: string }>((r) => kubectl.once('exit', (code) => r({ code, stderr })));
    await new Promise<void>((r) => kubectl.stdout.on('data', (d: Buffer) => d.includes('started') && r()));
    await docker.getContainer(id).remove({ force: true });
    const r = await exec;
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/error|terminated/i);
    await ready('victim', id);
    await stillServing();
  });

  it('the client socket destroyed mid-output, for exec and for a log follow', async () => {
    const ws = execSocket('steady', ['sh', '-c', 'while true; do echo flood; done']);
    await new Promise<void>((r) => ws.once('message', () => r()));
    (ws as unknown as { _socket: import('node:net').Socket })._socket.destroy();
    await new Promise((r) => ws.once('close', r));

    const follow = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
      const req = httpsRequest(
        new URL('/api/v1/namespaces/default/pods/steady/log?follow=true', lab.api),
        { rejectUnauthorized: false, headers: { authorization: `Bearer ${lab.adminToken()}` } },
        resolve,
      );
      req.on('error', reject);
      req.end();
    });
    await new Promise<void>((r) => follow.once('data', () => r()));
    follow.socket.destroy();
    await stillServing();
  });

  it('frames on unknown channels are ignored; the exec still ends with Success', async () => {
    const ws = execSocket('steady', ['sh', '-c', 'read x; echo got-$x'], [['stdin', 'true']]);
    const out: Buffer[] = [];
    let status = '';
    ws.on('message', (d: Buffer) => {
      if (d[0] === 1) out.push(d.subarray(1));
      if (d[0] === 3) status = d.subarray(1).toString();
    });
    await new Promise((r) => ws.once('open', r));
    for (const channel of [9, 42, 200, 3, 1]) ws.send(Buffer.concat([Buffer.from([channel]), Buffer.from('junk')]));
    ws.send(Buffer.from([4, ...Buffer.from('not json')])); // a resize frame that is no JSON
    ws.send(Buffer.alloc(0));
    ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('hello\n')]));
    await new Promise((r) => ws.once('close', r));
    expect(Buffer.concat(out).toString()).toBe('got-hello\n');
    expect(JSON.parse(status)).toMatchObject({ status: 'Success' });
    await stillServing();
  });

  it('a broken WebSocket frame (unmasked, as no client may send) ends that stream only', async () => {
    for (const [path, protocol] of [
      ['exec?command=sleep&command=30&stdout=true', 'v5.channel.k8s.io'],
      ['portforward?ports=80', 'SPDY/3.1+portforward.k8s.io'],
    ]) {
      const { tls } = await upgraded(`/api/v1/namespaces/default/pods/steady/${path}`, wsHeaders(protocol));
      const reply = await new Promise<string>((r) => tls.once('data', (d: Buffer) => r(d.toString())));
      expect(reply, path).toContain('101 Switching Protocols');
      // a binary frame without the mask bit, then garbage
      tls.write(Buffer.from([0x82, 0x03, 0x00, 0x01, 0x02, 0xff, 0xff, 0xff]));
      await new Promise((r) => tls.once('close', r));
    }
    await stillServing();
  });

  it('a connection reset while the server looks the pod up for an upgrade', async () => {
    for (const sub of ['exec?command=true&stdout=true', 'attach?stdout=true', 'portforward?ports=80']) {
      const { tls, tcp } = await upgraded(`/api/v1/namespaces/default/pods/steady/${sub}`, wsHeaders('v5.channel.k8s.io, SPDY/3.1+portforward.k8s.io'));
      await new Promise<void>((r) => tls.write('', () => r()));
      tcp.resetAndDestroy();
    }
    await stillServing();
  });

  it('plain SPDY port-forward with garbage frames closes that session only', async () => {
    const url = new URL(lab.api);
    await new Promise<void>((done) => {
      const s = tlsConnect({ host: url.hostname, port: Number(url.port), rejectUnauthorized: false }, () => {
        s.write(
          `POST /api/v1/namespaces/default/pods/steady/portforward HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${lab.adminToken()}\r\n` +
            `Connection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: portforward.k8s.io\r\nContent-Length: 0\r\n\r\n`,
        );
      });
      let replied = false;
      s.on('data', (d: Buffer) => {
        if (replied) return;
        replied = true;
        expect(d.toString()).toContain('101 Switching Protocols');
        // a SYN_STREAM too short for its stream id, a control frame of an unknown type, then a lone data frame
        s.write(Buffer.from([0x80, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00]));
        s.write(Buffer.from([0x80, 0x03, 0x00, 0x63, 0x00, 0x00, 0x00, 0x00]));
        s.write(Buffer.from([0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x01, 0x61]));
      });
      s.on('close', () => done());
      s.on('error', () => done());
    });
    await stillServing();
  });
});
