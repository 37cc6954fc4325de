import { describe, expect, it } from 'vitest';
import { applyWatchEvents } from '../../../renderer/stores/cache';
import { filterObjects, parseSelector, sortBy } from '../../../renderer/lib/filter';
import { matchesLabels } from '../../../main/api/selectors';
import { selectorOf } from '../../../renderer/lib/workload';
import { kubectlFor } from '../../../renderer/lib/kubectl';
import { cpuText, memoryText, nodeAllocatable, podLimits, usageLines } from '../../../renderer/lib/usage';
import { lineOfField, fieldPath } from '../../../renderer/lib/yaml-lines';
import { LineBuffer, splitMatches } from '../../../renderer/lib/log-lines';
import { layoutSteps, pendingReasons, schedulerTable } from '../../../renderer/lib/trace';
import { statusTone } from '../../../renderer/lib/kinds';
import { formatBytes } from '../../../renderer/lib/node';
import type { KubeObject } from '../../../main/api/object';
import type { BridgeWatchEvent } from '../../../main/bridge/contract';
import type { TraceStep } from '../../../main/trace/types';
import en from '../../../renderer/i18n/en';
import zh from '../../../renderer/i18n/zh-CN';

const obj = (name: string, rv = '1', ns = 'default', labels?: Record<string, string>): KubeObject => ({
  metadata: { name, namespace: ns, resourceVersion: rv, labels },
});
const ev = (type: BridgeWatchEvent['type'], o: KubeObject): BridgeWatchEvent => ({ type, object: o });

describe('watch cache', () => {
  it.each([
    ['resync replaces everything', [obj('a'), obj('b')], [ev('ADDED', obj('c'))], true, ['c']],
    ['ADDED adds', [obj('a')], [ev('ADDED', obj('b'))], false, ['a', 'b']],
    ['MODIFIED replaces', [obj('a', '1')], [ev('MODIFIED', { ...obj('a', '5'), spec: 1 })], false, ['a']],
    ['DELETED removes', [obj('a'), obj('b')], [ev('DELETED', obj('a'))], false, ['b']],
    ['a stale MODIFIED is ignored', [obj('a', '9')], [ev('MODIFIED', obj('a', '3'))], false, ['a']],
  ] as const)('%s', (_n, start, events, resync, names) => {
    const cache = new Map(start.map((o) => [`${o.metadata.namespace}/${o.metadata.name}`, o]));
    applyWatchEvents(cache, [...events], resync);
    expect([...cache.values()].map((o) => o.metadata.name).sort()).toEqual(names);
  });

  it('keeps the newer resourceVersion', () => {
    const cache = new Map([['default/a', obj('a', '9')]]);
    expect(applyWatchEvents(cache, [ev('MODIFIED', obj('a', '3'))], false)).toBe(false);
    expect(cache.get('default/a')?.metadata.resourceVersion).toBe('9');
  });
});

describe('label selectors', () => {
  it.each([
    ['app=web', { app: 'web' }, true],
    ['app=web', { app: 'db' }, false],
    ['app==web', { app: 'web' }, true],
    ['app!=web', {}, true],
    ['app!=web', { app: 'web' }, false],
    ['tier', { tier: 'x' }, true],
    ['!tier', { tier: 'x' }, false],
    ['env in (a,b)', { env: 'b' }, true],
    ['env notin (a,b)', { env: 'b' }, false],
    ['app=web,env in (prod)', { app: 'web', env: 'prod' }, true],
    ['app=web,env in (prod)', { app: 'web', env: 'dev' }, false],
  ])('%s on %j -> %s', (sel, labels, want) => {
    const reqs = parseSelector(sel);
    if (reqs instanceof Error) throw reqs;
    expect(matchesLabels(reqs, labels)).toBe(want);
  });

  it('reports an unparsable requirement', () => {
    expect(parseSelector('a=b=c')).toBeInstanceOf(Error);
  });

  it('filters by namespace, name and labels, and sorts numerically', () => {
    const items = [obj('web-10', '1', 'default', { app: 'web' }), obj('web-2', '1', 'default', { app: 'web' }), obj('db', '1', 'shop', { app: 'db' })];
    expect(filterObjects(items, { namespace: 'default' }).map((o) => o.metadata.name)).toEqual(['web-10', 'web-2']);
    expect(filterObjects(items, { search: 'DB' }).map((o) => o.metadata.name)).toEqual(['db']);
    expect(filterObjects(items, { labelSelector: 'app=web' })).toHaveLength(2);
    expect(sortBy(items, (o) => o.metadata.name ?? '', 1).map((o) => o.metadata.name)).toEqual(['db', 'web-2', 'web-10']);
    expect(sortBy(items, (o) => o.metadata.name ?? '', -1)[0].metadata.name).toBe('web-10');
  });
});

