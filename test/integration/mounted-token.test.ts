// The token the kubelet mounts (a projected serviceAccountToken, as every pod's kube-api-access) is bound to its pod:
// it authenticates against the API while the pod lives and is refused (401) once the pod is deleted.
import { request } from 'node:https';
import type { Pod } from 'kubernetes-types/core/v1';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../main/api/object';
import { R } from '../../main/client/types';
import { images } from '../fixtures/env';
import { watchGone, watchUntil } from '../fixtures/watch';
import { podManifest, startHarness, type Harness } from './kubelet-harness';

/** a request with only this bearer token (the test's own API server on 127.0.0.1, fresh CA) */
const call = (h: Harness, token: string, method: string, path: string, body?: unknown) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      new URL(path, h.apiUrl),
      {
        method,
        rejectUnauthorized: false,
        headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(data ? { 'content-type': 'application/json' } : {}) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(data);
  });

describe('the token the kubelet mounts', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('carries its pod, authenticates while the pod lives, and is refused once it is deleted', async () => {
    await h.client.create(
      R.serviceaccounts,
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'robot', namespace: 'default' } },
      { namespace: 'default' },
    );
    const created = await h.client.create(
      R.pods,
      podManifest('holder', h.nodeName, {
        serviceAccountName: 'robot',
        terminationGracePeriodSeconds: 1,
        volumes: [{ name: 'tok', projected: { sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 3607 } }] } }],
        containers: [
          {
            name: 'app',
            image: images.busybox,
            imagePullPolicy: 'IfNotPresent',
            command: ['sleep', '3600'],
            volumeMounts: [{ name: 'tok', mountPath: '/var/run/secrets/tokens' }],
          },
        ],
      }),
      { namespace: 'default' },
    );
    const pod = await watchUntil<Pod & KubeObject>(h.client, R.pods, 'holder', 'holder Running', (p) => p.status?.phase === 'Running', {
      namespace: 'default',
      fromRevision: created.metadata.resourceVersion,
    });
    const id = pod.status!.containerStatuses![0].containerID!.slice('docker://'.length);
    const token = (await h.runtime.execSync(id, ['cat', '/var/run/secrets/tokens/token'], 5000)).stdout.trim();
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
    expect(claims['kubernetes.io'].pod).toEqual({ name: 'holder', uid: pod.metadata.uid });
    expect(claims['kubernetes.io'].serviceaccount.name).toBe('robot');

    // authenticated (it has no RBAC grant: 403, not 401), and TokenReview names the pod
    const before = await call(h, token, 'GET', '/api/v1/namespaces/default/pods');
    expect(before.status, before.body).toBe(403);
    expect(JSON.parse(before.body).message).toContain('User "system:serviceaccount:default:robot" cannot list resource "pods"');
    const review = (t: string) =>
      call(h, h.token, 'POST', '/apis/authentication.k8s.io/v1/tokenreviews', {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenReview',
        spec: { token: t },
      });
    expect(JSON.parse((await review(token)).body).status.user.extra['authentication.kubernetes.io/pod-name']).toEqual(['holder']);

    await h.client.delete(R.pods, 'holder', { namespace: 'default' });
    await watchGone(h.client, R.pods, 'holder', 'holder gone', { namespace: 'default', timeoutMs: 60_000 });
    const after = await call(h, token, 'GET', '/api/v1/namespaces/default/pods');
    expect(after.status).toBe(401);
    expect(JSON.parse((await review(token)).body).status).toEqual({ authenticated: false, user: {}, error: 'pod default/holder has been deleted' });
  });
});
