import { describe, expect, it } from 'vitest';
import { errors } from '../../../main/api/errors';
import type { KubeObject } from '../../../main/api/object';
import { strategies, strategyFor } from '../../../main/apiserver/registry';
import { cronScheduleError } from '../../../main/api/cron-schedule';
import { formatEndpoints } from '../../../main/apiserver/registry/endpoints';
import type { ResourceStrategy, StrategyContext } from '../../../main/apiserver/registry/types';
import { inServiceCIDR } from '../../../main/proxy/allocator';
import { R } from '../../../main/client/types';

const now = new Date('2026-01-01T01:00:00Z');
const ctx: StrategyContext = { user: { username: 'admin', groups: [] }, operation: 'create', now };
const meta = (name: string, namespace?: string) => ({
  name,
  ...(namespace ? { namespace } : {}),
  uid: `uid-${name}`,
  creationTimestamp: '2026-01-01T00:00:00Z',
});
const template = (labels: Record<string, string>, restartPolicy?: string) => ({
  metadata: { labels },
  spec: { ...(restartPolicy ? { restartPolicy } : {}), containers: [{ name: 'web', image: 'nginx:1.25' }] },
});

/** A valid object of each kind, as a user would write it. */
const samples: Record<string, () => KubeObject> = {
  namespaces: () => ({ metadata: meta('team-a') }),
  pods: () => ({ metadata: meta('web', 'default'), spec: template({}).spec }),
  nodes: () => ({ metadata: meta('node-1'), status: { conditions: [{ type: 'Ready', status: 'True' }], nodeInfo: { kubeletVersion: 'v1.32.4' } } }),
  events: () => ({
    metadata: meta('web.1', 'default'),
    involvedObject: { kind: 'Pod', name: 'web', namespace: 'default' },
    reason: 'Scheduled',
    type: 'Normal',
    message: 'ok',
    lastTimestamp: '2026-01-01T00:59:00Z',
    count: 1,
  }),
  services: () => ({ metadata: meta('web', 'default'), spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } }),
  endpoints: () => ({ metadata: meta('web', 'default'), subsets: [{ addresses: [{ ip: '10.1.0.4' }], ports: [{ port: 80 }] }] }),
  configmaps: () => ({ metadata: meta('cfg', 'default'), data: { 'app.conf': 'x=1' } }),
  secrets: () => ({ metadata: meta('s', 'default'), stringData: { password: 'hunter2' } }),
  serviceaccounts: () => ({ metadata: meta('builder', 'default') }),
  resourcequotas: () => ({ metadata: meta('q', 'default'), spec: { hard: { pods: '10', 'requests.cpu': '2' } } }),
  limitranges: () => ({
    metadata: meta('lr', 'default'),
    spec: { limits: [{ type: 'Container', default: { cpu: '500m' }, defaultRequest: { cpu: '100m' } }] },
  }),
  deployments: () => ({ metadata: meta('web', 'default'), spec: { selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }) } }),
  replicasets: () => ({ metadata: meta('web-abc', 'default'), spec: { selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }) } }),
  daemonsets: () => ({ metadata: meta('agent', 'default'), spec: { selector: { matchLabels: { app: 'agent' } }, template: template({ app: 'agent' }) } }),
  controllerrevisions: () => ({ metadata: meta('agent-1', 'default'), data: {}, revision: 1 }),
  jobs: () => ({ metadata: meta('pi', 'default'), spec: { template: template({}, 'Never') } }),
  cronjobs: () => ({ metadata: meta('tick', 'default'), spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: template({}, 'OnFailure') } } } }),
  leases: () => ({ metadata: meta('node-1', 'kube-node-lease'), spec: { holderIdentity: 'node-1', leaseDurationSeconds: 40 } }),
  roles: () => ({ metadata: meta('reader', 'default'), rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] }),
  clusterroles: () => ({ metadata: meta('reader'), rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] }),
  rolebindings: () => ({
    metadata: meta('rb', 'default'),
    roleRef: { kind: 'ClusterRole', name: 'view' },
    subjects: [
      { kind: 'ServiceAccount', name: 'builder', namespace: 'default' },
      { kind: 'User', name: 'jane' },
    ],
  }),
  clusterrolebindings: () => ({ metadata: meta('crb'), roleRef: { kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'Group', name: 'devs' }] }),
};

function create(s: ResourceStrategy, obj: KubeObject) {
  s.prepareForCreate?.(obj, ctx);
  s.defaults?.(obj);
  return s.validate?.(obj, ctx) ?? [];
}

