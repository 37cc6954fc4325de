import { afterEach, describe, expect, it } from 'vitest';
import type { Endpoints, Pod, Service } from 'kubernetes-types/core/v1';
import type { KubeObject } from '../../../main/api/object';
import { ControllerManager } from '../../../main/controllers';
import { computeSubsets, resolveTargetPort } from '../../../main/controllers/endpoints/endpoints-decisions';
import { R } from '../../../main/client/types';
import type { PodRef, TraceStep } from '../../../main/trace/types';
import { setLogLevel } from '../../../main/log';
import { FakeApi, eventually } from './fake-api';

setLogLevel('error');

const pod = (name: string, ip: string | undefined, ready: boolean, extra: Partial<Pod['status']> = {}): Pod => ({
  metadata: { name, namespace: 'default', uid: `u-${name}`, labels: { app: 'web' } },
  spec: { nodeName: 'node-1', containers: [{ name: 'c', image: 'nginx', ports: [{ name: 'http', containerPort: 8080 }] }] },
  status: { phase: 'Running', podIP: ip, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }], ...extra },
});
const service = (
  ports: Service['spec'] extends infer S ? (S extends { ports?: infer P } ? P : never) : never,
  extra: Partial<Service['spec']> = {},
): Service => ({
  metadata: { name: 'web', namespace: 'default' },
  spec: { selector: { app: 'web' }, ports, ...extra },
});

describe('resolveTargetPort', () => {
  it.each([
    ['absent: the service port', { port: 80 }, 80],
    ['a number', { port: 80, targetPort: 8080 }, 8080],
    ['a name through the container port', { port: 80, targetPort: 'http' }, 8080],
    ['an unknown name', { port: 80, targetPort: 'grpc' }, undefined],
  ] as const)('%s', (_n, sp, want) => expect(resolveTargetPort(sp, pod('a', '10.0.0.1', true))).toBe(want));
});

describe('computeSubsets', () => {
  it('puts ready pods under addresses and not-ready ones under notReadyAddresses, skipping pods without IP or finished', () => {
    const pods = [pod('a', '10.0.0.2', true), pod('b', '10.0.0.1', false), pod('c', undefined, true), pod('d', '10.0.0.9', true, { phase: 'Succeeded' })];
    expect(computeSubsets(service([{ name: 'http', port: 80, targetPort: 'http' }]), pods)).toEqual([
      {
        addresses: [{ ip: '10.0.0.2', nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: 'u-a' } }],
        notReadyAddresses: [{ ip: '10.0.0.1', nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: 'default', name: 'b', uid: 'u-b' } }],
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      },
    ]);
  });
  it('publishNotReadyAddresses lists every pod as ready', () => {
    const s = computeSubsets(service([{ port: 80 }], { publishNotReadyAddresses: true }), [pod('b', '10.0.0.1', false)]);
    expect(s[0].addresses?.map((a) => a.ip)).toEqual(['10.0.0.1']);
    expect(s[0].notReadyAddresses).toBeUndefined();
  });
});

let cm: ControllerManager | undefined;
afterEach(() => cm?.stop());

describe('Endpoints controller (fake API)', () => {
  it('follows readiness live and traces the pod joining the Service', async () => {
    const api = new FakeApi();
    const steps: Array<[PodRef, TraceStep]> = [];
    cm = new ControllerManager({ client: api, tracer: { record: (p, s) => steps.push([p, s]) }, options: { controllers: ['endpoints'] } });
    await cm.start();
    await api.create(R.services, {
      ...service([{ port: 80, targetPort: 8080 }]),
      spec: { ...service([{ port: 80, targetPort: 8080 }]).spec, clusterIP: '10.96.0.50' },
    });
    const p = await api.create<Pod & KubeObject>(R.pods, {
      ...pod('web-1', '10.244.0.7', false),
      metadata: { name: 'web-1', namespace: 'default', labels: { app: 'web' } },
    });
    const ep = (): Promise<Endpoints & KubeObject> => api.get(R.endpoints, 'web', 'default');
    await eventually(async () => (await ep()).subsets?.[0]?.notReadyAddresses?.[0]?.ip === '10.244.0.7', 3000, 'not ready address');
    await api.patch(R.pods, 'web-1', 'application/merge-patch+json', { status: { conditions: [{ type: 'Ready', status: 'True' }] } }, { namespace: 'default' });
    await eventually(async () => (await ep()).subsets?.[0]?.addresses?.[0]?.ip === '10.244.0.7', 3000, 'ready address');
    expect((await ep()).subsets![0].ports).toEqual([{ port: 8080, protocol: 'TCP' }]);
    const joined = steps.find(([ref, s]) => ref.name === p.metadata.name && s.action === 'endpoints' && s.outcome === 'success');
    expect(joined?.[1].message).toBe('Endpoints default/web: 10.244.0.7:8080 ready, Service web (10.96.0.50) routes to it');
    await api.delete(R.pods, 'web-1', { namespace: 'default' });
    await eventually(async () => ((await ep()).subsets ?? []).length === 0, 3000, 'emptied');
    await api.delete(R.services, 'web', { namespace: 'default' });
    await eventually(() => api.all(R.endpoints, 'default').length === 0, 3000, 'endpoints removed with the service');
  });
});
