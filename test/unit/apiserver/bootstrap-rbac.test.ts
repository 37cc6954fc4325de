// A lab restarted on a data dir from an older version: its default ClusterRoles gain the rules they lack,
// as upstream's RBAC auto-reconciliation does, so a controller that now watches more can start.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../main/api/object';
import { createApiServer } from '../../../main/apiserver/index';
import { setLogSink } from '../../../main/log';
import { memoryStore } from '../../../main/store/index';

setLogSink(() => {});

const KEY = '/registry/rbac.authorization.k8s.io/clusterroles/system:kube-controller-manager';
type Role = KubeObject & { rules: { apiGroups?: string[]; resources?: string[] }[] };
const grants = (role: Role, group: string) => role.rules.some((r) => r.apiGroups?.includes(group));

describe('bootstrap on a store from an older lab', () => {
  it('adds the rules a default ClusterRole lacks, keeps rules added to it, and leaves autoupdate=false roles alone', async () => {
    const store = memoryStore();
    await createApiServer({ store }).bootstrap();
    const fresh = store.get(KEY)!.value as Role;
    const revision = store.revision;
    await createApiServer({ store }).bootstrap();
    expect(store.revision, 'a restart on the same version writes nothing').toBe(revision);
    expect(grants(fresh, 'discovery.k8s.io')).toBe(true);
    // as a lab from before EndpointSlices stored it: no discovery.k8s.io, plus a rule a user added
    const older = fresh.rules.map((r) => ({ ...r, apiGroups: r.apiGroups?.filter((g) => g !== 'discovery.k8s.io') }));
    const old = { ...fresh, rules: [...older, { apiGroups: ['x.io'], resources: ['widgets'], verbs: ['get'] }] };
    await store.update(KEY, old, store.get(KEY)!.modRevision);

    await createApiServer({ store }).bootstrap();
    const after = store.get(KEY)!.value as Role;
    expect(grants(after, 'discovery.k8s.io')).toBe(true);
    expect(grants(after, 'x.io')).toBe(true);

    const pinned = { ...after, metadata: { ...after.metadata, annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'false' } }, rules: [] };
    await store.update(KEY, pinned, store.get(KEY)!.modRevision);
    await createApiServer({ store }).bootstrap();
    expect((store.get(KEY)!.value as Role).rules).toEqual([]);
  });
});