function createMessage(resource: string, group: string, obj: KubeObject): string {
  const s = strategyFor(group, resource)!;
  const errs = create(s, obj);
  return errs.length ? errors.invalid(s.kind, s.group || undefined, obj.metadata.name ?? '', errs).message : '';
}

describe('every strategy', () => {
  it('covers the resources of the brief', () => {
    expect(strategies.map((s) => s.resource)).toEqual(expect.arrayContaining(Object.keys(samples)));
    const short = Object.fromEntries(strategies.filter((s) => s.shortNames).map((s) => [s.resource, s.shortNames]));
    expect(short).toMatchObject({
      pods: ['po'],
      services: ['svc'],
      deployments: ['deploy'],
      replicasets: ['rs'],
      daemonsets: ['ds'],
      namespaces: ['ns'],
      nodes: ['no'],
      events: ['ev'],
      configmaps: ['cm'],
      endpoints: ['ep'],
      serviceaccounts: ['sa'],
      resourcequotas: ['quota'],
      limitranges: ['limits'],
      cronjobs: ['cj'],
    });
    expect(
      strategies
        .filter((s) => s.categories?.includes('all') && s.resource in samples)
        .map((s) => s.resource)
        .sort(),
    ).toEqual(['cronjobs', 'daemonsets', 'deployments', 'jobs', 'pods', 'replicasets', 'services']);
  });

  const core = strategies.filter((s) => s.resource in samples);
  it.each(core.map((s) => [s.resource, s] as const))('%s: a valid sample creates cleanly and prints a full row', (resource, s) => {
    const obj = samples[resource]();
    expect(create(s, obj)).toEqual([]);
    expect(s.schema?.['x-kubernetes-group-version-kind']).toEqual([{ group: s.group, version: s.version, kind: s.kind }]);
    if (s.tableColumns) expect(s.tableRow!(obj, now)).toHaveLength(s.tableColumns.length);
    const again = structuredClone(obj);
    s.prepareForUpdate?.(again, obj, { ...ctx, operation: 'update' });
    s.defaults?.(again);
    expect(s.validateUpdate?.(again, obj, { ...ctx, operation: 'update' }) ?? []).toEqual([]);
  });
});

describe('defaults', () => {
  it('deployment', () => {
    const d = samples.deployments();
    create(strategyFor('apps', 'deployments')!, d);
    expect(d.spec).toMatchObject({
      replicas: 1,
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
    });
    expect((d.spec as any).template.spec).toMatchObject({ restartPolicy: 'Always', dnsPolicy: 'ClusterFirst' });
    expect(d.metadata.generation).toBe(1);
  });

  it('job: counts, generated selector and labels', () => {
    const j = samples.jobs();
    create(strategyFor('batch', 'jobs')!, j);
    const spec = j.spec as any;
    expect(spec).toMatchObject({
      completions: 1,
      parallelism: 1,
      backoffLimit: 6,
      completionMode: 'NonIndexed',
      suspend: false,
      podReplacementPolicy: 'TerminatingOrFailed',
    });
    expect(spec.selector).toEqual({ matchLabels: { 'batch.kubernetes.io/controller-uid': 'uid-pi' } });
    expect(spec.template.metadata.labels).toEqual({
      'batch.kubernetes.io/controller-uid': 'uid-pi',
      'batch.kubernetes.io/job-name': 'pi',
      'controller-uid': 'uid-pi',
      'job-name': 'pi',
    });
  });

  it('service: ClusterIP, targetPort, allocated IP kept on update', () => {
    const s = strategyFor('', 'services')!;
    const svc = samples.services();
    create(s, svc);
    const spec = svc.spec as any;
    expect(spec).toMatchObject({
      type: 'ClusterIP',
      sessionAffinity: 'None',
      ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
    });
    // upstream's default service CIDR, 10.96.0.0/12
    expect(inServiceCIDR(spec.clusterIP)).toBe(true);
    expect(spec.clusterIPs).toEqual([spec.clusterIP]);
    const replaced = samples.services();
    s.prepareForUpdate!(replaced, svc, ctx);
    expect((replaced.spec as any).clusterIP).toBe(spec.clusterIP);
    (replaced.spec as any).clusterIP = '10.96.9.9';
    (replaced.spec as any).clusterIPs = ['10.96.9.9'];
    expect(s.validateUpdate!(replaced, svc, ctx).map((e) => `${e.field}: ${e.message}`)).toEqual([
      'spec.clusterIPs[0]: Invalid value: ["10.96.9.9"]: may not change once set',
    ]);
  });

  it('secret: stringData becomes base64 data', () => {
    const sec = samples.secrets();
    create(strategyFor('', 'secrets')!, sec);
    expect(sec.data).toEqual({ password: Buffer.from('hunter2').toString('base64') });
    expect(sec.stringData).toBeUndefined();
    expect(sec.type).toBe('Opaque');
  });

  it('namespace: Active, finalizer, name label', () => {
    const ns = samples.namespaces();
    create(strategyFor('', 'namespaces')!, ns);
    expect(ns.status).toEqual({ phase: 'Active' });
    expect(ns.spec).toEqual({ finalizers: ['kubernetes'] });
    expect(ns.metadata.labels).toEqual({ 'kubernetes.io/metadata.name': 'team-a' });
  });
});

