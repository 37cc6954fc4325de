import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { R } from '../../main/client/types';
import { images } from '../fixtures/env';
import { getPod, podManifest, startHarness, waitFor, type Harness } from './kubelet-harness';

describe('kubectl logs and exec through the kubelet', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await h.client.create(
      R.pods,
      podManifest('talker', h.nodeName, {
        containers: [
          {
            name: 'box',
            image: images.busybox,
            imagePullPolicy: 'IfNotPresent',
            command: ['sh', '-c', 'for i in 1 2 3 4 5; do echo line-$i; done; sleep 0.5; echo to-stderr >&2; exec sleep 3600'],
          },
        ],
      }),
      { namespace: 'default' },
    );
    await waitFor('talker running', async () => (await getPod(h.client, 'talker')).status?.phase === 'Running');
  });
  afterAll(async () => {
    await h?.close();
  });

  it('kubectl exec prints the pod name from /etc/hostname', async () => {
    const r = await h.kubectl(['exec', 'talker', '--', 'cat', '/etc/hostname']);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('talker');
  });

  it('kubectl exec reports the exit code and stderr', async () => {
    const r = await h.kubectl(['exec', 'talker', '--', 'sh', '-c', 'echo oops >&2; exit 3']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('oops');
    expect(r.stderr).toContain('command terminated with exit code 3');
  });

  it('kubectl exec -i passes stdin through', async () => {
    const r = await h.kubectl(['exec', '-i', 'talker', '--', 'sh', '-c', 'wc -l'], { input: 'a\nb\nc\n' });
    expect(r.stdout.trim()).toBe('3');
  });

  it('kubectl logs with tail, timestamps and limit-bytes', async () => {
    await waitFor('all lines logged', async () => (await h.kubectl(['logs', 'talker'])).stdout.includes('to-stderr'));
    const all = await h.kubectl(['logs', 'talker']);
    expect(all.stdout).toBe('line-1\nline-2\nline-3\nline-4\nline-5\nto-stderr\n');
    expect((await h.kubectl(['logs', 'talker', '--tail=2'])).stdout).toBe('line-5\nto-stderr\n');
    const ts = (await h.kubectl(['logs', 'talker', '--timestamps', '--tail=1'])).stdout;
    expect(ts).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z to-stderr\n$/);
    expect((await h.kubectl(['logs', 'talker', '--limit-bytes=9'])).stdout).toBe('line-1\nli');
    expect((await h.kubectl(['logs', 'talker', '--since=1h'])).stdout).toContain('line-1');
  });

  it('kubectl logs errors as upstream', async () => {
    const prev = await h.kubectl(['logs', 'talker', '--previous']);
    expect(prev.code).not.toBe(0);
    expect(prev.stderr).toContain('previous terminated container "box" in pod "talker" not found');
    const bad = await h.kubectl(['logs', 'talker', '-c', 'nope']);
    expect(bad.stderr).toContain('container nope is not valid for pod talker');
  });

  it('kubectl logs -f follows new lines', async () => {
    const id = (await getPod(h.client, 'talker')).status!.containerStatuses![0].containerID!.slice('docker://'.length);
    const follow = h.kubectl(['logs', '-f', 'talker', '--tail=0'], { timeoutMs: 8000 });
    await new Promise((r) => setTimeout(r, 1500));
    await h.runtime.execSync(id, ['sh', '-c', 'echo followed-line > /proc/1/fd/1'], 5000);
    const r = await follow;
    expect(r.stdout).toContain('followed-line');
  });

  it('exec with a TTY over v5.channel.k8s.io: resize applies, Success on channel 3, close 1000', async () => {
    const q = new URLSearchParams([
      ['command', 'sh'],
      ['command', '-c'],
      ['command', 'sleep 1; stty size'],
      ['tty', 'true'],
      ['stdin', 'true'],
      ['stdout', 'true'],
    ]);
    const ws = new WebSocket(`${h.apiUrl.replace('https:', 'wss:')}/api/v1/namespaces/default/pods/talker/exec?${q}`, ['v5.channel.k8s.io'], {
      headers: { Authorization: `Bearer ${h.token}` },
      rejectUnauthorized: false,
    });
    const out: Buffer[] = [];
    let status = '';
    ws.on('open', () => ws.send(Buffer.concat([Buffer.from([4]), Buffer.from(JSON.stringify({ Width: 123, Height: 45 }))])));
    ws.on('message', (d: Buffer) => {
      if (d[0] === 1) out.push(d.subarray(1));
      if (d[0] === 3) status = d.subarray(1).toString();
    });
    const code = await new Promise<number>((r) => ws.on('close', (c) => r(c)));
    expect(ws.protocol).toBe('v5.channel.k8s.io');
    expect(Buffer.concat(out).toString()).toContain('45 123');
    expect(JSON.parse(status)).toMatchObject({ status: 'Success' });
    expect(code).toBe(1000);
  });

  it('exec with a non-zero exit: NonZeroExitCode with the ExitCode cause', async () => {
    const q = new URLSearchParams([
      ['command', 'sh'],
      ['command', '-c'],
      ['command', 'exit 3'],
      ['stdout', 'true'],
      ['stderr', 'true'],
    ]);
    const ws = new WebSocket(`${h.apiUrl.replace('https:', 'wss:')}/api/v1/namespaces/default/pods/talker/exec?${q}`, ['v4.channel.k8s.io'], {
      headers: { Authorization: `Bearer ${h.token}` },
      rejectUnauthorized: false,
    });
    let status = '';
    ws.on('message', (d: Buffer) => {
      if (d[0] === 3) status = d.subarray(1).toString();
    });
    await new Promise((r) => ws.on('close', r));
    expect(ws.protocol).toBe('v4.channel.k8s.io');
    expect(JSON.parse(status)).toMatchObject({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '3' }] } });
  });

  it("kubectl attach -i reaches the container's own stdin and output", async () => {
    await h.client.create(
      R.pods,
      podManifest('reader', h.nodeName, {
        restartPolicy: 'Never',
        containers: [
          { name: 'r', image: images.busybox, imagePullPolicy: 'IfNotPresent', stdin: true, stdinOnce: true, command: ['sh', '-c', 'read x; echo got-$x'] },
        ],
      }),
      { namespace: 'default' },
    );
    await waitFor('reader running', async () => (await getPod(h.client, 'reader')).status?.phase === 'Running');
    const r = await h.kubectl(['attach', '-i', 'reader'], { input: 'hello\n' });
    expect(r.stdout).toContain('got-hello');
  });
});
