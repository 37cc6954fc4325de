// Authentication and RBAC as kubectl users meet them: can-i, a service account token from
// `kubectl create token`, bound to `view`: it reads, and is Forbidden to write.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type TestApi } from './harness';

describe('kubectl with RBAC', () => {
  let t: TestApi;
  let readerConfig: string;
  beforeAll(async () => {
    t = await startApi();
    for (const args of [
      ['create', 'serviceaccount', 'reader'],
      ['create', 'rolebinding', 'reader-view', '--clusterrole=view', '--serviceaccount=default:reader'],
      ['run', 'web', '--image=nginx:1.14.2'],
    ]) {
      const r = await t.kubectl(args);
      expect(r.code, r.stderr).toBe(0);
    }
    const token = await t.kubectl(['create', 'token', 'reader']);
    expect(token.code, token.stderr).toBe(0);
    const cfg = parse(readFileSync(t.kubeconfig, 'utf8'));
    cfg.users = [{ name: 'reader', user: { token: token.stdout.trim() } }];
    cfg.contexts[0].context.user = 'reader';
    readerConfig = join(t.dir, 'reader.kubeconfig');
    await writeFile(readerConfig, stringify(cfg), { mode: 0o600 });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('answers can-i for the admin and for a service account', async () => {
    expect((await t.kubectl(['auth', 'can-i', 'create', 'deployments.apps'])).stdout).toBe('yes\n');
    expect((await t.kubectl(['auth', 'can-i', 'list', 'pods'], { kubeconfig: readerConfig })).stdout).toBe('yes\n');
    const no = await t.kubectl(['auth', 'can-i', 'delete', 'pods'], { kubeconfig: readerConfig });
    expect(no.stdout).toBe('no\n');
    expect(no.code).not.toBe(0);
  });

  it('lets a service account bound to view read', async () => {
    const r = await t.kubectl(['get', 'pods', '-o', 'name'], { kubeconfig: readerConfig });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('pod/web\n');
  });

  it('refuses its writes with the upstream Forbidden message', async () => {
    const r = await t.kubectl(['delete', 'pod', 'web'], { kubeconfig: readerConfig });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(
      'Error from server (Forbidden): pods "web" is forbidden: User "system:serviceaccount:default:reader" cannot delete resource "pods" in API group "" in the namespace "default"',
    );
    const c = await t.kubectl(['create', 'configmap', 'x', '--from-literal=a=b'], { kubeconfig: readerConfig });
    expect(c.stderr).toContain(
      'configmaps is forbidden: User "system:serviceaccount:default:reader" cannot create resource "configmaps" in API group "" in the namespace "default"',
    );
    const secrets = await t.kubectl(['get', 'secrets'], { kubeconfig: readerConfig });
    expect(secrets.stderr).toContain('cannot list resource "secrets" in API group "" in the namespace "default"');
  });

  it('impersonates with --as (admin may), and lists rules with can-i --list', async () => {
    const as = '--as=system:serviceaccount:default:reader';
    expect((await t.kubectl(['auth', 'can-i', 'watch', 'deployments.apps', as])).stdout).toBe('yes\n');
    expect((await t.kubectl(['auth', 'can-i', 'create', 'pods', as])).stdout).toBe('no\n');
    const list = await t.kubectl(['auth', 'can-i', '--list'], { kubeconfig: readerConfig });
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/^pods\s+\[\]\s+\[\]\s+\[get list watch\]$/m);
    expect(list.stdout).not.toMatch(/^secrets\s/m);
    const jane = await t.kubectl(['get', 'pods', '--as=jane']);
    expect(jane.stderr).toContain('pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "default"');
    const reader = await t.kubectl(['get', 'pods', '--as=jane'], { kubeconfig: readerConfig });
    expect(reader.stderr).toContain(
      'users "jane" is forbidden: User "system:serviceaccount:default:reader" cannot impersonate resource "users" in API group "" at the cluster scope',
    );
  });

  it('refuses the token once the service account is gone', async () => {
    expect((await t.kubectl(['delete', 'serviceaccount', 'reader'])).code).toBe(0);
    const r = await t.kubectl(['get', 'pods'], { kubeconfig: readerConfig });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Unauthorized');
  });
});