describe('validation messages', () => {
  it.each([
    [
      'deployment selector mismatch',
      'deployments',
      'apps',
      () => ({ ...samples.deployments(), spec: { selector: { matchLabels: { app: 'api' } }, template: template({ app: 'web' }) } }),
      'Deployment.apps "web" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
    ],
    [
      'deployment without selector',
      'deployments',
      'apps',
      () => ({ ...samples.deployments(), spec: { template: template({ app: 'web' }) } }),
      'Deployment.apps "web" is invalid: spec.selector: Required value',
    ],
    [
      'deployment restartPolicy',
      'deployments',
      'apps',
      () => ({ ...samples.deployments(), spec: { selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }, 'Never') } }),
      'Deployment.apps "web" is invalid: spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
    ],
    [
      'deployment zero surge and unavailable',
      'deployments',
      'apps',
      () => ({
        ...samples.deployments(),
        spec: { ...(samples.deployments().spec as object), strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } } },
      }),
      'Deployment.apps "web" is invalid: spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0',
    ],
    [
      'negative replicas',
      'replicasets',
      'apps',
      () => ({ ...samples.replicasets(), spec: { ...(samples.replicasets().spec as object), replicas: -1 } }),
      'ReplicaSet.apps "web-abc" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0',
    ],
    [
      'job with Always',
      'jobs',
      'batch',
      () => ({ ...samples.jobs(), spec: { template: template({}) } }),
      'Job.batch "pi" is invalid: spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"',
    ],
    [
      'cron schedule',
      'cronjobs',
      'batch',
      () => ({ ...samples.cronjobs(), spec: { ...(samples.cronjobs().spec as object), schedule: 'every minute' } }),
      'CronJob.batch "tick" is invalid: spec.schedule: Invalid value: "every minute": expected exactly 5 fields, found 2: [every minute]',
    ],
    [
      'cron unknown time zone',
      'cronjobs',
      'batch',
      () => ({ ...samples.cronjobs(), spec: { ...(samples.cronjobs().spec as object), timeZone: 'Mars/Olympus_Mons' } }),
      'CronJob.batch "tick" is invalid: spec.timeZone: Invalid value: "Mars/Olympus_Mons": unknown time zone Mars/Olympus_Mons',
    ],
    [
      'service without ports',
      'services',
      '',
      () => ({ metadata: meta('web', 'default'), spec: { selector: { app: 'web' } } }),
      'Service "web" is invalid: spec.ports: Required value',
    ],
    [
      'service name starting with a digit',
      'services',
      '',
      () => ({ metadata: meta('1web', 'default'), spec: { ports: [{ port: 80 }] } }),
      `Service "1web" is invalid: metadata.name: Invalid value: "1web": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
    ],
    [
      'two unnamed service ports',
      'services',
      '',
      () => ({ metadata: meta('web', 'default'), spec: { ports: [{ port: 80 }, { port: 443 }] } }),
      'Service "web" is invalid: [spec.ports[0].name: Required value, spec.ports[1].name: Required value]',
    ],
    [
      'bad service type',
      'services',
      '',
      () => ({ metadata: meta('web', 'default'), spec: { type: 'Magic', ports: [{ port: 80 }] } }),
      'Service "web" is invalid: spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
    ],
    [
      'role without verbs',
      'roles',
      'rbac.authorization.k8s.io',
      () => ({ metadata: meta('r', 'default'), rules: [{ apiGroups: [''], resources: ['pods'] }] }),
      'Role.rbac.authorization.k8s.io "r" is invalid: rules[0].verbs: Required value: verbs must contain at least one value',
    ],
    [
      'binding subject kind',
      'rolebindings',
      'rbac.authorization.k8s.io',
      () => ({ metadata: meta('rb', 'default'), roleRef: { kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'Robot', name: 'r2' }] }),
      'RoleBinding.rbac.authorization.k8s.io "rb" is invalid: subjects[0].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"',
    ],
    [
      'namespace name',
      'namespaces',
      '',
      () => ({ metadata: meta('Team.A') }),
      `Namespace "Team.A" is invalid: metadata.name: Invalid value: "Team.A": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
    ],
    [
      'limit range min over max',
      'limitranges',
      '',
      () => ({ metadata: meta('lr', 'default'), spec: { limits: [{ type: 'Container', min: { cpu: '2' }, max: { cpu: '1' } }] } }),
      'LimitRange "lr" is invalid: [spec.limits[0].min[cpu]: Invalid value: "2": min value 2 is greater than max value 1, spec.limits[0].min[cpu]: Invalid value: "2": min value 2 is greater than default request value 1, spec.limits[0].min[cpu]: Invalid value: "2": min value 2 is greater than default value 1]',
    ],
    [
      'configmap key',
      'configmaps',
      '',
      () => ({ metadata: meta('cfg', 'default'), data: { 'a/b': 'x' } }),
      `ConfigMap "cfg" is invalid: data: Invalid value: "a/b": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
    ],
  ])('%s', (_, resource, group, make, want) => {
    expect(createMessage(resource, group, make() as KubeObject)).toBe(want);
  });

  it('deployment selector is immutable; a spec change bumps generation', () => {
    const s = strategyFor('apps', 'deployments')!;
    const d = samples.deployments();
    create(s, d);
    const next = structuredClone(d);
    (next.spec as any).replicas = 3;
    s.prepareForUpdate!(next, d, ctx);
    expect(next.metadata.generation).toBe(2);
    const sel = structuredClone(next);
    (sel.spec as any).selector = { matchLabels: { app: 'web', v: '2' } };
    (sel.spec as any).template.metadata.labels.v = '2';
    expect(s.validateUpdate!(sel, d, ctx).map((e) => e.field)).toEqual(['spec.selector']);
    const replaced = samples.deployments();
    (replaced.spec as any).replicas = 3;
    s.prepareForUpdate!(replaced, next, ctx);
    expect(replaced.metadata.generation).toBe(2);
    const labelsOnly = structuredClone(next);
    labelsOnly.metadata.labels = { team: 'a' };
    s.prepareForUpdate!(labelsOnly, next, ctx);
    expect(labelsOnly.metadata.generation).toBe(2);
  });
});

describe('table cells', () => {
  const row = (resource: string, group: string, obj: KubeObject) => strategyFor(group, resource)!.tableRow!(obj, now);

  it('deployments: READY UP-TO-DATE AVAILABLE', () => {
    const d = samples.deployments();
    create(strategyFor('apps', 'deployments')!, d);
    (d.spec as any).replicas = 3;
    d.status = { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 };
    expect(row('deployments', 'apps', d)).toEqual(['web', '2/3', 3, 2, '60m', 'web', 'nginx:1.25', 'app=web']);
  });

  it('services: TYPE CLUSTER-IP EXTERNAL-IP PORT(S)', () => {
    const svc = {
      metadata: meta('web', 'default'),
      spec: {
        type: 'NodePort',
        clusterIP: '10.96.0.20',
        ports: [
          { port: 80, nodePort: 30080, protocol: 'TCP' },
          { port: 53, protocol: 'UDP' },
        ],
        selector: { app: 'web', tier: 'fe' },
      },
    };
    expect(row('services', '', svc)).toEqual(['web', 'NodePort', '10.96.0.20', '<none>', '80:30080/TCP,53/UDP', '60m', 'app=web,tier=fe']);
    const lb = { metadata: meta('lb', 'default'), spec: { type: 'LoadBalancer', clusterIP: '10.96.0.21', ports: [{ port: 80, protocol: 'TCP' }] } };
    expect(row('services', '', lb)[3]).toBe('<pending>');
  });

  it('nodes: STATUS ROLES VERSION and wide', () => {
    const n = {
      metadata: { ...meta('node-1'), labels: { 'node-role.kubernetes.io/control-plane': '' } },
      spec: { unschedulable: true },
      status: {
        conditions: [{ type: 'Ready', status: 'False' }],
        addresses: [{ type: 'InternalIP', address: '172.17.0.1' }],
        nodeInfo: { kubeletVersion: 'v1.32.4', osImage: 'Debian GNU/Linux 12', kernelVersion: '6.1.0', containerRuntimeVersion: 'docker://24.0.0' },
      },
    };
    expect(row('nodes', '', n)).toEqual([
      'node-1',
      'NotReady,SchedulingDisabled',
      'control-plane',
      '60m',
      'v1.32.4',
      '172.17.0.1',
      '<none>',
      'Debian GNU/Linux 12',
      '6.1.0',
      'docker://24.0.0',
    ]);
  });

  it('jobs: STATUS COMPLETIONS DURATION', () => {
    const j = samples.jobs();
    create(strategyFor('batch', 'jobs')!, j);
    j.status = { succeeded: 1, startTime: '2026-01-01T00:00:00Z', completionTime: '2026-01-01T00:00:12Z', conditions: [{ type: 'Complete', status: 'True' }] };
    expect(row('jobs', 'batch', j).slice(0, 5)).toEqual(['pi', 'Complete', '1/1', '12s', '60m']);
  });

  it('events: LAST SEEN TYPE REASON OBJECT ... MESSAGE', () => {
    expect(row('events', '', samples.events())).toEqual(['60s', 'Normal', 'Scheduled', 'pod/web', '', '', 'ok', '<unknown>', 1, 'web.1']);
  });

  it('quota, rolebinding, configmap, secret, cronjob', () => {
    const q = {
      ...samples.resourcequotas(),
      status: { hard: { pods: '10', 'requests.cpu': '2', 'limits.memory': '1Gi' }, used: { pods: '3', 'requests.cpu': '500m', 'limits.memory': '512Mi' } },
    };
    expect(row('resourcequotas', '', q)).toEqual(['q', '60m', 'pods: 3/10, requests.cpu: 500m/2', 'limits.memory: 512Mi/1Gi']);
    const rb = samples.rolebindings();
    expect(row('rolebindings', 'rbac.authorization.k8s.io', rb)).toEqual(['rb', 'ClusterRole/view', '60m', 'jane', '', 'default/builder']);
    expect(row('configmaps', '', samples.configmaps())).toEqual(['cfg', 1, '60m']);
    const cj = samples.cronjobs();
    create(strategyFor('batch', 'cronjobs')!, cj);
    expect(row('cronjobs', 'batch', cj).slice(0, 7)).toEqual(['tick', '*/5 * * * *', '<none>', 'False', 0, '<none>', '60m']);
  });

  it('endpoints cell', () => {
    const addrs = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4'].map((ip) => ({ ip }));
    expect(formatEndpoints([{ addresses: addrs, ports: [{ port: 80 }] }])).toBe('10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 1 more...');
    expect(formatEndpoints([])).toBe('<none>');
  });

  it.each([
    ['*/5 * * * *', ''],
    ['0 0 * * 0', ''],
    ['@hourly', ''],
    ['@every 1h30m', ''],
    ['0 0 1 jan mon', ''],
    ['60 * * * *', 'end of range (60) above maximum (59): 60'],
    ['* * *', 'expected exactly 5 fields, found 3: [* * *]'],
  ])('cron %s', (s, want) => {
    expect(cronScheduleError(s)).toBe(want);
  });
});

describe('field selectors', () => {
  it.each([
    ['nodes', '', () => ({ metadata: meta('n'), spec: { unschedulable: true } }), { 'spec.unschedulable': 'true' }],
    ['secrets', '', () => ({ metadata: meta('s', 'default'), type: 'kubernetes.io/tls' }), { type: 'kubernetes.io/tls' }],
    ['namespaces', '', () => ({ metadata: meta('ns'), status: { phase: 'Terminating' } }), { 'status.phase': 'Terminating' }],
    ['replicasets', 'apps', () => ({ metadata: meta('rs', 'default'), status: { replicas: 2 } }), { 'status.replicas': '2' }],
    ['jobs', 'batch', () => ({ metadata: meta('j', 'default'), status: { succeeded: 1 } }), { 'status.successful': '1' }],
    [
      'events',
      '',
      samples.events,
      { 'involvedObject.kind': 'Pod', 'involvedObject.name': 'web', 'involvedObject.namespace': 'default', reason: 'Scheduled', type: 'Normal' },
    ],
  ])('%s', (resource, group, make, want) => {
    expect(strategyFor(group, resource)!.selectableFields!(make() as KubeObject)).toMatchObject(want);
  });
});

describe('resource identity: one table', () => {
  it('every stored resource the client names is served with that identity, and every strategy takes its identity from it', () => {
    const pick = (t: { group: string; version: string; resource: string; kind: string; namespaced: boolean }) => ({
      group: t.group,
      version: t.version,
      resource: t.resource,
      kind: t.kind,
      namespaced: t.namespaced,
    });
    expect(strategies.map(pick).sort((a, b) => a.resource.localeCompare(b.resource))).toEqual(
      Object.values(R)
        .map(pick)
        .sort((a, b) => a.resource.localeCompare(b.resource)),
    );
  });
});
