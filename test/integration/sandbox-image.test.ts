import { describe, expect, it, afterAll } from 'vitest';
import Docker from 'dockerode';
import { ensureSandboxImage, pauseBinaryPath } from '../../main/runtime/docker/sandbox-image';
import { mainSocket } from '../fixtures/env';
import { existsSync } from 'node:fs';

const docker = new Docker({ socketPath: mainSocket });
const runId = `${process.pid}-${Date.now()}`;
const label = { 'io.kubelab.test': `sandbox-image-${runId}` };
// A test-only tag, so the test never removes an image the lab itself uses.
const image = `kubelab-test/pause:it-${runId}`;

afterAll(async () => {
  const own = await docker.listContainers({ all: true, filters: { label: [`io.kubelab.test=sandbox-image-${runId}`] } });
  await Promise.all(own.map((c) => docker.getContainer(c.Id).remove({ force: true })));
  await docker
    .getImage(image)
    .remove({ force: true })
    .catch(() => {});
});

describe('sandbox image', () => {
  it('has a static pause binary built for this machine', () => {
    expect(existsSync(pauseBinaryPath('amd64')) || existsSync(pauseBinaryPath('arm64'))).toBe(true);
  });

  it('is imported into the engine from our binary (offline), and reused', async () => {
    const name = await ensureSandboxImage(docker, { image });
    expect(name).toBe(image);
    const info = await docker.getImage(image).inspect();
    expect(info.Config.Cmd).toEqual(['/pause']);
    expect(info.Config.Labels).toMatchObject({ 'kubelab.io/component': 'sandbox' });
    // concurrent callers share one attempt, and a second call finds it present
    const again = await Promise.all([ensureSandboxImage(docker, { image }), ensureSandboxImage(docker, { image })]);
    expect(again).toEqual([image, image]);
    expect((await docker.getImage(image).inspect()).Id).toBe(info.Id);
  });

  it('runs a sandbox container that stays up and stops on SIGTERM with exit code 0', async () => {
    const c = await docker.createContainer({ Image: image, Labels: label, HostConfig: { AutoRemove: false } });
    await c.start();
    await expect.poll(async () => (await c.inspect()).State.Running, { timeout: 10_000 }).toBe(true);
    expect((await c.inspect()).State.Pid).toBeGreaterThan(0);
    const t0 = Date.now();
    await c.stop({ t: 10 });
    const state = (await c.inspect()).State;
    expect(state.Running).toBe(false);
    expect(state.ExitCode).toBe(0);
    // SIGTERM ends it at once; a pause that ignored it would take the full 10 s grace period
    expect(Date.now() - t0).toBeLessThan(5000);
    await c.remove({ force: true });
  });

  it('holds the binary at /pause, which reports its version', async () => {
    const c = await docker.createContainer({ Image: image, Labels: label });
    await c.start();
    const exec = await c.exec({ Cmd: ['/pause', '--version'], AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({});
    let out = '';
    stream.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise((r) => stream.on('end', r));
    expect(out).toContain('kubelab pause');
    expect((await exec.inspect()).ExitCode).toBe(0);
    await c.remove({ force: true });
  });
});
