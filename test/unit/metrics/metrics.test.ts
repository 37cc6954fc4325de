// The arithmetic behind kubectl top: a CPU rate from two counter readings, the working set from Docker's stats
// document (cgroup v1 and v2 names), metrics-server's quantity forms, and the objects metrics.k8s.io serves.
import { describe, expect, it } from 'vitest';
import { dockerStatsSample } from '../../../main/runtime/docker/index';
import { cpuQuantity, cpuRate, memoryQuantity } from '../../../main/metrics/metrics-server';
import { nodeMetricsObject, podMetricsObject, podMetricsStrategy } from '../../../main/metrics/strategy';

const s = (timestamp: number, cpuUsageNanos: number) => ({ id: 'c', timestamp, cpuUsageNanos, memoryWorkingSetBytes: 0 });

describe('cpuRate', () => {
  it.each([
    ['half a core over 2 s', s(0, 0), s(2000, 1e9), 0.5],
    ['idle', s(0, 5e9), s(1000, 5e9), 0],
    ['two cores', s(1000, 0), s(2000, 2e9), 2],
    ['a restart (counter went back): no rate', s(0, 5e9), s(1000, 1e9), undefined],
    ['same instant: no rate', s(1000, 0), s(1000, 1e9), undefined],
  ])('%s', (_w, a, b, want) => expect(cpuRate(a, b)).toBe(want));
});

describe('dockerStatsSample', () => {
  it.each([
    [
      'cgroup v1: usage less total_inactive_file',
      {
        read: '2026-01-02T03:04:05.123456789Z',
        cpu_stats: { cpu_usage: { total_usage: 42 } },
        memory_stats: { usage: 10_000, stats: { total_inactive_file: 4000 } },
      },
      { cpuUsageNanos: 42, memoryWorkingSetBytes: 6000, timestamp: Date.parse('2026-01-02T03:04:05.123Z') },
    ],
    [
      'cgroup v2: usage less inactive_file',
      { read: '2026-01-02T03:04:05Z', cpu_stats: { cpu_usage: { total_usage: 7 } }, memory_stats: { usage: 10_000, stats: { inactive_file: 1000 } } },
      { cpuUsageNanos: 7, memoryWorkingSetBytes: 9000 },
    ],
    [
      'never below zero',
      { cpu_stats: { cpu_usage: { total_usage: 1 } }, memory_stats: { usage: 10, stats: { inactive_file: 50 } } },
      { memoryWorkingSetBytes: 0, timestamp: 99 },
    ],
  ])('%s', (_w, raw, want) => expect(dockerStatsSample('c', raw, 99)).toMatchObject(want));
  it('a stopped container (no counters) gives no sample', () => {
    expect(dockerStatsSample('c', { read: '0001-01-01T00:00:00Z', cpu_stats: {}, memory_stats: {} })).toBeUndefined();
  });
});

describe('quantities and objects', () => {
  it.each([
    [0.0012345, '1234500n'],
    [2, '2000000000n'],
    [-1, '0n'],
  ])('cpu %s -> %s', (c, q) => expect(cpuQuantity(c)).toBe(q));
  it.each([
    [20 * 1024 * 1024, '20480Ki'],
    [1500, '1Ki'],
  ])('memory %s -> %s', (b, q) => expect(memoryQuantity(b)).toBe(q));
  it('PodMetrics and NodeMetrics as metrics-server writes them', () => {
    const p = podMetricsObject({
      namespace: 'default',
      name: 'web',
      node: 'n',
      labels: { app: 'web' },
      timestamp: Date.parse('2026-01-01T00:00:05Z'),
      windowMs: 5012,
      containers: [{ name: 'nginx', cpu: 0.002, memory: 4 * 1024 * 1024 }],
    });
    expect(p).toMatchObject({
      apiVersion: 'metrics.k8s.io/v1beta1',
      kind: 'PodMetrics',
      metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
      timestamp: '2026-01-01T00:00:05.000Z',
      window: '5.012s',
      containers: [{ name: 'nginx', usage: { cpu: '2000000n', memory: '4096Ki' } }],
    });
    expect(podMetricsStrategy.tableRow!(p, new Date())).toEqual(['web', '2m', '4Mi', '5.012s']);
    expect(nodeMetricsObject({ name: 'n', labels: {}, timestamp: 0, windowMs: 10000, cpu: 1.5, memory: 1024 })).toMatchObject({
      kind: 'NodeMetrics',
      window: '10s',
      usage: { cpu: '1500000000n', memory: '1Ki' },
    });
  });
});
