// What the pod page shows of its images: a live pull per layer, else the kubelet's pull-image record.
import { describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1';
import { imagePulls, layerPercent, layerText } from '../../../renderer/lib/pod';

const pod = (nodeName?: string) =>
  ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default' },
    spec: {
      nodeName,
      initContainers: [{ name: 'init', image: 'busybox' }],
      containers: [
        { name: 'a', image: 'nginx' },
        { name: 'b', image: 'nginx' },
      ],
    },
  }) as Pod;
const step = (image: string, outcome: string, extra: Record<string, unknown> = {}) => ({
  component: 'kubelet',
  action: 'pull-image',
  outcome,
  message: `m ${image}`,
  details: { image, ...extra },
});
const layer = { id: 'l1', status: 'Downloading', current: 1_000_000, total: 4_000_000 };

describe('imagePulls', () => {
  it.each([
    ['nothing recorded yet', pod('n1'), [], [], []],
    ["a live pull on the pod's node", pod('n1'), [], [{ node: 'n1', image: 'nginx', layers: [layer] }], [['nginx', 'Pulling', 1]]],
    ["a live pull on another node is not this pod's", pod('n1'), [], [{ node: 'n2', image: 'nginx', layers: [layer] }], []],
    ['an unbound pod has no live pull', pod(), [], [{ node: 'n1', image: 'nginx', layers: [layer] }], []],
    [
      'recorded: pulled, already present, failed; init image first',
      pod('n1'),
      [
        step('nginx', 'failure'),
        step('busybox', 'skipped'),
        step('nginx', 'success', { layers: [{ id: 'l1', status: 'Pull complete' }], sizeBytes: 5, durationMs: 1200 }),
      ],
      [],
      [
        ['busybox', 'Present', 0],
        ['nginx', 'Pulled', 1],
      ],
    ],
    [
      'live beats the record (a pull again after a failure)',
      pod('n1'),
      [step('nginx', 'failure')],
      [{ node: 'n1', image: 'nginx', layers: [] }],
      [['nginx', 'Pulling', 0]],
    ],
    ['a failure is shown as Failed', pod('n1'), [step('nginx', 'failure')], [], [['nginx', 'Failed', 0]]],
  ])('%s', (_name, p, steps, live, want) => {
    expect(imagePulls(p, steps, live).map((x) => [x.image, x.state, x.layers.length])).toEqual(want);
  });

  it('keeps size and duration of a pull for the summary', () => {
    const [v] = imagePulls(pod('n1'), [step('nginx', 'success', { sizeBytes: 43_900_000, durationMs: 2800 })], []).filter((x) => x.image === 'nginx');
    expect(v).toMatchObject({ state: 'Pulled', sizeBytes: 43_900_000, durationMs: 2800 });
  });
});

describe('layer lines', () => {
  it.each([
    [{ id: 'x', status: 'Waiting' }, 'Waiting', 0],
    [{ id: 'x', status: 'Downloading', current: 1_000_000, total: 4_000_000 }, 'Downloading 1.0 MB / 4.0 MB', 12.5],
    [{ id: 'x', status: 'Download complete', current: 4_000_000, total: 4_000_000 }, 'Download complete', 50],
    [{ id: 'x', status: 'Extracting', current: 32_800, total: 65_600 }, 'Extracting 32.8 kB / 65.6 kB', 75],
    [{ id: 'x', status: 'Pull complete' }, 'Pull complete', 100],
    [{ id: 'x', status: 'Already exists' }, 'Already exists', 100],
  ])('%o', (l, text, percent) => {
    expect(layerText(l)).toBe(text);
    expect(layerPercent(l)).toBe(percent);
  });
});
