import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../main/api/object';
import { errors } from '../../../main/api/errors';
import { podStrategy } from '../../../main/apiserver/registry/pods';
import type { StrategyContext } from '../../../main/apiserver/registry/types';

const ctx: StrategyContext = { user: { username: 'admin', groups: ['system:masters'] }, operation: 'create', now: new Date('2026-01-01T00:10:00Z') };

const pod = (over: Record<string, any> = {}, spec: Record<string, any> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'nginx-pod', namespace: 'default', ...over },
  spec: { containers: [{ name: 'nginx', image: 'nginx:1.14.2', ports: [{ containerPort: 80 }] }], ...spec },
});

/** what the API core does on create: prepare, default, validate */
function create(obj: KubeObject) {
  podStrategy.prepareForCreate!(obj, ctx);
  podStrategy.defaults!(obj);
  return podStrategy.validate!(obj, ctx);
}

const message = (obj: KubeObject) => {
  const errs = create(obj);
  return errs.length ? errors.invalid('Pod', undefined, obj.metadata.name ?? '', errs).message : '';
};

describe('pod defaults', () => {
  it('sets what upstream sets', () => {
    const p = pod();
    expect(create(p)).toEqual([]);
    const spec = p.spec as any;
    expect(spec).toMatchObject({
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      terminationGracePeriodSeconds: 30,
      schedulerName: 'default-scheduler',
      securityContext: {},
      enableServiceLinks: true,
      priority: 0,
      preemptionPolicy: 'PreemptLowerPriority',
    });
    expect(spec.containers[0]).toMatchObject({
      imagePullPolicy: 'IfNotPresent',
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
      ports: [{ containerPort: 80, protocol: 'TCP' }],
      resources: {},
    });
    expect(p.status).toEqual({ phase: 'Pending', qosClass: 'BestEffort' });
  });

  it.each([
    ['nginx', 'Always'],
    ['nginx:latest', 'Always'],
    ['nginx:1.25', 'IfNotPresent'],
    ['127.0.0.1:5000/nginx', 'Always'],
    ['127.0.0.1:5000/nginx:1.22', 'IfNotPresent'],
    ['busybox@sha256:abc', 'IfNotPresent'],
  ])('image %s pulls %s', (image, policy) => {
    const p = pod({}, { containers: [{ name: 'c', image }] });
    create(p);
    expect((p.spec as any).containers[0].imagePullPolicy).toBe(policy);
  });

  it('defaults probes and requests from limits', () => {
    const p = pod(
      {},
      { containers: [{ name: 'c', image: 'x:1', livenessProbe: { httpGet: { port: 80 } }, resources: { limits: { cpu: '500m', memory: '128Mi' } } }] },
    );
    expect(create(p)).toEqual([]);
    const c = (p.spec as any).containers[0];
    expect(c.livenessProbe).toEqual({
      httpGet: { port: 80, path: '/', scheme: 'HTTP' },
      timeoutSeconds: 1,
      periodSeconds: 10,
      successThreshold: 1,
      failureThreshold: 3,
    });
    expect(c.resources.requests).toEqual({ cpu: '500m', memory: '128Mi' });
    expect((p.status as any).qosClass).toBe('Guaranteed');
  });
});

