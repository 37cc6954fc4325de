// `kubelab serve --expose-ports`: without it a NodePort Service listens on 127.0.0.1 only (nothing on the network can
// reach it); with it, on every interface. What a user sees with `ss -ltn` once the lab's proxy says it listens.
import { execFile } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { startServe, type Serve } from '../fixtures/serve';

let lab: Serve | undefined;
afterEach(async () => {
  await lab?.stop();
  lab = undefined;
});

const listening = (port: number) =>
  new Promise<string>((resolve, reject) => execFile('ss', ['-ltnH', `sport = :${port}`], (err, stdout) => (err ? reject(err) : resolve(stdout))));

/** creates a NodePort Service and resolves with the local address its port listens on, once the lab's log says it listens */
async function nodePortAddress(l: Serve): Promise<string> {
  const nodePort = 30000 + Math.floor(Math.random() * 2700);
  const heard = new Promise<void>((resolve) => {
    const seen = () => {
      if (!/NodePort listening/.test(l.logs()) || !l.logs().includes(`:${nodePort}`)) return;
      l.process.stderr!.off('data', seen);
      resolve();
    };
    l.process.stderr!.on('data', seen);
  });
  const r = await l.kubectl(['create', 'service', 'nodeport', 'web', '--tcp=80:8080', `--node-port=${nodePort}`]);
  expect(r.code, r.stderr).toBe(0);
  await heard;
  const lines = (await listening(nodePort)).trim().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0].trim().split(/\s+/)[3];
}

describe('NodePort exposure', () => {
  it('listens on 127.0.0.1 only by default', async () => {
    lab = await startServe({ virtualNodes: 1, nodes: ['kubelab-no-such-context'] });
    expect(await nodePortAddress(lab)).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it('listens on every interface with --expose-ports', async () => {
    lab = await startServe({ virtualNodes: 1, nodes: ['kubelab-no-such-context'], args: ['--expose-ports'] });
    expect(await nodePortAddress(lab)).toMatch(/^0\.0\.0\.0:\d+$/);
  });
});
