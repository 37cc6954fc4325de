// ResourceQuota through kubectl: admission reads quotas from a cache, and a quota just created is enforced at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServe, type Serve } from '../fixtures/serve';

let lab: Serve;
beforeAll(async () => {
  // a virtual node is enough: admission is the point, not the containers
  lab = await startServe({ env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock', DOCKER_CONTEXT: '' } });
});
afterAll(async () => {
  expect(await lab?.stop()).toBe(0);
});

describe('kubectl and ResourceQuota', () => {
  it('a quota created after pods already ran is enforced on the next pod, and lifted when deleted', async () => {
    const ok = async (args: string[]) => {
      const r = await lab.kubectl(args);
      expect(r.code, r.stderr).toBe(0);
      return r;
    };
    await ok(['create', 'namespace', 'q1']);
    await ok(['run', 'a', '-n', 'q1', '--image=busybox', '--restart=Never', '--', 'sleep', '60']);
    await ok(['create', 'quota', 'q', '-n', 'q1', '--hard=pods=1']);
    const refused = await lab.kubectl(['run', 'b', '-n', 'q1', '--image=busybox', '--restart=Never', '--', 'sleep', '60']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('pods "b" is forbidden: exceeded quota: q, requested: pods=1, used: pods=1, limited: pods=1');
    await ok(['delete', 'quota', 'q', '-n', 'q1']);
    await ok(['run', 'c', '-n', 'q1', '--image=busybox', '--restart=Never', '--', 'sleep', '60']);
  });
});