describe('kubectl equivalents', () => {
  const pods = { group: '', version: 'v1', resource: 'pods' };
  const deployments = { group: 'apps', version: 'v1', resource: 'deployments' };
  it.each([
    [{ verb: 'delete', ref: pods, kind: 'Pod', name: 'web', namespace: 'default' }, 'kubectl delete pod web', 'DELETE /api/v1/namespaces/default/pods/web'],
    [
      { verb: 'scale', ref: deployments, kind: 'Deployment', name: 'k8s-nginx', namespace: 'shop', replicas: 3 },
      'kubectl scale deployment/k8s-nginx --replicas=3 -n shop',
      'PATCH /apis/apps/v1/namespaces/shop/deployments/k8s-nginx/scale',
    ],
    [{ verb: 'cordon', node: 'node2' }, 'kubectl cordon node2', 'PATCH /api/v1/nodes/node2'],
    [{ verb: 'drain', node: 'node2' }, 'kubectl drain node2 --ignore-daemonsets --delete-emptydir-data', 'PATCH /api/v1/nodes/node2'],
    // a bare pod on the node is evicted too: kubectl needs --force for that
    [{ verb: 'drain', node: 'node2', force: true }, 'kubectl drain node2 --ignore-daemonsets --delete-emptydir-data --force', 'PATCH /api/v1/nodes/node2'],
    [{ verb: 'label', node: 'node2', change: 'disktype=ssd' }, 'kubectl label node node2 disktype=ssd --overwrite', 'PATCH /api/v1/nodes/node2'],
    [{ verb: 'taint', node: 'n', change: 'k=v:NoSchedule' }, 'kubectl taint node n k=v:NoSchedule', 'PATCH /api/v1/nodes/n'],
    [
      { verb: 'logs', pod: 'web', namespace: 'default', container: 'c', follow: true, tailLines: 100 },
      'kubectl logs web -c c -f --tail=100',
      'GET /api/v1/namespaces/default/pods/web/log?container=c&follow=true&tailLines=100',
    ],
    [
      { verb: 'exec', pod: 'web', namespace: 'default', command: ['sh', '-c', 'echo hi'] },
      "kubectl exec -it web -- sh -c 'echo hi'",
      'GET /api/v1/namespaces/default/pods/web/exec?command=sh',
    ],
    [
      { verb: 'watch', ref: pods, resource: 'pods', labelSelector: 'app=web' },
      'kubectl get pods -A -l app=web -w',
      'GET /api/v1/pods?labelSelector=app%3Dweb&watch=true',
    ],
    [
      { verb: 'run', name: 'web', image: 'nginx', namespace: 'default', replicas: 0, port: 80 },
      'kubectl run web --image=nginx --port=80',
      'POST /api/v1/namespaces/default/pods',
    ],
    [
      { verb: 'pause', name: 'web', namespace: 'shop' },
      'kubectl rollout pause deployment/web -n shop',
      'PATCH /apis/apps/v1/namespaces/shop/deployments/web\nContent-Type: application/strategic-merge-patch+json\n{"spec":{"paused":true}}',
    ],
    [
      { verb: 'resume', name: 'web', namespace: 'default' },
      'kubectl rollout resume deployment/web',
      'PATCH /apis/apps/v1/namespaces/default/deployments/web\nContent-Type: application/strategic-merge-patch+json\n{"spec":{"paused":false}}',
    ],
    [
      { verb: 'run', name: 'web', image: 'nginx', namespace: 'default', replicas: 3 },
      'kubectl create deployment web --image=nginx --replicas=3',
      'POST /apis/apps/v1/namespaces/default/deployments',
    ],
  ] as const)('%j', (action, command, http) => {
    const eq = kubectlFor(action as Parameters<typeof kubectlFor>[0]);
    expect(eq.command).toBe(command);
    expect(eq.http.startsWith(http)).toBe(true);
  });
});

