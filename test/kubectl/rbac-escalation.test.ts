// RBAC escalation prevention as upstream's policybased storage: a service account allowed to write Roles and
// RoleBindings cannot grant what it does not hold, unless it may `escalate` (roles) or `bind` (the referenced role).
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type TestApi } from './harness';

const USER = 'system:serviceaccount:default:delegate';
const GROUPS = '(groups=["system:serviceaccounts" "system:serviceaccounts:default" "system:authenticated"])';
const notHeld = `user "${USER}" ${GROUPS} is attempting to grant RBAC permissions not currently held:`;

describe('kubectl: RBAC escalate and bind checks', () => {
  let t: TestApi;
  let asDelegate: { kubeconfig: string };
  const admin = async (args: string[]) => {
    const r = await t.kubectl(args);
    expect(r.code, r.stderr).toBe(0);
    return r;
  };
  beforeAll(async () => {
    t = await startApi();
    await admin(['create', 'serviceaccount', 'delegate']);
    await admin([
      'create',
      'role',
      'rbac-manager',
      '--verb=create,get,list,update,patch',
      '--resource=roles.rbac.authorization.k8s.io,rolebindings.rbac.authorization.k8s.io',
    ]);
    await admin(['create', 'role', 'pod-viewer', '--verb=get,list', '--resource=pods']);
    await admin(['create', 'rolebinding', 'delegate-rbac', '--role=rbac-manager', '--serviceaccount=default:delegate']);
    await admin(['create', 'rolebinding', 'delegate-pods', '--role=pod-viewer', '--serviceaccount=default:delegate']);
    const token = await admin(['create', 'token', 'delegate']);
    const cfg = parse(readFileSync(t.kubeconfig, 'utf8'));
    cfg.users = [{ name: 'delegate', user: { token: token.stdout.trim() } }];
    cfg.contexts[0].context.user = 'delegate';
    asDelegate = { kubeconfig: join(t.dir, 'delegate.kubeconfig') };
    await writeFile(asDelegate.kubeconfig, stringify(cfg), { mode: 0o600 });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('lets it create a Role with rules it holds', async () => {
    const r = await t.kubectl(['create', 'role', 'pod-reader', '--verb=get,list', '--resource=pods'], asDelegate);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('role.rbac.authorization.k8s.io/pod-reader created\n');
  });

  it('refuses a Role with rules it does not hold, with upstream message, and stores nothing', async () => {
    const r = await t.kubectl(['create', 'role', 'pod-deleter', '--verb=get,delete,deletecollection', '--resource=pods,secrets'], asDelegate);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`Error from server (Forbidden): roles.rbac.authorization.k8s.io "pod-deleter" is forbidden: ${notHeld}\n`);
    // compacted per resource as upstream: the verbs of one resource on one line, sorted lines
    expect(r.stderr).toContain(
      '{APIGroups:[""], Resources:["pods"], Verbs:["delete" "deletecollection"]}\n{APIGroups:[""], Resources:["secrets"], Verbs:["get" "delete" "deletecollection"]}',
    );
    const get = await t.kubectl(['get', 'role', 'pod-deleter']);
    expect(get.stderr).toContain('roles.rbac.authorization.k8s.io "pod-deleter" not found');
  });

  it('refuses an update of a Role that adds what it does not hold', async () => {
    const r = await t.kubectl(['patch', 'role', 'pod-reader', '--type=json', '-p', '[{"op":"add","path":"/rules/0/verbs/-","value":"delete"}]'], asDelegate);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`roles.rbac.authorization.k8s.io "pod-reader" is forbidden: ${notHeld}\n{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}`);
    const verbs = await admin(['get', 'role', 'pod-reader', '-o', 'jsonpath={.rules[0].verbs}']);
    expect(verbs.stdout).toBe('["get","list"]');
  });

  it('binds a role it holds, and refuses to bind one it does not (admin), naming what it lacks', async () => {
    const ok = await t.kubectl(['create', 'rolebinding', 'pod-reader-to-default', '--role=pod-reader', '--serviceaccount=default:default'], asDelegate);
    expect(ok.code, ok.stderr).toBe(0);
    const r = await t.kubectl(['create', 'rolebinding', 'grab-admin', '--clusterrole=admin', '--serviceaccount=default:delegate'], asDelegate);
    expect(r.code).not.toBe(0);
    // kubectl words its own prefix for `create rolebinding`; the server's message follows it
    expect(r.stderr).toContain(`error: failed to create rolebinding: rolebindings.rbac.authorization.k8s.io "grab-admin" is forbidden: ${notHeld}\n`);
    expect(r.stderr).toMatch(/^\{APIGroups:\[""\], Resources:\["pods"\], Verbs:\[[^\]]*"create"[^\]]*\]\}$/m);
    expect((await t.kubectl(['auth', 'can-i', 'delete', 'pods'], asDelegate)).stdout).toBe('no\n');
  });

  it('binds a role it does not hold once it may `bind` that very role, and only that one', async () => {
    const before = await t.kubectl(['create', 'rolebinding', 'edit-to-default', '--clusterrole=edit', '--serviceaccount=default:default'], asDelegate);
    expect(before.stderr).toContain('rolebindings.rbac.authorization.k8s.io "edit-to-default" is forbidden: user');
    await admin(['create', 'role', 'edit-binder', '--verb=bind', '--resource=clusterroles.rbac.authorization.k8s.io', '--resource-name=edit']);
    await admin(['create', 'rolebinding', 'delegate-binds-edit', '--role=edit-binder', '--serviceaccount=default:delegate']);
    const after = await t.kubectl(['create', 'rolebinding', 'edit-to-default', '--clusterrole=edit', '--serviceaccount=default:default'], asDelegate);
    expect(after.code, after.stderr).toBe(0);
    const other = await t.kubectl(['create', 'rolebinding', 'admin-to-default', '--clusterrole=admin', '--serviceaccount=default:default'], asDelegate);
    expect(other.stderr).toContain(`rolebindings.rbac.authorization.k8s.io "admin-to-default" is forbidden: ${notHeld}`);
  });

  it('creates a Role beyond its own rules once it may `escalate` roles', async () => {
    await admin(['create', 'role', 'role-escalator', '--verb=escalate', '--resource=roles.rbac.authorization.k8s.io']);
    await admin(['create', 'rolebinding', 'delegate-escalates', '--role=role-escalator', '--serviceaccount=default:delegate']);
    const r = await t.kubectl(['create', 'role', 'pod-deleter', '--verb=delete', '--resource=pods'], asDelegate);
    expect(r.code, r.stderr).toBe(0);
  });

  it('refuses a ClusterRoleBinding the same way (a cluster-scoped grant it cannot make)', async () => {
    await admin(['create', 'clusterrole', 'crb-writer', '--verb=create', '--resource=clusterrolebindings.rbac.authorization.k8s.io']);
    await admin(['create', 'clusterrolebinding', 'delegate-crb', '--clusterrole=crb-writer', '--serviceaccount=default:delegate']);
    const r = await t.kubectl(
      ['create', 'clusterrolebinding', 'grab-cluster-admin', '--clusterrole=cluster-admin', '--serviceaccount=default:delegate'],
      asDelegate,
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(
      `clusterrolebindings.rbac.authorization.k8s.io "grab-cluster-admin" is forbidden: ${notHeld}\n{APIGroups:["*"], Resources:["*"], Verbs:["*"]}\n{NonResourceURLs:["*"], Verbs:["*"]}`,
    );
  });

  it('refuses an aggregationRule to anyone short of * on *.*', async () => {
    await admin(['create', 'clusterrole', 'cr-writer', '--verb=create', '--resource=clusterroles.rbac.authorization.k8s.io']);
    await admin(['create', 'clusterrolebinding', 'delegate-cr', '--clusterrole=cr-writer', '--serviceaccount=default:delegate']);
    const r = await t.kubectl(['create', 'clusterrole', 'gatherer', '--aggregation-rule=example.com/aggregate=true'], asDelegate);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('clusterroles.rbac.authorization.k8s.io "gatherer" is forbidden: must have cluster-admin privileges to use the aggregationRule');
    // the admin (system:masters) may, and the rule is kept (kubectl sends it as protobuf)
    await admin(['create', 'clusterrole', 'gatherer', '--aggregation-rule=example.com/aggregate=true']);
    const kept = await admin(['get', 'clusterrole', 'gatherer', '-o', 'jsonpath={.aggregationRule.clusterRoleSelectors[0].matchLabels}']);
    expect(JSON.parse(kept.stdout)).toEqual({ 'example.com/aggregate': 'true' });
  });
});
