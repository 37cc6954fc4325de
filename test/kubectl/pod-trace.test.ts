// Issue 7's flow, end to end through `kubelab serve` on the real engine: the seed nginx pod's PodTrace
// holds every step from the request to the Service routing to it, in causal order, with sane times.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registry } from '../fixtures/env';
import { labSteps, startServe, type Serve } from '../fixtures/serve';

let lab: Serve;
const { eventually, kubectl, json } = labSteps(() => lab);

interface Step {
  component: string;
  action: string;
  start: string;
  end?: string;
  outcome: string;
  message: string;
  details?: Record<string, unknown>;
}

beforeAll(async () => {
  lab = await startServe();
});

afterAll(async () => {
  await lab?.stop();
});

describe('the seed nginx pod as a PodTrace', () => {
  it('is listed by api-resources and readable with kubectl get podtraces', async () => {
    const r = await kubectl('api-resources', '--api-group=lab.kubelab.io');
    expect(r).toMatch(/podtraces\s+pt\s+lab\.kubelab\.io\/v1\s+true\s+PodTrace/);
  });

  it('holds every step from the request to the Service, in causal order', async () => {
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } };
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'nginx-pod', labels: { app: 'web' } },
      spec: { containers: [{ name: 'nginx', image: registry.nginx, ports: [{ containerPort: 80 }] }] },
    };
    await lab.kubectl(['create', '-f', '-'], { input: JSON.stringify(svc) });
    const created = await lab.kubectl(['create', '-f', '-'], { input: JSON.stringify(pod) });
    expect(created.stdout.trim()).toBe('pod/nginx-pod created');
    await kubectl('wait', '--for=condition=Ready', 'pod/nginx-pod', '--timeout=90s');

    const want: Array<[string, RegExp]> = [
      ['client', /^request$/],
      ['apiserver', /^authenticate$/],
      ['apiserver', /^authorize$/],
      ['apiserver', /^admit:NamespaceLifecycle$/],
      ['apiserver', /^admit:ServiceAccount$/],
      ['apiserver', /^admit:LimitRanger$/],
      ['apiserver', /^admit:ResourceQuota$/],
      ['apiserver', /^admit:DefaultTolerationSeconds$/],
      ['apiserver', /^validate$/],
      ['store', /^store$/],
      ['scheduler', /^queue$/],
      ['scheduler', /^filter$/],
      ['scheduler', /^select-node$/],
      ['scheduler', /^bind$/],
      ['kubelet', /^observe$/],
      ['runtime', /^create-sandbox$/],
      ['kubelet', /^pull-image$/],
      ['runtime', /^create-container$/],
      ['runtime', /^start-container$/],
      ['kubelet', /^ready$/],
      ['controller-manager', /^endpoints$/],
    ];
    const steps = await eventually(
      async () => {
        const t = await json<{ steps: Step[] }>('get', 'podtraces', 'nginx-pod');
        return want.every(([c, a]) => t.steps.some((s) => s.component === c && a.test(s.action))) ? t.steps : undefined;
      },
      60_000,
      'every step in the trace',
    );

    // in causal order: each wanted step after the one before it
    let at = -1;
    for (const [component, action] of want) {
      const i = steps.findIndex((s, k) => k > at && s.component === component && action.test(s.action));
      expect(i, `${component} ${action} after step ${at} (${steps[at]?.component}/${steps[at]?.action})`).toBeGreaterThan(at);
      at = i;
    }
    // times: RFC 3339 with milliseconds, starts non-decreasing, no step ending before it starts
    for (const s of steps) {
      expect(s.start).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      if (s.end) expect(Date.parse(s.end)).toBeGreaterThanOrEqual(Date.parse(s.start));
    }
    const starts = steps.map((s) => Date.parse(s.start));
    expect(starts).toEqual([...starts].sort((a, b) => a - b));

    // what the steps say
    const find = (c: string, a: string) => steps.find((s) => s.component === c && s.action === a)!;
    expect(find('client', 'request').message).toMatch(/kubectl\//);
    expect(find('apiserver', 'authenticate').message).toMatch(/kubelab-admin/);
    expect(find('store', 'store').message).toMatch(/revision \d+/);
    expect(find('scheduler', 'bind').message).toMatch(/bound default\/nginx-pod to default/);
    expect(find('runtime', 'create-sandbox').message).toMatch(/IP \d+\.\d+\.\d+\.\d+/);
    expect(find('runtime', 'create-sandbox').details).toMatchObject({ image: expect.stringMatching(/^kubelab\/pause:/) });
    expect(find('controller-manager', 'endpoints').message).toMatch(/web/);

    // owned by the pod: deleted with it
    await kubectl('delete', 'pod', 'nginx-pod', '--wait=true');
    await eventually(async () => (await lab.kubectl(['get', 'podtraces', 'nginx-pod'])).code !== 0, 60_000, 'the trace to go with the pod');
  });
});