describe('pod validation messages', () => {
  it.each([
    ['no image', pod({}, { containers: [{ name: 'nginx' }] }), 'Pod "nginx-pod" is invalid: spec.containers[0].image: Required value'],
    [
      'uppercase name',
      pod({ name: 'Nginx' }),
      `Pod "Nginx" is invalid: metadata.name: Invalid value: "Nginx": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    ],
    [
      'duplicate containers',
      pod(
        {},
        {
          containers: [
            { name: 'a', image: 'x' },
            { name: 'a', image: 'y' },
          ],
        },
      ),
      'Pod "nginx-pod" is invalid: spec.containers[1].name: Duplicate value: "a"',
    ],
    [
      'bad restartPolicy',
      pod({}, { restartPolicy: 'Sometimes' }),
      'Pod "nginx-pod" is invalid: spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    ],
    [
      'port out of range',
      pod({}, { containers: [{ name: 'a', image: 'x', ports: [{ containerPort: 70000 }] }] }),
      'Pod "nginx-pod" is invalid: spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
    ],
    ['no containers', pod({}, { containers: [] }), 'Pod "nginx-pod" is invalid: spec.containers: Required value'],
    [
      'container name',
      pod({}, { containers: [{ name: 'Web_1', image: 'x' }] }),
      `Pod "nginx-pod" is invalid: spec.containers[0].name: Invalid value: "Web_1": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
    ],
    [
      'label value',
      pod({ labels: { app: 'bad value' } }),
      `Pod "nginx-pod" is invalid: metadata.labels: Invalid value: "bad value": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
    ],
    [
      'request over limit',
      pod({}, { containers: [{ name: 'a', image: 'x', resources: { requests: { cpu: '2' }, limits: { cpu: '1' } } }] }),
      'Pod "nginx-pod" is invalid: spec.containers[0].resources.requests[cpu]: Invalid value: "2": must be less than or equal to cpu limit of 1',
    ],
    [
      'unknown volume',
      pod({}, { containers: [{ name: 'a', image: 'x', volumeMounts: [{ name: 'data', mountPath: '/d' }] }] }),
      'Pod "nginx-pod" is invalid: spec.containers[0].volumeMounts[0].name: Not found: "data"',
    ],
    [
      'two errors',
      pod({ name: 'x' }, { containers: [{ name: 'a' }, { name: 'a', image: 'y' }] }),
      'Pod "x" is invalid: [spec.containers[0].image: Required value, spec.containers[1].name: Duplicate value: "a"]',
    ],
  ])('%s', (_, obj, want) => {
    expect(message(obj)).toBe(want);
  });
});

describe('pod update', () => {
  const stored = () => {
    const p = pod({ uid: 'u1', creationTimestamp: '2026-01-01T00:00:00Z' });
    create(p);
    return p;
  };

  it('allows an image change and keeps the stored status', () => {
    const old = stored();
    (old.status as any).phase = 'Running';
    const next = structuredClone(old);
    (next.spec as any).containers[0].image = 'nginx:1.25';
    next.status = { phase: 'Pending' };
    podStrategy.prepareForUpdate!(next, old, { ...ctx, operation: 'update' });
    podStrategy.defaults!(next);
    expect(podStrategy.validateUpdate!(next, old, { ...ctx, operation: 'update' })).toEqual([]);
    expect((next.status as any).phase).toBe('Running');
  });

  it('forbids other spec changes with upstream message', () => {
    const old = stored();
    const next = structuredClone(old);
    (next.spec as any).restartPolicy = 'Never';
    const errs = podStrategy.validateUpdate!(next, old, { ...ctx, operation: 'update' });
    expect(errs).toHaveLength(1);
    expect(errs[0].field).toBe('spec');
    expect(errs[0].message).toContain('Forbidden: pod updates may not change fields other than `spec.containers[*].image`');
    expect(errs[0].message).toContain('spec.restartPolicy: "Always" -> "Never"');
  });

  it('status updates keep the spec', () => {
    const old = stored();
    const next = structuredClone(old);
    (next.spec as any).nodeName = 'sneaky';
    next.status = { phase: 'Running', podIP: '10.0.0.5' };
    podStrategy.prepareForStatusUpdate!(next, old, { ...ctx, operation: 'update' });
    expect((next.spec as any).nodeName).toBeUndefined();
    expect(next.status).toEqual({ phase: 'Running', podIP: '10.0.0.5' });
  });
});

describe('pod grace, fields, table', () => {
  it.each([
    [{}, undefined, 0],
    [{ nodeName: 'n' }, undefined, 30],
    [{ nodeName: 'n', terminationGracePeriodSeconds: 5 }, undefined, 5],
    [{ nodeName: 'n' }, 0, 0],
    [{ nodeName: 'n' }, 10, 10],
  ])('grace for spec %j requested %s is %s', (spec, requested, want) => {
    expect(podStrategy.gracefulDelete!(pod({}, spec), requested)).toBe(want);
  });

  it('selectable fields', () => {
    const p = pod({}, { nodeName: 'n1' });
    create(p);
    expect(podStrategy.selectableFields!(p)).toMatchObject({
      'spec.nodeName': 'n1',
      'status.phase': 'Pending',
      'spec.restartPolicy': 'Always',
      'status.podIP': '',
    });
  });

  it('table row as kubectl get pods -o wide', () => {
    const p = pod({ creationTimestamp: '2026-01-01T00:05:00Z' }, { nodeName: 'node-1' });
    create(p);
    p.status = {
      phase: 'Running',
      podIP: '10.1.0.4',
      podIPs: [{ ip: '10.1.0.4' }],
      containerStatuses: [{ name: 'nginx', ready: true, restartCount: 0, state: { running: { startedAt: '2026-01-01T00:05:03Z' } } }],
    };
    expect(podStrategy.tableColumns!.map((c) => c.name)).toEqual([
      'Name',
      'Ready',
      'Status',
      'Restarts',
      'Age',
      'IP',
      'Node',
      'Nominated Node',
      'Readiness Gates',
    ]);
    expect(podStrategy.tableRow!(p, ctx.now)).toEqual(['nginx-pod', '1/1', 'Running', '0', '5m', '10.1.0.4', 'node-1', '<none>', '<none>']);
  });
});
