// `kubectl create <kind>` and `expose` send protobuf bodies through client-go's typed clients;
// the seeds' `kubectl create deployment` must work like the YAML path.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type TestApi } from './harness';

describe('kubectl create <kind> (protobuf bodies)', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startApi();
  });
  afterAll(async () => {
    await t?.stop();
  });

  const json = async (args: string[]) => {
    const r = await t.kubectl([...args, '-o', 'json']);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout);
  };

  it('creates a deployment with its defaults', async () => {
    const r = await t.kubectl(['create', 'deployment', 'nginx', '--image=nginx:1.14.2', '--replicas=2', '--port=80']);
    expect(r).toMatchObject({ code: 0, stdout: 'deployment.apps/nginx created\n' });
    const d = await json(['get', 'deploy', 'nginx']);
    expect(d.spec).toMatchObject({
      replicas: 2,
      selector: { matchLabels: { app: 'nginx' } },
      strategy: { type: 'RollingUpdate' },
      template: {
        metadata: { labels: { app: 'nginx' } },
        spec: { containers: [{ name: 'nginx', image: 'nginx:1.14.2', ports: [{ containerPort: 80, protocol: 'TCP' }] }] },
      },
    });
    expect(d.spec.template.spec.containers[0].ports[0].hostPort).toBeUndefined();
  });

  it('refuses a negative replica count sent as protobuf (a 10-byte varint) with the field path, as upstream', async () => {
    const r = await t.kubectl(['create', 'deployment', 'neg', '--image=busybox', '--replicas=-5']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('spec.replicas: Invalid value: -5: must be greater than or equal to 0');
    expect((await t.kubectl(['get', 'deploy', 'neg'])).stderr).toContain('"neg" not found');
  });

  it('creates services, configmaps, secrets, namespaces, jobs and service accounts', async () => {
    for (const [args, out] of [
      [['create', 'service', 'clusterip', 'web', '--tcp=80:8080'], 'service/web created\n'],
      [['create', 'configmap', 'settings', '--from-literal=color=blue'], 'configmap/settings created\n'],
      [['create', 'secret', 'generic', 'creds', '--from-literal=password=s3cret'], 'secret/creds created\n'],
      [['create', 'namespace', 'team-a'], 'namespace/team-a created\n'],
      [['create', 'job', 'once', '--image=busybox', '--', 'echo', 'hi'], 'job.batch/once created\n'],
      [['create', 'serviceaccount', 'robot'], 'serviceaccount/robot created\n'],
      [['create', 'role', 'reader', '--verb=get,list', '--resource=pods'], 'role.rbac.authorization.k8s.io/reader created\n'],
      [
        ['create', 'rolebinding', 'robot-reads', '--role=reader', '--serviceaccount=default:robot'],
        'rolebinding.rbac.authorization.k8s.io/robot-reads created\n',
      ],
    ] as const) {
      const r = await t.kubectl([...args]);
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe(out);
    }
    expect((await json(['get', 'svc', 'web'])).spec.ports).toEqual([{ name: '80-8080', port: 80, protocol: 'TCP', targetPort: 8080 }]);
    expect((await json(['get', 'cm', 'settings'])).data).toEqual({ color: 'blue' });
    expect((await json(['get', 'secret', 'creds'])).data).toEqual({ password: Buffer.from('s3cret').toString('base64') });
    expect((await json(['get', 'job', 'once'])).spec.template.spec.containers[0].command).toEqual(['echo', 'hi']);
    expect((await json(['get', 'rolebinding', 'robot-reads'])).subjects).toMatchObject([{ kind: 'ServiceAccount', name: 'robot', namespace: 'default' }]);
    expect((await json(['get', 'role', 'reader'])).rules).toEqual([{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }]);
  });

  it('exposes a deployment as a service', async () => {
    const r = await t.kubectl(['expose', 'deployment', 'nginx', '--port=80']);
    expect(r.stdout).toBe('service/nginx exposed\n');
    expect((await json(['get', 'svc', 'nginx'])).spec.selector).toEqual({ app: 'nginx' });
  });
});
