// The decisions behind a UI port-forward, as kubectl makes them: which pod, which port, the selector, the command line.
import { describe, expect, it } from 'vitest';
import { kubectlPortForward } from '../../../main/bridge/contract';
import { choosePod, podPort, serviceTargetPort } from '../../../main/bridge/port-forwards';
import { specSelectorString as selectorString } from '../../../main/api/selectors';

const pod = (name: string, o: { phase?: string; ready?: boolean; restarts?: number; created?: string; deleting?: boolean } = {}) => ({
  metadata: { name, creationTimestamp: o.created ?? '2025-01-01T00:00:00Z', ...(o.deleting ? { deletionTimestamp: '2025-01-02T00:00:00Z' } : {}) },
  spec: { containers: [{ name: 'web', ports: [{ name: 'http', containerPort: 8080 }] }] },
  status: {
    phase: o.phase ?? 'Running',
    conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }],
    containerStatuses: [{ restartCount: o.restarts ?? 0 }],
  },
});

describe('choosePod: running first, then ready, fewer restarts, older', () => {
  it.each([
    ['only running pods count', [pod('a', { phase: 'Pending' }), pod('b')], 'b'],
    ['a pod being deleted is passed over', [pod('a', { deleting: true }), pod('b')], 'b'],
    ['ready before not ready', [pod('a', { ready: false }), pod('b')], 'b'],
    ['fewer restarts first', [pod('a', { restarts: 3 }), pod('b', { restarts: 1 })], 'b'],
    ['older first', [pod('a', { created: '2025-03-01T00:00:00Z' }), pod('b', { created: '2025-02-01T00:00:00Z' })], 'b'],
    ['none running', [pod('a', { phase: 'Pending' }), pod('b', { phase: 'Succeeded' })], undefined],
  ])('%s', (_what, pods, want) => {
    expect(choosePod(pods)?.metadata.name).toBe(want);
  });
});

describe('ports as kubectl resolves them', () => {
  const svc = {
    metadata: { name: 'web' },
    spec: { ports: [{ name: 'front', port: 80, targetPort: 'http' }, { port: 9000, targetPort: 9001 }, { port: 7000 }] },
  };
  it.each([
    ['a number is itself', () => podPort(pod('a'), 80), 80],
    ['a digit string is a number', () => podPort(pod('a'), '81'), 81],
    ['a name is a container port', () => podPort(pod('a'), 'http'), 8080],
    ['a Service port by number to a named targetPort', () => serviceTargetPort(svc, 80, pod('a')), 8080],
    ['a Service port by name', () => serviceTargetPort(svc, 'front', pod('a')), 8080],
    ['a numeric targetPort', () => serviceTargetPort(svc, 9000, pod('a')), 9001],
    ['no targetPort: the port', () => serviceTargetPort(svc, 7000, pod('a')), 7000],
  ])('%s', (_what, fn, want) => {
    expect(fn()).toBe(want);
  });
  it('refuses what is not there, in kubectl words', () => {
    expect(() => podPort(pod('a'), 'grpc')).toThrow("Pod 'a' does not have a named port 'grpc'");
    expect(() => serviceTargetPort(svc, 81, pod('a'))).toThrow('Service web does not have a service port 81');
  });
});

describe('selector and command line', () => {
  it.each([
    [{ matchLabels: { app: 'web' } }, 'app=web'],
    [{ app: 'web', tier: 'front' }, 'app=web,tier=front'],
    [
      {
        matchLabels: { app: 'web' },
        matchExpressions: [
          { key: 'env', operator: 'In', values: ['a', 'b'] },
          { key: 'x', operator: 'Exists' },
        ],
      },
      'app=web,env in (a,b),x',
    ],
    [undefined, ''],
  ])('%j -> %s', (sel, want) => expect(selectorString(sel as never)).toBe(want));
  it.each([
    [{ namespace: 'default', kind: 'Deployment' as const, name: 'web', port: 80, localPort: 8080 }, 'kubectl port-forward deployment/web 8080:80'],
    [{ namespace: 'shop', kind: 'Service' as const, name: 'web', port: 'http', localPort: 9000 }, 'kubectl port-forward -n shop svc/web 9000:http'],
    [{ namespace: 'default', kind: 'Pod' as const, name: 'p', port: 80 }, 'kubectl port-forward pod/p :80'],
  ])('%j', (f, want) => expect(kubectlPortForward(f)).toBe(want));
});
