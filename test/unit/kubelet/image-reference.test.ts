import { describe, expect, it } from 'vitest';
import { isImageReference } from '../../../main/kubelet/images';

describe('isImageReference', () => {
  const rows: Array<[string, boolean]> = [
    ['nginx', true],
    ['nginx:1.22', true],
    ['kubelab-test/busybox:latest', true],
    ['127.0.0.1:5000/nginx:1.22', true],
    ['registry.k8s.io/pause:3.10', true],
    [`busybox@sha256:${'a'.repeat(64)}`, true],
    ['my_repo/a__b/c-d:v1.0-rc.1', true],
    ['', false],
    ['Nginx', false],
    ['busybox;touch /tmp/x', false],
    ['busybox $(id)', false],
    ['busybox:`id`', false],
    ['a/../b', false],
    ['nginx:', false],
    ['nginx::1', false],
    ['-nginx', false],
    ['nginx\nrm', false],
  ];
  it.each(rows)('%j -> %s', (image, ok) => {
    expect(isImageReference(image)).toBe(ok);
  });
});
