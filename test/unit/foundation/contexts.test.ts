import { describe, expect, it, beforeEach, afterEach } from 'vitest';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listDockerContexts, dockerodeOptions, nodeNameFor, selectContexts, probeEngine, dockerFor } from '../../../main/runtime/docker/contexts';

let home: string;
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

async function addContext(name: string, host: string, extra: Record<string, unknown> = {}) {
  const dir = join(home, '.docker', 'contexts', 'meta', sha(name));
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'meta.json'),
    JSON.stringify({ Name: name, Metadata: { Description: `ctx ${name}` }, Endpoints: { docker: { Host: host, ...extra } } }),
  );
}
async function setCurrent(name: string) {
  await mkdir(join(home, '.docker'), { recursive: true });
  await writeFile(join(home, '.docker', 'config.json'), JSON.stringify({ auths: {}, currentContext: name }));
}

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'kubelab-home-'));
});
afterEach(async () => rm(home, { recursive: true, force: true }));

describe('listDockerContexts: which context is current', () => {
  const rows: { name: string; env: NodeJS.ProcessEnv; configCurrent?: string; current: string; defaultHost: string }[] = [
    { name: 'nothing configured', env: {}, current: 'default', defaultHost: 'unix:///var/run/docker.sock' },
    { name: 'config.json currentContext', env: {}, configCurrent: 'remote', current: 'remote', defaultHost: 'unix:///var/run/docker.sock' },
    {
      name: 'DOCKER_HOST wins over config.json',
      env: { DOCKER_HOST: 'tcp://10.0.0.1:2375' },
      configCurrent: 'remote',
      current: 'default',
      defaultHost: 'tcp://10.0.0.1:2375',
    },
    {
      name: 'DOCKER_CONTEXT wins over all',
      env: { DOCKER_CONTEXT: 'node2', DOCKER_HOST: 'unix:///x.sock' },
      configCurrent: 'remote',
      current: 'node2',
      defaultHost: 'unix:///x.sock',
    },
  ];
  for (const row of rows) {
    it(row.name, async () => {
      await addContext('remote', 'tcp://192.0.2.10:2376');
      await addContext('node2', 'unix:///run/docker-n2.sock');
      if (row.configCurrent) await setCurrent(row.configCurrent);
      const list = await listDockerContexts({ env: row.env, home, platform: 'linux' });
      expect(list.map((c) => c.name)).toEqual(['default', 'node2', 'remote']);
      expect(list.filter((c) => c.current).map((c) => c.name)).toEqual([row.current]);
      expect(list[0].host).toBe(row.defaultHost);
    });
  }

  it('reads TLS material of a context from contexts/tls/<sha>/docker', async () => {
    await addContext('secure', 'tcp://192.0.2.20:2376');
    const tlsDir = join(home, '.docker', 'contexts', 'tls', sha('secure'), 'docker');
    await mkdir(tlsDir, { recursive: true });
    await writeFile(join(tlsDir, 'ca.pem'), 'CA');
    await writeFile(join(tlsDir, 'cert.pem'), 'CERT');
    await writeFile(join(tlsDir, 'key.pem'), 'KEY');
    const ctx = (await listDockerContexts({ env: {}, home })).find((c) => c.name === 'secure')!;
    expect(ctx.tls).toEqual({ ca: 'CA', cert: 'CERT', key: 'KEY', verify: true });
    expect(dockerodeOptions(ctx)).toMatchObject({ host: '192.0.2.20', port: 2376, protocol: 'https', ca: 'CA', cert: 'CERT', key: 'KEY' });
  });

  it('honours DOCKER_CONFIG and skips broken meta files', async () => {
    const cfg = join(home, 'elsewhere');
    await mkdir(join(cfg, 'contexts', 'meta', 'broken'), { recursive: true });
    await writeFile(join(cfg, 'contexts', 'meta', 'broken', 'meta.json'), '{not json');
    await mkdir(join(cfg, 'contexts', 'meta', sha('x')), { recursive: true });
    await writeFile(join(cfg, 'contexts', 'meta', sha('x'), 'meta.json'), JSON.stringify({ Name: 'x', Endpoints: { docker: { Host: 'ssh://me@host' } } }));
    const list = await listDockerContexts({ env: { DOCKER_CONFIG: cfg }, home });
    expect(list.map((c) => c.name)).toEqual(['default', 'x']);
  });
});

