import { describe, expect, it } from 'vitest';
import { isStatusError } from '../../../main/api/errors';
import { LIMIT_RANGER_ANNOTATION, limitRanger } from '../../../main/apiserver/admission/limit-ranger';
import { R } from '../../../main/client/types';
import { attrs, FakeClient } from './fake-client';

const lr = (limits: Record<string, unknown>[]) => ({ metadata: { name: 'limits', namespace: 'default' }, spec: { limits } });
const pod = (containers: Record<string, unknown>[], init: Record<string, unknown>[] = []) => ({
  metadata: { name: 'web', namespace: 'default' },
  spec: { containers, ...(init.length ? { initContainers: init } : {}) },
});

async function run(client: FakeClient, obj: ReturnType<typeof pod>) {
  const { a, notes } = attrs(client, { operation: 'CREATE', object: obj });
  const plugin = limitRanger();
  await plugin.admit!(a);
  try {
    await plugin.validate!(a);
  } catch (e) {
    if (isStatusError(e)) return { notes, error: e.message };
    throw e;
  }
  return { notes, error: '' };
}

describe('LimitRanger defaults', () => {
  it('reads LimitRanges from its informer cache: no list per pod, and one added later applies to the next pod', async () => {
    const client = new FakeClient();
    const plugin = limitRanger();
    const admit = async (obj: ReturnType<typeof pod>) => {
      const { a } = attrs(client, { operation: 'CREATE', object: obj });
      await plugin.admit!(a);
      await plugin.validate!(a);
      return obj;
    };
    await admit(pod([{ name: 'web', image: 'x' }]));
    await expect.poll(() => plugin.lister?.cached).toBe(true);
    client.lists.length = 0;
    expect((await admit(pod([{ name: 'web', image: 'x' }]))).spec.containers[0]).toEqual({ name: 'web', image: 'x' });
    client.add(R.limitranges, lr([{ type: 'Container', defaultRequest: { cpu: '100m' } }]));
    expect((await admit(pod([{ name: 'web', image: 'x' }]))).spec.containers[0]).toMatchObject({ resources: { requests: { cpu: '100m' } } });
    expect(client.lists).toEqual([]);
    plugin.lister!.stop();
  });

  it('fills requests and limits, and says so in the annotation', async () => {
    const client = new FakeClient().add(
      R.limitranges,
      lr([{ type: 'Container', default: { cpu: '500m', memory: '256Mi' }, defaultRequest: { cpu: '100m', memory: '128Mi' } }]),
    );
    const obj = pod(
      [
        { name: 'web', image: 'x' },
        { name: 'side', image: 'y', resources: { requests: { cpu: '50m' } } },
      ],
      [{ name: 'init', image: 'z' }],
    );
    const { notes, error } = await run(client, obj);
    expect(error).toBe('');
    const [web, side] = obj.spec.containers as any[];
    expect(web.resources).toEqual({ limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '100m', memory: '128Mi' } });
    expect(side.resources).toEqual({ limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '50m', memory: '128Mi' } });
    expect((obj.metadata as any).annotations[LIMIT_RANGER_ANNOTATION]).toBe(
      'LimitRanger plugin set: cpu, memory request for container web; cpu, memory limit for container web; memory request for container side; cpu, memory limit for container side; cpu, memory request for init container init; cpu, memory limit for init container init',
    );
    expect(notes[0]).toMatch(/^set cpu, memory request for container web/);
  });

  it('an explicit limit is the request, as pod defaulting would make it', async () => {
    const client = new FakeClient().add(R.limitranges, lr([{ type: 'Container', defaultRequest: { cpu: '100m' } }]));
    const obj = pod([{ name: 'web', image: 'x', resources: { limits: { cpu: '1' } } }]);
    await run(client, obj);
    expect((obj.spec.containers[0] as any).resources.requests).toEqual({ cpu: '1' });
  });

  it('no LimitRange: no change', async () => {
    const obj = pod([{ name: 'web', image: 'x' }]);
    const { notes } = await run(new FakeClient(), obj);
    expect(notes).toEqual([]);
    expect((obj.spec.containers[0] as any).resources).toBeUndefined();
  });
});

describe('LimitRanger constraints', () => {
  it.each([
    [
      'over max limit',
      [{ type: 'Container', max: { cpu: '1' } }],
      [{ name: 'web', image: 'x', resources: { limits: { cpu: '2' } } }],
      'pods "web" is forbidden: maximum cpu usage per Container is 1, but limit is 2',
    ],
    [
      'no limit under max',
      [{ type: 'Container', max: { memory: '1Gi' } }],
      [{ name: 'web', image: 'x', resources: { limits: { cpu: '1' } } }],
      'pods "web" is forbidden: maximum memory usage per Container is 1Gi. No limit is specified',
    ],
    [
      'under min request',
      [{ type: 'Container', min: { cpu: '200m' } }],
      [{ name: 'web', image: 'x', resources: { requests: { cpu: '100m' } } }],
      'pods "web" is forbidden: minimum cpu usage per Container is 200m, but request is 100m',
    ],
    [
      'ratio',
      [{ type: 'Container', maxLimitRequestRatio: { cpu: '2' } }],
      [{ name: 'web', image: 'x', resources: { requests: { cpu: '100m' }, limits: { cpu: '500m' } } }],
      'pods "web" is forbidden: cpu max limit to request ratio per Container is 2, but provided ratio is 5.000000',
    ],
    [
      'pod max',
      [{ type: 'Pod', max: { memory: '1Gi' } }],
      [
        { name: 'a', image: 'x', resources: { limits: { memory: '768Mi' } } },
        { name: 'b', image: 'x', resources: { limits: { memory: '512Mi' } } },
      ],
      'pods "web" is forbidden: maximum memory usage per Pod is 1Gi, but limit is 1280Mi',
    ],
    [
      'two failures',
      [{ type: 'Container', max: { cpu: '1', memory: '1Gi' } }],
      [{ name: 'web', image: 'x', resources: { limits: { cpu: '2', memory: '2Gi' } } }],
      'pods "web" is forbidden: [maximum cpu usage per Container is 1, but limit is 2, maximum memory usage per Container is 1Gi, but limit is 2Gi]',
    ],
  ])('%s', async (_, limits, containers, want) => {
    const { error } = await run(new FakeClient().add(R.limitranges, lr(limits)), pod(containers));
    expect(error).toBe(want);
  });

  it('a max without default becomes the default limit (LimitRange defaulting) and passes', async () => {
    const { error } = await run(
      new FakeClient().add(R.limitranges, lr([{ type: 'Container', max: { cpu: '1' }, default: { cpu: '1' } }])),
      pod([{ name: 'web', image: 'x' }]),
    );
    expect(error).toBe('');
  });
});
