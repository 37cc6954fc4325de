import { describe, expect, it } from 'vitest';
import { aggregatedDiscovery } from '../../../main/apiserver/discovery';
import { ResourceRegistry } from '../../../main/apiserver/resources';
import { strategies } from '../../../main/apiserver/registry';
import { resourcesOfDiscovery } from '../../../main/bridge/api-http';
import { editable, kindsFromDiscovery, sidebarSections } from '../../../renderer/lib/kinds';
import { serverColumns } from '../../../renderer/lib/server-table';

const reg = new ResourceRegistry();
for (const s of strategies) reg.add(s);
reg.add({
  group: 'authorization.k8s.io',
  version: 'v1',
  kind: 'SelfSubjectAccessReview',
  resource: 'selfsubjectaccessreviews',
  singular: 'selfsubjectaccessreview',
  namespaced: false,
  verbs: ['create'],
});
reg.add({ group: 'example.com', version: 'v1', kind: 'Widget', resource: 'widgets', singular: 'widget', namespaced: true, verbs: ['get', 'list', 'watch'] });
const served = resourcesOfDiscovery(aggregatedDiscovery(reg, true), aggregatedDiscovery(reg, false));
const kinds = kindsFromDiscovery(served);
const byId = Object.fromEntries(kinds.map((k) => [k.id, k]));

describe('kinds from discovery', () => {
  it('lists every resource that can be listed and watched, and nothing create-only', () => {
    expect(Object.keys(byId)).toEqual(
      expect.arrayContaining([
        'pods',
        'cronjobs',
        'roles',
        'clusterrolebindings',
        'resourcequotas',
        'limitranges',
        'leases',
        'endpointslices',
        'serviceaccounts',
        'widgets',
      ]),
    );
    expect(byId.selfsubjectaccessreviews).toBeUndefined();
    expect(kinds.length).toBe(strategies.length + 1);
  });
  it("keeps hand-made columns where they exist, the server's Table elsewhere", () => {
    expect(byId.pods.columns?.map((c) => c.id)).toContain('restarts');
    expect(byId.pods.detail).toBe(true);
    expect(byId.cronjobs.columns).toBeUndefined();
    expect(byId.cronjobs.ref).toEqual({ group: 'batch', version: 'v1', resource: 'cronjobs', kind: 'CronJob', namespaced: true });
  });
  it('is read-only where discovery lists no update', () => {
    expect(editable(byId.configmaps)).toBe(true);
    expect(editable(byId.widgets)).toBe(false);
  });
  it('puts each kind in the sidebar section Lens and Headlamp use; an unplaced one under its API group', () => {
    const sections = Object.fromEntries(sidebarSections(kinds).map((s) => [s.title, s.items.map((k) => k.id)]));
    expect(sections.workloads.slice(0, 3)).toEqual(['pods', 'deployments', 'replicasets']);
    expect(sections.access).toEqual(['serviceaccounts', 'roles', 'clusterroles', 'rolebindings', 'clusterrolebindings']);
    expect(sections['group:example.com']).toEqual(['widgets']);
  });
});

describe('server Table columns', () => {
  const table = {
    columns: [
      { name: 'Name', type: 'string', format: 'name', priority: 0 },
      { name: 'Schedule', type: 'string', priority: 0 },
      { name: 'Active', type: 'integer', priority: 0 },
      { name: 'Age', type: 'string', priority: 0 },
      { name: 'Containers', type: 'string', priority: 1 },
    ],
    rows: [{ name: 'nightly', namespace: 'default', cells: ['nightly', '@daily', 2, '5m', 'c'] }],
  };
  const o = { metadata: { name: 'nightly', namespace: 'default', creationTimestamp: '2026-01-01T00:00:00Z' } };
  it("shows what kubectl get prints: name, namespace, the server's cells, a live age; wide columns left out", () => {
    const cols = serverColumns(table, true);
    expect(cols.map((c) => c.title ?? c.id)).toEqual(['name', 'namespace', 'Schedule', 'Active', 'age']);
    const now = new Date('2026-01-01T03:00:00Z');
    expect(cols.map((c) => c.value(o, now))).toEqual(['nightly', 'default', '@daily', '2', '3h']);
    expect(cols[3].sort?.(o)).toBe(2);
  });
});
