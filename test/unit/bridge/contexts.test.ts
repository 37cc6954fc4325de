// Any cluster, the decisions: kubeconfig files merged as kubectl merges them, a context's credentials (token, token
// file, certificate data, insecure, an exec plugin cached until it expires), and a connection switching cluster
// through the one contract (its watches end, what follows goes to the new cluster, a refused switch changes nothing).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { R } from '../../../main/client/types';
import { LAB_CONTEXT, type ContextInfo } from '../../../main/bridge/contract';
import { contextsOf, endpointOf, kubeconfigPaths, mergeKubeconfigs } from '../../../main/bridge/kubeconfig';
import { BridgeServer, type BridgeBackend } from '../../../main/bridge/server';
import type { ContextProvider } from '../../../main/bridge/contexts';
import { fakeBackend } from './fake-backend';
import { connectApi } from './transports';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kubelab-kubeconfig-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const a = `apiVersion: v1
kind: Config
current-context: alpha
clusters:
- { name: c1, cluster: { server: 'https://a.example:6443/', certificate-authority-data: ${Buffer.from('CA-A').toString('base64')} } }
users:
- { name: u1, user: { token: tok-a } }
contexts:
- { name: alpha, context: { cluster: c1, user: u1, namespace: shop } }
- { name: shared, context: { cluster: c1, user: u1 } }
`;
const b = `apiVersion: v1
kind: Config
current-context: beta
clusters:
- { name: c2, cluster: { server: 'https://b.example', insecure-skip-tls-verify: true } }
users:
- { name: u2, user: { client-certificate-data: ${Buffer.from('CERT').toString('base64')}, client-key-data: ${Buffer.from('KEY').toString('base64')} } }
- { name: u3, user: { tokenFile: token.txt } }
contexts:
- { name: beta, context: { cluster: c2, user: u2 } }
- { name: shared, context: { cluster: c2, user: u2 } }
- { name: from-file, context: { cluster: c2, user: u3 } }
`;

describe('kubeconfig as kubectl reads it', () => {
  it('merges files: the first to name a context wins, and the first current-context', () => {
    const k = mergeKubeconfigs([
      { file: '/x/a', text: a },
      { file: '/x/b', text: b },
      { file: '/x/broken', text: ': : :' },
    ]);
    expect(k.currentContext).toBe('alpha');
    expect(contextsOf(k).map((c) => [c.name, c.cluster, c.server])).toEqual([
      ['alpha', 'c1', 'https://a.example:6443/'],
      ['shared', 'c1', 'https://a.example:6443/'],
      ['beta', 'c2', 'https://b.example'],
      ['from-file', 'c2', 'https://b.example'],
    ]);
    expect(k.files).toEqual(['/x/a', '/x/b']);
  });

  it("reads $KUBECONFIG's existing entries, else ~/.kube/config", async () => {
    await writeFile(join(dir, 'a'), a);
    expect(kubeconfigPaths({ KUBECONFIG: `${join(dir, 'a')}:${join(dir, 'missing')}` }, dir)).toEqual([join(dir, 'a')]);
    expect(kubeconfigPaths({}, dir)).toEqual([]);
  });

  it('gives each context its credentials', async () => {
    await writeFile(join(dir, 'token.txt'), 'tok-file\n');
    const k = mergeKubeconfigs([
      { file: join(dir, 'a'), text: a },
      { file: join(dir, 'b'), text: b },
    ]);
    expect(await endpointOf(k, 'alpha')()).toMatchObject({ url: 'https://a.example:6443', token: 'tok-a', ca: 'CA-A', insecureSkipTLSVerify: false });
    expect(await endpointOf(k, 'beta')()).toMatchObject({ url: 'https://b.example', cert: 'CERT', key: 'KEY', insecureSkipTLSVerify: true });
    expect((await endpointOf(k, 'from-file')()).token).toBe('tok-file');
    expect(() => endpointOf(k, 'nope')).toThrow('context "nope" does not exist');
  });

  it('runs an exec credential plugin with KUBERNETES_EXEC_INFO, and again only once its token expires', async () => {
    const script = join(dir, 'plugin.sh');
    const count = join(dir, 'count');
    await writeFile(count, '');
    await writeFile(
      script,
      `#!/bin/sh
echo run >> ${count}
case "$KUBERNETES_EXEC_INFO" in *ExecCredential*) ;; *) echo "no exec info" >&2; exit 1;; esac
echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"'"$PREFIX"'-tok","expirationTimestamp":"'"$EXPIRES"'"}}'
`,
    );
    await chmod(script, 0o755);
    const cfg = (expires: string) =>
      mergeKubeconfigs([
        {
          file: join(dir, 'c'),
          text: `apiVersion: v1
clusters: [{ name: c, cluster: { server: 'https://c.example' } }]
users: [{ name: u, user: { exec: { apiVersion: client.authentication.k8s.io/v1, command: ./plugin.sh, env: [{ name: PREFIX, value: p }, { name: EXPIRES, value: '${expires}' }] } } }]
contexts: [{ name: c, context: { cluster: c, user: u } }]
`,
        },
      ]);
    const later = endpointOf(cfg(new Date(Date.now() + 3600_000).toISOString()), 'c');
    expect((await later()).token).toBe('p-tok');
    await later();
    expect((await readFile(count, 'utf8')).trim().split('\n')).toHaveLength(1);
    const expired = endpointOf(cfg(new Date(Date.now() - 1000).toISOString()), 'c');
    await expired();
    await expired();
    expect((await readFile(count, 'utf8')).trim().split('\n')).toHaveLength(3);
  });

  it('a failing plugin is a 401 with its stderr', async () => {
    const k = mergeKubeconfigs([
      {
        file: join(dir, 'd'),
        text: `clusters: [{ name: c, cluster: { server: 'https://c' } }]
users: [{ name: u, user: { exec: { command: /bin/sh, args: [-c, 'echo token expired, run login >&2; exit 3'] } } }]
contexts: [{ name: c, context: { cluster: c, user: u } }]`,
      },
    ]);
    await expect(endpointOf(k, 'c')()).rejects.toMatchObject({ status: 401, message: 'exec plugin "/bin/sh" failed: token expired, run login' });
  });
});