describe('YAML lines for field errors', () => {
  const manifest =
    'apiVersion: v1\nkind: Pod\nmetadata:\n  name: Web\nspec:\n  containers:\n  - name: nginx\n    image: ""\n    ports:\n    - containerPort: 80\n';
  it.each([
    ['metadata.name', 4],
    ['spec.containers[0].image', 8],
    ['spec.containers[0].ports[0].containerPort', 10],
    ['spec.containers[0].resources.limits', 7],
    ['spec.nodeName', 6],
  ])('%s -> line %d', (field, line) => {
    expect(lineOfField(manifest, field)).toBe(line);
  });
  it('parses paths with indexes and quoted keys', () => {
    expect(fieldPath('metadata.labels[app.kubernetes.io/name]')).toEqual(['metadata', 'labels', 'app.kubernetes.io/name']);
    expect(fieldPath('spec.containers[2].name')).toEqual(['spec', 'containers', 2, 'name']);
  });
  it('picks the document named in the error', () => {
    const two = 'kind: Pod\nmetadata:\n  name: a\n---\nkind: Pod\nmetadata:\n  name: b\nspec: {}\n';
    expect(lineOfField(two, 'spec', 'b')).toBe(8);
  });
});

describe('log lines', () => {
  it('splits chunks into lines across chunk boundaries', () => {
    const b = new LineBuffer();
    b.push('one\ntw');
    b.push('o\r\nthree');
    expect(b.lines).toEqual(['one', 'two']);
    b.flush();
    expect(b.lines).toEqual(['one', 'two', 'three']);
  });
  it('is bounded', () => {
    const b = new LineBuffer(3);
    b.push('1\n2\n3\n4\n5\n');
    expect(b.lines).toEqual(['3', '4', '5']);
  });
  it('highlights matches case-insensitively', () => {
    expect(splitMatches('GET /index 200 get', 'get')).toEqual([
      { text: 'GET', hit: true },
      { text: ' /index 200 ', hit: false },
      { text: 'get', hit: true },
    ]);
    expect(splitMatches('abc', '')).toEqual([{ text: 'abc', hit: false }]);
  });
});

describe('trace reading', () => {
  const step = (
    component: TraceStep['component'],
    action: string,
    start: number,
    end?: number,
    details?: Record<string, unknown>,
    outcome: TraceStep['outcome'] = 'success',
  ): TraceStep => ({
    component,
    action,
    start: new Date(1_000_000 + start).toISOString(),
    end: end === undefined ? undefined : new Date(1_000_000 + end).toISOString(),
    outcome,
    message: action,
    details,
  });

  it("reads the scheduler's SchedulingDetails rows: words, scores, total, choice", () => {
    const details = {
      kind: 'SchedulingDetails',
      chosen: 'node-1',
      nodes: [
        {
          node: 'node-1',
          feasible: true,
          reasons: [],
          filters: [],
          scores: [{ plugin: 'NodeResourcesFit', normalized: 80, weight: 1, weighted: 80 }],
          total: 80,
        },
        {
          node: 'node-2',
          feasible: false,
          reasons: ["node(s) didn't match Pod's node affinity/selector"],
          explain: "didn't match the node selector disktype=ssd",
          filters: [],
        },
      ],
    };
    const t = schedulerTable([step('scheduler', 'score', 0, 1, details)]);
    expect(t.map((v) => [v.node, v.ok, v.total, !!v.chosen, v.plugins.NodeResourcesFit?.score])).toEqual([
      ['node-1', true, 80, true, 80],
      ['node-2', false, undefined, false, undefined],
    ]);
    expect(t[1].reasons[0]).toBe("didn't match the node selector disktype=ssd");
  });

  it('lays steps out in time', () => {
    const l = layoutSteps([step('client', 'request', 0, 10), step('scheduler', 'bind', 50, 100)]);
    expect(l.endMs - l.startMs).toBe(100);
    expect(l.steps.map((s) => [s.left, s.width])).toEqual([
      [0, 10],
      [50, 50],
    ]);
  });

  it('builds the nodes x plugins table from filter and score details, in either shape', () => {
    const steps = [
      step('scheduler', 'filter', 0, 1, {
        filters: [
          { node: 'node-1', plugin: 'NodeAffinity', ok: true },
          { node: 'node-2', plugin: 'NodeAffinity', ok: false, reason: "node(s) didn't match Pod's node affinity/selector" },
        ],
      }),
      step('scheduler', 'score', 1, 2, { scores: { 'node-1': { NodeResourcesFit: 80, ImageLocality: 10 } } }),
      step('scheduler', 'bind', 2, 3, { node: 'node-1' }),
    ];
    const t = schedulerTable(steps);
    expect(t.map((v) => [v.node, v.ok, v.total, !!v.chosen])).toEqual([
      ['node-1', true, 90, true],
      ['node-2', false, undefined, false],
    ]);
    expect(t[1].reasons).toEqual(["node(s) didn't match Pod's node affinity/selector"]);
    const why = pendingReasons(steps, [
      { reason: 'FailedScheduling', message: "0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector." },
    ]);
    expect(why.summary).toMatch(/^0\/2 nodes are available/);
    expect(why.nodes).toEqual([{ node: 'node-2', reason: "node(s) didn't match Pod's node affinity/selector" }]);
  });
});

