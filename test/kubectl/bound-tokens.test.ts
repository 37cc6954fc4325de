// Bound service-account tokens as upstream: `kubectl create token` with --audience, --duration and
// --bound-object-kind Pod; the token authenticates against the API while its pod lives (and only for the API's
// audience), and stops the moment the pod is deleted or replaced; TokenReview says the same and why.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ISSUER, TokenSigner } from '../../main/apiserver/authn';
import { startApi, type TestApi } from './harness';

const payload = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));

describe('kubectl: bound service account tokens', () => {
  let t: TestApi;
  const admin = async (args: string[], input?: string) => {
    const r = await t.kubectl(args, { input });
    expect(r.code, r.stderr).toBe(0);
    return r.stdout;
  };
  /** `kubectl get pods` with only this token: what a workload holding it can do */
  const getPodsWith = (token: string) => t.kubectl(['get', 'pods', '-o', 'name', `--token=${token}`]);
  const review = async (token: string, audiences?: string[]) =>
    // create-only kinds have no PATCH operation for kubectl's OpenAPI v3 check, which then wants v2: hence no validation
    JSON.parse(
      await admin(
        ['create', '--validate=false', '-o', 'json', '-f', '-'],
        JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token, ...(audiences ? { audiences } : {}) } }),
      ),
    );
  const pod = (name: string, sa = 'reader') =>
    JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { serviceAccountName: sa, containers: [{ name: 'c', image: 'busybox' }] } });

  beforeAll(async () => {
    t = await startApi({ server: { serviceAccountMaxTokenExpirationSeconds: 86_400 } });
    await admin(['create', 'serviceaccount', 'reader']);
    await admin(['create', 'serviceaccount', 'other']);
    await admin(['create', 'rolebinding', 'reader-view', '--clusterrole=view', '--serviceaccount=default:reader']);
    await admin(['create', '-f', '-'], pod('web'));
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('binds a token to a pod, with upstream claims and the duration asked for', async () => {
    const token = (await admin(['create', 'token', 'reader', '--bound-object-kind=Pod', '--bound-object-name=web', '--duration=2h'])).trim();
    const uid = await admin(['get', 'pod', 'web', '-o', 'jsonpath={.metadata.uid}']);
    const saUid = await admin(['get', 'serviceaccount', 'reader', '-o', 'jsonpath={.metadata.uid}']);
    const c = payload(token);
    expect(c.exp - c.iat).toBe(7200);
    expect(c.nbf).toBe(c.iat);
    expect(c.aud).toEqual([ISSUER]);
    expect(c.sub).toBe('system:serviceaccount:default:reader');
    expect(c['kubernetes.io']).toEqual({ namespace: 'default', pod: { name: 'web', uid }, serviceaccount: { name: 'reader', uid: saUid } });
    const r = await getPodsWith(token);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('pod/web\n');
    const rv = await review(token);
    expect(rv.status.authenticated).toBe(true);
    expect(rv.status.user.username).toBe('system:serviceaccount:default:reader');
    expect(rv.status.user.extra['authentication.kubernetes.io/pod-name']).toEqual(['web']);
    expect(rv.status.user.extra['authentication.kubernetes.io/pod-uid']).toEqual([uid]);
    expect(rv.status.audiences).toEqual([ISSUER]);
  });

  it('refuses a token once its pod is deleted, and when a new pod of the same name replaced it', async () => {
    await admin(['create', '-f', '-'], pod('short-lived'));
    const token = (await admin(['create', 'token', 'reader', '--bound-object-kind=Pod', '--bound-object-name=short-lived'])).trim();
    expect((await getPodsWith(token)).code).toBe(0);
    await admin(['delete', 'pod', 'short-lived', '--grace-period=0', '--force']);
    const gone = await getPodsWith(token);
    expect(gone.code).not.toBe(0);
    expect(gone.stderr).toContain('error: You must be logged in to the server (Unauthorized)');
    expect((await review(token)).status).toEqual({ authenticated: false, user: {}, error: 'pod default/short-lived has been deleted' });
    await admin(['create', '-f', '-'], pod('short-lived'));
    const replaced = await getPodsWith(token);
    expect(replaced.stderr).toContain('(Unauthorized)');
    expect((await review(token)).status.error).toMatch(/^pod UID \([0-9a-f-]+\) does not match claim \([0-9a-f-]+\)$/);
  });

  it('accepts a token for another audience only where that audience is asked for, never at the API', async () => {
    const token = (await admin(['create', 'token', 'reader', '--audience=https://vault.example', '--bound-object-kind=Pod', '--bound-object-name=web'])).trim();
    expect(payload(token).aud).toEqual(['https://vault.example']);
    const r = await getPodsWith(token);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('(Unauthorized)');
    expect((await review(token)).status.error).toBe(`token audiences ["https://vault.example"] is invalid for the target audiences ["${ISSUER}"]`);
    const asVault = await review(token, ['https://vault.example']);
    expect(asVault.status.authenticated).toBe(true);
    expect(asVault.status.audiences).toEqual(['https://vault.example']);
  });

  it("gives the kubelet's projected token (3607 s, bound to its pod) a year, marked to warn after the hour, as upstream", async () => {
    const uid = await admin(['get', 'pod', 'web', '-o', 'jsonpath={.metadata.uid}']);
    // what the kubelet sends for a pod's kube-api-access volume
    const res = await t.request(
      'POST',
      '/api/v1/namespaces/default/serviceaccounts/reader/token',
      JSON.stringify({
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { audiences: [], expirationSeconds: 3607, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'web', uid } },
      }),
    );
    expect(res.status, res.body).toBe(201);
    const c = payload(JSON.parse(res.body).status.token);
    expect(c['kubernetes.io'].warnafter).toBe(c.iat + 3607);
    expect(c.exp - c.iat).toBe(365 * 24 * 3600);
    expect(c['kubernetes.io'].pod).toEqual({ name: 'web', uid });
  });

  it('refuses a token that is not valid yet', async () => {
    const token = (await admin(['create', 'token', 'reader'])).trim();
    const c = payload(token);
    // the lab's own signing key (in the data dir): the same claims, but not before an hour from now
    const early = new TokenSigner(t.dir).sign({ ...c, nbf: c.iat + 3600 });
    expect((await getPodsWith(early)).stderr).toContain('(Unauthorized)');
    expect((await review(early)).status.error).toBe('service account token is not valid yet');
    expect((await getPodsWith(token)).code).toBe(0);
  });

  it('bounds the duration: at least 10 minutes, capped by the lab-wide maximum with a warning', async () => {
    const short = await t.kubectl(['create', 'token', 'reader', '--duration=5m']);
    expect(short.code).not.toBe(0);
    expect(short.stderr).toContain(
      'TokenRequest.authentication.k8s.io "reader" is invalid: spec.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes',
    );
    const long = await t.kubectl(['create', 'token', 'reader', '--duration=48h']);
    expect(long.code, long.stderr).toBe(0);
    expect(long.stderr).toContain('Warning: requested expiration of 172800 seconds shortened to 86400 seconds');
    const c = payload(long.stdout.trim());
    expect(c.exp - c.iat).toBe(86_400);
  });

  it('refuses to bind to a pod of another service account, or to an object of another kind', async () => {
    const other = await t.kubectl(['create', 'token', 'other', '--bound-object-kind=Pod', '--bound-object-name=web']);
    expect(other.stderr).toContain(
      'error: failed to create token: cannot bind token for serviceaccount "other" to pod running with different serviceaccount name.',
    );
    const missing = await t.kubectl(['create', 'token', 'reader', '--bound-object-kind=Pod', '--bound-object-name=nope']);
    expect(missing.stderr).toContain('pods "nope" not found');
    const stale = await t.kubectl(['create', 'token', 'reader', '--bound-object-kind=Pod', '--bound-object-name=web', '--bound-object-uid=0000']);
    expect(stale.stderr).toContain(
      'Operation cannot be fulfilled on Pod "web": the UID in the bound object reference (0000) does not match the UID in record. The object might have been deleted and then recreated',
    );
  });
});