/** Two clusters for one connection: the lab and "other" (named fakes), behind a provider like ClusterContexts. */
function twoClusters() {
  const lab = fakeBackend();
  const other = fakeBackend();
  other.setStatus({ phase: 'STARTED', external: { context: 'other', server: 'https://other' } });
  const contexts: ContextProvider = {
    list: (): ContextInfo[] => [
      { id: LAB_CONTEXT, name: 'kubelab', lab: true },
      { id: 'kubeconfig:other', name: 'other' },
      { id: 'kubeconfig:down', name: 'down' },
    ],
    async backend(id): Promise<BridgeBackend> {
      if (id === LAB_CONTEXT) return lab.backend;
      if (id === 'kubeconfig:other') return other.backend;
      throw Object.assign(new Error('cannot reach https://down: connect ECONNREFUSED'), { code: 503, reason: 'ServiceUnavailable' });
    },
  };
  return { lab, other, server: new BridgeServer(lab.backend, { contexts }) };
}

describe.each(['direct', 'websocket'] as const)('switching cluster over the %s transport', (mode) => {
  it('lists, switches, ends the old watches, and sends what follows to the new cluster', async () => {
    const { lab, other, server } = twoClusters();
    lab.objects.set('/pods/default/mine', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'mine', namespace: 'default' } });
    other.objects.set('/pods/default/theirs', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'theirs', namespace: 'default' } });
    const { api, close } = await connectApi(server, mode);
    try {
      expect(await api.contexts.list()).toMatchObject({ current: 'lab', contexts: [{ id: 'lab' }, { id: 'kubeconfig:other' }, { id: 'kubeconfig:down' }] });
      const stop = await api.watch({ ref: { group: '', version: 'v1', resource: 'pods' } }, { onEvents: () => undefined });
      await expect.poll(() => lab.watcherCount()).toBe(1);
      // sent together: the list after the switch must already see the other cluster
      const [status, list] = await Promise.all([api.contexts.use('kubeconfig:other'), api.api.list({ ref: { group: '', version: 'v1', resource: 'pods' } })]);
      expect(status.external).toEqual({ context: 'other', server: 'https://other' });
      expect(list.items.map((p) => p.metadata.name)).toEqual(['theirs']);
      expect(lab.watcherCount()).toBe(0);
      expect((await api.cluster.status()).external?.context).toBe('other');
      expect((await api.contexts.list()).current).toBe('kubeconfig:other');
      await stop();
    } finally {
      await close();
    }
  });

  it('a cluster that does not answer is refused with why, and the connection stays where it was', async () => {
    const { server } = twoClusters();
    const { api, close } = await connectApi(server, mode);
    try {
      await expect(api.contexts.use('kubeconfig:down')).rejects.toMatchObject({ status: 503, message: 'cannot reach https://down: connect ECONNREFUSED' });
      expect((await api.contexts.list()).current).toBe('lab');
      expect((await api.cluster.status()).external).toBeUndefined();
      expect((await api.api.list({ ref: { group: '', version: 'v1', resource: R.pods.resource } })).items).toEqual([]);
    } finally {
      await close();
    }
  });
});
