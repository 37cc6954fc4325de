// `kubectl apply` of a set (namespace, configmap, deployment, service): created, unchanged, configured;
// server-side apply with conflicts; scale through the scale subresource.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type TestApi } from './harness';

const setYaml = readFileSync(fileURLToPath(new URL('./manifests/app-set.yaml', import.meta.url)), 'utf8');

describe('kubectl apply', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startApi();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('creates the set, then leaves it unchanged, then configures what changed', async () => {
    const created = await t.kubectl(['apply', '-f', '-'], { input: setYaml });
    expect(created.stderr).toBe('');
    expect(created.stdout).toBe('namespace/shop created\nconfigmap/shop-config created\ndeployment.apps/shop-web created\nservice/shop-web created\n');
    const again = await t.kubectl(['apply', '-f', '-'], { input: setYaml });
    expect(again.stdout).toBe('namespace/shop unchanged\nconfigmap/shop-config unchanged\ndeployment.apps/shop-web unchanged\nservice/shop-web unchanged\n');
    const edited = setYaml.replace('greeting: hello', 'greeting: bonjour').replace('image: nginx:1.14.2', 'image: nginx:1.16.0');
    const configured = await t.kubectl(['apply', '-f', '-'], { input: edited });
    expect(configured.stdout).toBe(
      'namespace/shop unchanged\nconfigmap/shop-config configured\ndeployment.apps/shop-web configured\nservice/shop-web unchanged\n',
    );
    const image = await t.kubectl([
      'get',
      'deploy',
      'shop-web',
      '-n',
      'shop',
      '-o',
      'jsonpath={.spec.template.spec.containers[0].image} {.metadata.generation}',
    ]);
    expect(image.stdout).toBe('nginx:1.16.0 2');
    const cm = await t.kubectl(['get', 'configmap', 'shop-config', '-n', 'shop', '-o', 'jsonpath={.data.greeting}']);
    expect(cm.stdout).toBe('bonjour');
  });

  it('applies server-side, reports conflicts with another manager, and forces them', async () => {
    const cm = (v: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\n  namespace: shop\ndata:\n  key: ${v}\n`;
    expect((await t.kubectl(['apply', '--server-side', '-f', '-'], { input: cm('one') })).stdout).toBe('configmap/ssa serverside-applied\n');
    expect((await t.kubectl(['apply', '--server-side', '-f', '-'], { input: cm('one') })).stdout).toBe('configmap/ssa serverside-applied\n');
    const conflict = await t.kubectl(['apply', '--server-side', '--field-manager=other', '-f', '-'], { input: cm('two') });
    expect(conflict.code).not.toBe(0);
    expect(conflict.stderr).toContain('Apply failed with 1 conflict: conflict with "kubectl" using v1: .data.key');
    const forced = await t.kubectl(['apply', '--server-side', '--field-manager=other', '--force-conflicts', '-f', '-'], { input: cm('two') });
    expect(forced.code, forced.stderr).toBe(0);
    const got = JSON.parse((await t.kubectl(['get', 'cm', 'ssa', '-n', 'shop', '-o', 'json', '--show-managed-fields'])).stdout);
    expect(got.data).toEqual({ key: 'two' });
    expect(got.metadata.managedFields.map((m: { manager: string }) => m.manager)).toEqual(['other']);
  });

  it('switches a client-side applied object to server-side apply without conflicts', async () => {
    const edited = setYaml.replace('replicas: 2', 'replicas: 3');
    const r = await t.kubectl(['apply', '--server-side', '-f', '-'], { input: edited });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('deployment.apps/shop-web serverside-applied');
  });

  it('scales through the scale subresource', async () => {
    const r = await t.kubectl(['scale', 'deployment', 'shop-web', '-n', 'shop', '--replicas=5']);
    expect(r.stdout).toBe('deployment.apps/shop-web scaled\n');
    const got = await t.kubectl(['get', 'deploy', 'shop-web', '-n', 'shop', '-o', 'jsonpath={.spec.replicas}']);
    expect(got.stdout).toBe('5');
  });

  it('deletes the namespace and everything in it', async () => {
    const r = await t.kubectl(['delete', 'namespace', 'shop', '--timeout=60s']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('namespace "shop" deleted\n');
    const left = await t.kubectl(['get', 'all', '-n', 'shop', '-o', 'name']);
    expect(left.stdout).toBe('');
    const ns = await t.kubectl(['get', 'ns', 'shop']);
    expect(ns.stderr).toContain('namespaces "shop" not found');
  });
});
