// Pod Security admission as a kubectl user meets it: the level a new namespace gets, refusals with upstream's
// message, `Warning:` lines for the warn level and for workload templates, and a level changed with kubectl label.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type TestApi } from './harness';

const privilegedPod = (ns: string, name = 'root') => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: ${ns}}
spec:
  containers:
  - name: c
    image: busybox:1.36
    securityContext: {privileged: true}
`;

describe('kubectl and Pod Security', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startApi();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('a namespace a user creates is enforced at baseline, shown as a label', async () => {
    expect((await t.kubectl(['create', 'namespace', 'team'])).code).toBe(0);
    const r = await t.kubectl(['get', 'namespace', 'team', '-o', 'jsonpath={.metadata.labels}']);
    expect(JSON.parse(r.stdout)).toEqual({ 'kubernetes.io/metadata.name': 'team', 'pod-security.kubernetes.io/enforce': 'baseline' });
    const sys = await t.kubectl(['get', 'namespace', 'kube-system', '-o', 'jsonpath={.metadata.labels.pod-security\\.kubernetes\\.io/enforce}']);
    expect(sys.stdout).toBe('privileged');
  });

  it("refuses a privileged pod there with upstream's message", async () => {
    const r = await t.kubectl(['apply', '-f', '-'], { input: privilegedPod('team') });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(
      'pods "root" is forbidden: violates PodSecurity "baseline:latest": privileged (container "c" must not set securityContext.privileged=true)',
    );
    expect((await t.kubectl(['get', 'pod', 'root', '-n', 'team'])).stderr).toContain('NotFound');
  });

  it('default runs it, with the warning baseline would give', async () => {
    const r = await t.kubectl(['apply', '-f', '-'], { input: privilegedPod('default') });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('Warning: would violate PodSecurity "baseline:latest": privileged (container "c" must not set securityContext.privileged=true)');
  });

  it('warns of a workload whose template would be refused, and of what restricted would refuse', async () => {
    expect((await t.kubectl(['label', 'namespace', 'team', 'pod-security.kubernetes.io/warn=restricted'])).code).toBe(0);
    const d = await t.kubectl(['create', 'deployment', 'web', '-n', 'team', '--image=nginx:1.25']);
    expect(d.code, d.stderr).toBe(0);
    expect(d.stderr).toContain(
      'Warning: would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "nginx" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "nginx" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "nginx" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "nginx" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    );
  });

  it('tightening a level warns of the pods already there; a bad level is refused', async () => {
    expect((await t.kubectl(['run', 'plain', '-n', 'team', '--image=nginx:1.25'])).code).toBe(0);
    const r = await t.kubectl(['label', '--overwrite', 'namespace', 'team', 'pod-security.kubernetes.io/enforce=restricted']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('Warning: existing pods in namespace "team" violate the new PodSecurity enforce level "restricted:latest"');
    expect(r.stderr).toContain('Warning: plain: allowPrivilegeEscalation != false, unrestricted capabilities, runAsNonRoot != true, seccompProfile');
    const bad = await t.kubectl(['label', '--overwrite', 'namespace', 'team', 'pod-security.kubernetes.io/enforce=strict']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain(
      'namespaces "team" is invalid: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "strict": must be one of privileged, baseline, restricted',
    );
  });

  it('relaxed with kubectl label, the same pod runs', async () => {
    expect(
      (
        await t.kubectl([
          'label',
          '--overwrite',
          'namespace',
          'team',
          'pod-security.kubernetes.io/enforce=privileged',
          'pod-security.kubernetes.io/warn=privileged',
        ])
      ).code,
    ).toBe(0);
    const r = await t.kubectl(['apply', '-f', '-'], { input: privilegedPod('team') });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
  });

  it('a field the runtime cannot honor comes back as a Warning line; user namespaces are refused', async () => {
    const r = await t.kubectl(['apply', '-f', '-'], {
      input: `apiVersion: v1
kind: Pod
metadata: {name: labelled, namespace: default}
spec:
  containers:
  - name: c
    image: busybox:1.36
    securityContext: {seLinuxOptions: {type: container_t}}
`,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe(
      'Warning: spec.containers[0].securityContext.seLinuxOptions: passed to Docker as label options, which take effect only on an engine with SELinux enabled\n',
    );
    const u = await t.kubectl(['run', 'userns', '--image=busybox:1.36', '--overrides={"spec":{"hostUsers":false}}']);
    expect(u.code).not.toBe(0);
    expect(u.stderr).toContain(`spec.hostUsers: Forbidden: user namespaces are not supported by the lab's container runtime`);
  });
});
