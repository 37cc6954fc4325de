import { describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1';
import { buildEnv, EnvError, expandVars } from '../../../main/kubelet/env';

describe('expandVars', () => {
  const vars: Record<string, string> = { A: 'a', B: 'b' };
  it.each([
    ['$(A)', 'a'],
    ['x-$(A)-$(B)', 'x-a-b'],
    ['$$(A)', '$(A)'],
    ['$(MISSING)', '$(MISSING)'],
    ['$A', '$A'],
    ['$(A', '$(A'],
    ['', ''],
  ])('%s -> %s', (input, want) => expect(expandVars(input, (n) => vars[n])).toBe(want));
});

const pod: Pod = {
  metadata: { name: 'web', namespace: 'ns1', uid: 'u1', labels: { app: 'web' } },
  spec: { nodeName: 'node-a', containers: [{ name: 'app', image: 'img', resources: { limits: { cpu: '500m', memory: '64Mi' } } }] },
  status: { podIP: '10.1.2.3' },
};
const b64 = (s: string) => Buffer.from(s).toString('base64');
const sources = {
  configMap: async (_ns: string, name: string) => (name === 'cfg' ? { metadata: { name }, data: { MODE: 'fast', LEVEL: '3' } } : undefined),
  secret: async (_ns: string, name: string) => (name === 'sec' ? { metadata: { name }, data: { PASSWORD: b64('s3cret') } } : undefined),
  nodeName: 'node-a',
  hostIP: '172.18.0.1',
};

describe('buildEnv', () => {
  it('resolves every source kind, in upstream order', async () => {
    const env = await buildEnv(
      pod,
      {
        name: 'app',
        image: 'img',
        envFrom: [{ configMapRef: { name: 'cfg' }, prefix: 'CFG_' }],
        env: [
          { name: 'GREETING', value: 'hello' },
          { name: 'MSG', value: '$(GREETING) world, mode $(CFG_MODE)' },
          { name: 'FROM_CM', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'LEVEL' } } },
          { name: 'PASS', valueFrom: { secretKeyRef: { name: 'sec', key: 'PASSWORD' } } },
          { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
          { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
          { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
          { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1m' } } },
          { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
        ],
      },
      sources,
    );
    expect(Object.fromEntries(env.map((e) => [e.name, e.value]))).toEqual({
      CFG_MODE: 'fast',
      CFG_LEVEL: '3',
      GREETING: 'hello',
      MSG: 'hello world, mode fast',
      FROM_CM: '3',
      PASS: 's3cret',
      POD_NAME: 'web',
      POD_IP: '10.1.2.3',
      NODE: 'node-a',
      APP: 'web',
      CPU: '500',
      MEM: '64',
    });
  });

  it.each([
    { name: 'missing configmap', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'nope', key: 'k' } } }], msg: 'configmap "nope" not found' },
    { name: 'missing key', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'k' } } }], msg: "couldn't find key k in ConfigMap ns1/cfg" },
    { name: 'missing secret', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'nope', key: 'k' } } }], msg: 'secret "nope" not found' },
  ])('$name fails with upstream wording', async ({ env, msg }) => {
    await expect(buildEnv(pod, { name: 'app', env }, sources)).rejects.toThrow(new EnvError(msg));
  });

  it('optional references are skipped', async () => {
    const env = await buildEnv(pod, { name: 'app', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'nope', key: 'k', optional: true } } }] }, sources);
    expect(env).toEqual([]);
  });
});
