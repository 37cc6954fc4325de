// `kubectl get` in its output forms, selectors, watch, and the editing verbs on pods.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type TestApi } from './harness';

const pod = (name: string, labels: Record<string, string> = {}, ns = 'default') =>
  JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, labels }, spec: { containers: [{ name: 'web', image: 'nginx:1.14.2' }] } });

describe('kubectl get and friends', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startApi();
    for (const [name, labels, ns] of [
      ['web-1', { app: 'web' }, 'default'],
      ['web-2', { app: 'web', tier: 'front' }, 'default'],
      ['db-1', { app: 'db' }, 'kube-system'],
    ] as const) {
      const r = await t.kubectl(['create', '-f', '-'], { input: pod(name, labels, ns) });
      expect(r.code, r.stderr).toBe(0);
    }
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('prints the pod table with upstream columns, and more with -o wide', async () => {
    const r = await t.kubectl(['get', 'pods']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0].split(/\s{2,}/)).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    expect(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 4))).toEqual([
      ['web-1', '0/1', 'Pending', '0'],
      ['web-2', '0/1', 'Pending', '0'],
    ]);
    const wide = await t.kubectl(['get', 'pods', '-o', 'wide']);
    expect(wide.stdout.split('\n')[0].split(/\s{2,}/)).toEqual([
      'NAME',
      'READY',
      'STATUS',
      'RESTARTS',
      'AGE',
      'IP',
      'NODE',
      'NOMINATED NODE',
      'READINESS GATES',
    ]);
  });

  it('prints yaml, json, jsonpath and names', async () => {
    const y = await t.kubectl(['get', 'pod', 'web-1', '-o', 'yaml']);
    expect(y.stdout).toContain('kind: Pod\n');
    expect(y.stdout).toMatch(/resourceVersion: "\d+"/);
    const j = JSON.parse((await t.kubectl(['get', 'pods', '-o', 'json'])).stdout);
    expect(j).toMatchObject({ kind: 'List', items: [{ metadata: { name: 'web-1' } }, { metadata: { name: 'web-2' } }] });
    const jp = await t.kubectl(['get', 'pods', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.spec.containers[0].image} {end}']);
    expect(jp.stdout).toBe('web-1=nginx:1.14.2 web-2=nginx:1.14.2 ');
    const names = await t.kubectl(['get', 'pods', '-o', 'name']);
    expect(names.stdout).toBe('pod/web-1\npod/web-2\n');
  });

  it('selects by labels, shows them, lists all namespaces, selects by fields', async () => {
    const l = await t.kubectl(['get', 'pods', '-l', 'tier=front', '-o', 'name']);
    expect(l.stdout).toBe('pod/web-2\n');
    const notin = await t.kubectl(['get', 'pods', '-A', '-l', 'app notin (web)', '-o', 'name']);
    expect(notin.stdout).toBe('pod/db-1\n');
    const show = await t.kubectl(['get', 'pod', 'web-2', '--show-labels']);
    expect(show.stdout).toMatch(/LABELS\nweb-2 .* app=web,tier=front\n$/);
    const all = await t.kubectl(['get', 'pods', '-A']);
    expect(all.stdout.split('\n')[0]).toMatch(/^NAMESPACE\s+NAME\s+READY/);
    expect(all.stdout).toMatch(/kube-system\s+db-1/);
    const f = await t.kubectl(['get', 'pods', '-A', '--field-selector', 'metadata.namespace=kube-system,status.phase=Pending', '-o', 'name']);
    expect(f.stdout).toBe('pod/db-1\n');
    const bad = await t.kubectl(['get', 'pods', '--field-selector', 'spec.color=red']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('field label not supported: spec.color');
  });

  it('labels, annotates and patches with all three patch types', async () => {
    expect((await t.kubectl(['label', 'pod', 'web-1', 'stage=dev'])).stdout).toBe('pod/web-1 labeled\n');
    expect((await t.kubectl(['annotate', 'pod', 'web-1', 'note=hello'])).stdout).toBe('pod/web-1 annotated\n');
    const s = await t.kubectl(['patch', 'pod', 'web-1', '-p', '{"spec":{"containers":[{"name":"web","image":"nginx:1.16"}]}}']);
    expect(s.stdout).toBe('pod/web-1 patched\n');
    const m = await t.kubectl(['patch', 'pod', 'web-1', '--type=merge', '-p', '{"metadata":{"labels":{"stage":null,"merged":"yes"}}}']);
    expect(m.code, m.stderr).toBe(0);
    const j = await t.kubectl(['patch', 'pod', 'web-1', '--type=json', '-p', '[{"op":"add","path":"/metadata/annotations/json","value":"yes"}]']);
    expect(j.code, j.stderr).toBe(0);
    const got = JSON.parse((await t.kubectl(['get', 'pod', 'web-1', '-o', 'json'])).stdout);
    expect(got.spec.containers[0].image).toBe('nginx:1.16');
    expect(got.metadata.labels).toEqual({ app: 'web', merged: 'yes' });
    expect(got.metadata.annotations).toEqual({ note: 'hello', json: 'yes' });
    const unchanged = await t.kubectl(['label', 'pod', 'web-1', 'app=web', '--overwrite']);
    expect(unchanged.stdout).toBe('pod/web-1 not labeled\n');
  });

  it('explains fields from the OpenAPI documents', async () => {
    const r = await t.kubectl(['explain', 'pods.spec.containers.image']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('KIND:       Pod');
    expect(r.stdout).toContain('FIELD: image <string>');
    const ios = await t.kubectl(['explain', 'deployment.spec.strategy.rollingUpdate.maxSurge']);
    expect(ios.stdout).toContain('FIELD: maxSurge <IntOrString>');
    const q = await t.kubectl(['explain', 'pods.spec.containers.resources']);
    expect(q.stdout).toMatch(/limits\s+<map\[string\]Quantity>/);
  });

  it('answers auth can-i from RBAC', async () => {
    expect((await t.kubectl(['auth', 'can-i', 'delete', 'pods'])).stdout).toBe('yes\n');
  });

  it('shows changes live with get -w', async () => {
    const child = spawn('/usr/bin/kubectl', ['get', 'pods', '-w', '-l', 'app=web', `--cache-dir=${join(t.dir, 'cache')}`], {
      env: { ...process.env, KUBECONFIG: t.kubeconfig, HOME: t.dir },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await expect.poll(() => out, { timeout: 20_000 }).toMatch(/web-2/);
      expect((await t.kubectl(['create', '-f', '-'], { input: pod('web-3', { app: 'web' }) })).code).toBe(0);
      await expect.poll(() => out, { timeout: 20_000 }).toMatch(/web-3\s+0\/1\s+Pending/);
      expect((await t.kubectl(['label', 'pod', 'web-3', 'app=gone', '--overwrite'])).code).toBe(0);
      expect((await t.kubectl(['label', 'pod', 'web-1', 'seen=yes'])).code).toBe(0);
      await expect.poll(() => out.split('\n').filter((l) => l.startsWith('web-1')).length, { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
    } finally {
      child.kill();
    }
  });

  it('selects events by the object they are about, and describe shows them', async () => {
    const uid = (await t.kubectl(['get', 'pod', 'web-2', '-o', 'jsonpath={.metadata.uid}'])).stdout;
    const event = (name: string, pod: string, podUid: string, reason: string, message: string) =>
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace: 'default' },
        involvedObject: { kind: 'Pod', namespace: 'default', name: pod, uid: podUid, apiVersion: 'v1' },
        reason,
        message,
        type: 'Normal',
        count: 1,
        source: { component: 'default-scheduler' },
        firstTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        lastTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      });
    expect(
      (await t.kubectl(['create', '-f', '-'], { input: event('web-2.1', 'web-2', uid, 'Scheduled', 'Successfully assigned default/web-2 to node1') })).code,
    ).toBe(0);
    expect((await t.kubectl(['create', '-f', '-'], { input: event('web-1.1', 'web-1', 'other', 'Pulling', 'Pulling image "nginx"') })).code).toBe(0);
    const r = await t.kubectl(['get', 'events', '--field-selector', 'involvedObject.name=web-2']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Normal\s+Scheduled\s+pod\/web-2\s+Successfully assigned default\/web-2 to node1/);
    expect(r.stdout).not.toContain('Pulling');
    const d = await t.kubectl(['describe', 'pod', 'web-2']);
    expect(d.code, d.stderr).toBe(0);
    expect(d.stdout).toMatch(/Events:[\s\S]*Scheduled[\s\S]*Successfully assigned default\/web-2 to node1/);
  });

  it('deletes and then reports NotFound', async () => {
    const d = await t.kubectl(['delete', 'pod', 'web-3']);
    expect(d.stdout).toBe('pod "web-3" deleted\n');
    const g = await t.kubectl(['get', 'pod', 'web-3']);
    expect(g.code).not.toBe(0);
    expect(g.stderr).toContain('Error from server (NotFound): pods "web-3" not found');
  });
});
