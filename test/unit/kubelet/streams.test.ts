import { describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1';
import { pickContainer } from '../../../main/apiserver/streams/index';
import { demuxBuffer, dockerName } from '../../../main/runtime/docker/index';

const pod = (names: string[], inits: string[] = [], annotation?: string): Pod => ({
  metadata: { name: 'web', ...(annotation ? { annotations: { 'kubectl.kubernetes.io/default-container': annotation } } : {}) },
  spec: { containers: names.map((name) => ({ name })), initContainers: inits.map((name) => ({ name })) },
});

describe('pickContainer (logs/exec without -c, as upstream)', () => {
  it.each([
    { name: 'the only container', pod: pod(['app']), req: undefined, want: 'app' },
    { name: 'a named container', pod: pod(['app', 'side']), req: 'side', want: 'side' },
    { name: 'an init container by name', pod: pod(['app'], ['init']), req: 'init', want: 'init' },
    { name: 'the default-container annotation', pod: pod(['app', 'side'], [], 'side'), req: undefined, want: 'side' },
    {
      name: 'several and none named',
      pod: pod(['app', 'side'], ['init']),
      req: undefined,
      err: 'a container name must be specified for pod web, choose one of: [app side] or one of the init containers: [init]',
    },
    { name: 'an unknown name', pod: pod(['app']), req: 'nope', err: 'container nope is not valid for pod web' },
  ])('$name', ({ pod: p, req, want, err }) => {
    if (err) expect(() => pickContainer(p, req)).toThrow(err);
    else expect(pickContainer(p, req)).toBe(want);
  });
});

describe('Docker helpers', () => {
  it('demultiplexes Docker log frames into plain text', () => {
    const frame = (type: number, text: string) => {
      const h = Buffer.alloc(8);
      h[0] = type;
      h.writeUInt32BE(Buffer.byteLength(text), 4);
      return Buffer.concat([h, Buffer.from(text)]);
    };
    expect(demuxBuffer(Buffer.concat([frame(1, 'out\n'), frame(2, 'err\n'), frame(1, 'more\n')])).toString()).toBe('out\nerr\nmore\n');
    expect(demuxBuffer(Buffer.from('plain tty text\n')).toString()).toBe('plain tty text\n');
  });

  it('names containers as dockershim did', () => {
    expect(dockerName('nginx', { uid: 'u-1', name: 'nginx-pod', namespace: 'default' }, 2)).toBe('k8s_nginx_nginx-pod_default_u-1_2');
  });
});