describe('dockerodeOptions', () => {
  const rows: { host: string; tls?: { verify: boolean }; want: Record<string, unknown> }[] = [
    { host: 'unix:///var/run/docker.sock', want: { socketPath: '/var/run/docker.sock' } },
    { host: 'unix:///run/docker-n2.sock', want: { socketPath: '/run/docker-n2.sock' } },
    { host: 'npipe:////./pipe/docker_engine', want: { socketPath: '//./pipe/docker_engine' } },
    { host: 'tcp://192.0.2.1:2375', want: { host: '192.0.2.1', port: 2375, protocol: 'http' } },
    { host: 'tcp://192.0.2.1:2376', want: { host: '192.0.2.1', port: 2376, protocol: 'https' } },
    { host: 'tcp://192.0.2.1:9999', tls: { verify: false }, want: { host: '192.0.2.1', port: 9999, protocol: 'https', rejectUnauthorized: false } },
    { host: 'ssh://alice@build.example:2222', want: { protocol: 'ssh', host: 'build.example', port: 2222, username: 'alice' } },
    { host: 'ssh://build.example', want: { protocol: 'ssh', host: 'build.example', port: 22 } },
  ];
  for (const row of rows) {
    it(row.host, () => expect(dockerodeOptions({ host: row.host, tls: row.tls })).toMatchObject(row.want));
  }
  it('refuses an unknown scheme with a clear message', () => {
    expect(() => dockerodeOptions({ host: 'fd://3' })).toThrow(/unsupported docker endpoint scheme "fd:"/);
  });
});

describe('nodeNameFor', () => {
  const rows: [string, string][] = [
    ['default', 'default'],
    ['kubelab-node2', 'kubelab-node2'],
    ['Desktop_Linux', 'desktop-linux'],
    ['--odd name!!', 'odd-name'],
    ['___', 'docker'],
  ];
  for (const [ctx, node] of rows) it(`${ctx} -> ${node}`, () => expect(nodeNameFor(ctx)).toBe(node));
});

describe('selectContexts', () => {
  it('defaults to the current context and reports unknown names with the known ones', async () => {
    await addContext('node2', 'unix:///run/docker-n2.sock');
    await setCurrent('node2');
    const probe = async () => ({ reachable: true, version: 'fake' });
    const cur = await selectContexts([], { env: {}, home, probe });
    expect(cur.map((c) => [c.name, c.nodeName, c.reachable])).toEqual([['node2', 'node2', true]]);
    const unknown = await selectContexts(['nope'], { env: {}, home, probe });
    expect(unknown[0]).toMatchObject({ reachable: false, reason: 'no docker context named "nope" (known: default, node2)' });
  });

  it('reports a missing socket as unreachable with the reason (real probe)', async () => {
    const sock = join(home, 'no-such.sock');
    await addContext('gone', `unix://${sock}`);
    const [ctx] = await selectContexts(['gone'], { env: {}, home, timeoutMs: 500 });
    expect(ctx.reachable).toBe(false);
    expect(ctx.reason).toBe(`no Docker engine at ${sock} (socket not found)`);
  });

  it('reports a refused TCP endpoint as unreachable (real probe)', async () => {
    const ctx = { host: 'tcp://127.0.0.1:1' };
    const res = await probeEngine(dockerFor(ctx), ctx, 1000);
    expect(res.reachable).toBe(false);
    expect(res.reason).toMatch(/connection refused at tcp:\/\/127.0.0.1:1/);
  });
});