describe('presentation helpers', () => {
  it.each([
    ['Running', 'ok'],
    ['Completed', 'ok'],
    ['Pending', 'warn'],
    ['ContainerCreating', 'warn'],
    ['Init:0/1', 'warn'],
    ['CrashLoopBackOff', 'err'],
    ['ErrImagePull', 'err'],
    ['Init:Error', 'err'],
    ['Terminating', 'warn'],
    ['Ready,SchedulingDisabled', 'warn'],
  ])('%s is %s', (s, tone) => {
    expect(statusTone(s)).toBe(tone);
  });
  it.each([
    ['1342177280', '1.25Gi'],
    ['64Mi', '64Mi'],
    ['23Gi', '23Gi'],
    ['1000', '1000'],
    [undefined, '0'],
  ])('%s bytes read as %s', (q, want) => {
    expect(formatBytes(q)).toBe(want);
  });
});

describe('i18n', () => {
  const keys = (o: object, p = ''): string[] => Object.entries(o).flatMap(([k, v]) => (typeof v === 'string' ? [`${p}${k}`] : keys(v, `${p}${k}.`)));
  it('zh-CN has every English key and no empty text', () => {
    expect(keys(zh).sort()).toEqual(keys(en).sort());
    for (const k of keys(zh)) expect(k.split('.').reduce((o: any, p) => o[p], zh)).not.toBe('');
  });
  it("uses the seed articles' terms", () => {
    const all = JSON.stringify(zh);
    for (const term of ['调度', '预选', '优选', '绑定', '拉取镜像', '沙箱容器', '就绪探针']) expect(all).toContain(term);
  });
});

describe('usage for the charts', () => {
  it.each([
    [0.0015, '2m'],
    [0.2, '200m'],
    [1, '1'],
    [1.5, '1.5'],
    [10, '10'],
    [100, '100'],
  ])('cpu %s -> %s', (c, s) => expect(cpuText(c)).toBe(s));
  it.each([
    [0, '0Mi'],
    [512 * 1024, '512Ki'],
    [64 * 1024 * 1024, '64Mi'],
    [12 * 1024 ** 3, '12.0Gi'],
  ])('memory %s -> %s', (b, s) => expect(memoryText(b)).toBe(s));
  it('a line per container, in spec order, gaps where a container had no reading', () => {
    const l = usageLines(
      {
        intervalMs: 5000,
        points: [
          { t: 1000, cpu: 0.3, memory: 30, containers: { b: { cpu: 0.2, memory: 20 }, a: { cpu: 0.1, memory: 10 } } },
          { t: 6000, cpu: 0.1, memory: 10, containers: { a: { cpu: 0.1, memory: 10 } } },
        ],
      },
      ['a', 'b'],
    );
    expect(l).toEqual({
      times: [1, 6],
      cpu: [
        { label: 'a', values: [0.1, 0.1] },
        { label: 'b', values: [0.2, null] },
      ],
      memory: [
        { label: 'a', values: [10, 10] },
        { label: 'b', values: [20, null] },
      ],
    });
    expect(usageLines({ intervalMs: 5000, points: [{ t: 1000, cpu: 1, memory: 2 }] }).cpu).toEqual([{ label: 'total', values: [1] }]);
  });
  it('limits only when every container has one; allocatable from quantities', () => {
    const c = (limits?: Record<string, string>) => ({ name: 'x', resources: limits ? { limits } : {} });
    expect(podLimits({ spec: { containers: [c({ cpu: '200m', memory: '64Mi' }), c({ cpu: '1', memory: '32Mi' })] } })).toEqual({
      cpu: 1.2,
      memory: 96 * 1024 * 1024,
    });
    expect(podLimits({ spec: { containers: [c({ cpu: '200m' }), c()] } })).toEqual({ cpu: undefined, memory: undefined });
    expect(nodeAllocatable({ status: { allocatable: { cpu: '2', memory: '16Gi' } } })).toEqual({ cpu: 2, memory: 16 * 1024 ** 3 });
  });
});

describe("selectorOf: the logs pane's -l for a workload", () => {
  const o = (selector: unknown) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { selector } }) as never;
  it.each([
    [{ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['a', 'b'] }] }, 'app=web,env in (a,b)'],
    [{ app: 'web' }, 'app=web'],
    [{}, undefined],
    [undefined, undefined],
    [{ matchExpressions: [{ key: 'n', operator: 'Gt', values: ['1'] }] }, undefined],
  ])('%j -> %s', (sel, want) => expect(selectorOf(o(sel))).toBe(want));
});
