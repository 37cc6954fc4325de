// `kubectl create -f` the seeds' pod, and the refusals users meet first: each exits non-zero.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { startApi, type TestApi } from './harness';

const podYaml = fileURLToPath(new URL('./manifests/pod.yaml', import.meta.url));
const pod = (name: string, container: string) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  containers:\n  - name: c\n${container}`;

describe('kubectl create', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startApi();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('creates the seed pod, then refuses it again as AlreadyExists', async () => {
    const first = await t.kubectl(['create', '-f', podYaml]);
    expect(first).toMatchObject({ code: 0, stdout: 'pod/nginx-pod created\n' });
    const again = await t.kubectl(['create', '-f', podYaml]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain(`Error from server (AlreadyExists): error when creating "${podYaml}": pods "nginx-pod" already exists`);
  });

  it('refuses a container without an image', async () => {
    const r = await t.kubectl(['create', '-f', '-'], { input: pod('noimage', '') });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('The Pod "noimage" is invalid: spec.containers[0].image: Required value');
  });

  it('refuses an uppercase name with the RFC 1123 message', async () => {
    const r = await t.kubectl(['create', '-f', '-'], { input: pod('Nginx-Pod', '    image: nginx\n') });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(
      `The Pod "Nginx-Pod" is invalid: metadata.name: Invalid value: "Nginx-Pod": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
    );
  });

  it('refuses an unknown field on the server (kubectl validates through OpenAPI fieldValidation)', async () => {
    const r = await t.kubectl(['create', '-f', '-'], { input: pod('unknown', '    image: nginx\n    imagePolicy: Always\n') });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.containers[0].imagePolicy"');
    const warn = await t.kubectl(['create', '--validate=warn', '-f', '-'], { input: pod('warned', '    image: nginx\n    imagePolicy: Always\n') });
    expect(warn.code).toBe(0);
    expect(warn.stderr).toContain('unknown field "spec.containers[0].imagePolicy"');
  });

  it('refuses a malformed body with 400 and an oversized one with 413', async () => {
    const big = pod('big', `    image: nginx\n    args: ["${'x'.repeat(3 * 1024 * 1024)}"]\n`);
    const r = await t.kubectl(['create', '--validate=false', '-f', '-'], { input: big });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Request entity too large|RequestEntityTooLarge/);
    const res = await t.request('POST', '/api/v1/namespaces/default/pods', '{nope');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'BadRequest', code: 400 });
  });

  it('names pods from generateName', async () => {
    const r = await t.kubectl(['create', '-f', '-'], {
      input: 'apiVersion: v1\nkind: Pod\nmetadata:\n  generateName: gen-\nspec:\n  containers:\n  - name: c\n    image: nginx\n',
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^pod\/gen-[a-z0-9]{5} created\n$/);
  });

  it('answers 401 to a wrong token', async () => {
    const r = await t.kubectl(['get', 'pods', '--token=wrong']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('error: You must be logged in to the server (Unauthorized)');
  });
});
