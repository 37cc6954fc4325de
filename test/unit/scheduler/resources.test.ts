// A pod's effective request, as upstream counts it: a row per case.
import { describe, expect, it } from 'vitest';
import type { Container, Pod } from 'kubernetes-types/core/v1';
import { podRequests } from '../../../main/scheduler/resources';

const c = (name: string, cpu?: string, memory?: string, extra: Partial<Container> = {}): Container => ({
  name,
  image: 'busybox',
  resources: cpu || memory ? { requests: { ...(cpu ? { cpu } : {}), ...(memory ? { memory } : {}) } } : undefined,
  ...extra,
});
const p = (containers: Container[], initContainers?: Container[], overhead?: Record<string, string>): Pod => ({
  spec: { containers, initContainers, overhead },
});
const Mi = 2 ** 20;

describe('podRequests', () => {
  it.each([
    { name: 'sum of containers', pod: p([c('a', '100m', '64Mi'), c('b', '250m', '128Mi')]), want: { cpu: 350, memory: 192 * Mi } },
    { name: 'decimal and exponent forms', pod: p([c('a', '0.5', '1e3')]), want: { cpu: 500, memory: 1000 } },
    { name: 'an init container bigger than the app wins', pod: p([c('a', '100m')], [c('i1', '1'), c('i2', '300m')]), want: { cpu: 1000, memory: 0 } },
    { name: 'the app wins when bigger', pod: p([c('a', '2')], [c('i1', '1')]), want: { cpu: 2000, memory: 0 } },
    {
      name: 'a sidecar adds to the app and to later init containers',
      pod: p([c('a', '100m')], [c('side', '200m', undefined, { restartPolicy: 'Always' }), c('i2', '500m')]),
      want: { cpu: 700, memory: 0 },
    },
    { name: 'overhead is added', pod: p([c('a', '100m')], undefined, { cpu: '250m' }), want: { cpu: 350, memory: 0 } },
    {
      name: 'limits only: requests default to limits',
      pod: p([{ name: 'a', image: 'x', resources: { limits: { cpu: '1', memory: '1Gi' } } }]),
      want: { cpu: 1000, memory: 1024 * Mi },
    },
  ])('$name', ({ pod, want }) => {
    expect(podRequests(pod)).toMatchObject(want);
  });

  it.each([
    { name: 'no requests: 100m and 200Mi per container', pod: p([c('a'), c('b')]), want: { cpu: 200, memory: 400 * Mi } },
    { name: 'only cpu given: memory defaults', pod: p([c('a', '1')]), want: { cpu: 1000, memory: 200 * Mi } },
  ])('for scoring, $name', ({ pod, want }) => {
    expect(podRequests(pod, true)).toMatchObject(want);
  });
});
