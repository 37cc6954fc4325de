// The API server with the real kubectl, on what the first round left: a typed create sent as protobuf
// (`kubectl create quota`), wrong JSON types refused as upstream, and Service addresses allocated
// against the stored Services, so a restarted lab never hands out a ClusterIP or NodePort twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServe, type Serve } from '../fixtures/serve';

let lab: Serve;

const kubectl = async (...args: string[]) => {
  const r = await lab.kubectl(args);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
};

interface Svc {
  metadata: { name: string };
  spec: { clusterIP: string; ports: { nodePort?: number }[] };
}
const services = async () => (JSON.parse(await kubectl('get', 'services', '-A', '-o', 'json')) as { items: Svc[] }).items;

beforeAll(async () => {
  lab = await startServe({ virtualNodes: 1 });
});

afterAll(async () => {
  await lab?.stop();
});

describe('API server hardening with kubectl', () => {
  it('kubectl create quota (a protobuf body) creates the ResourceQuota with its hard limits', async () => {
    expect(await kubectl('create', 'quota', 'q1', '--hard=pods=2,requests.cpu=500m,limits.memory=1Gi')).toContain('resourcequota/q1 created');
    const q = JSON.parse(await kubectl('get', 'quota', 'q1', '-o', 'json')) as { spec: { hard: Record<string, string> } };
    expect(q.spec.hard).toEqual({ pods: '2', 'requests.cpu': '500m', 'limits.memory': '1Gi' });
    expect(await kubectl('create', 'quota', 'q2', '--hard=pods=1', '--scopes=BestEffort')).toContain('resourcequota/q2 created');
    expect(JSON.parse(await kubectl('get', 'quota', 'q2', '-o', 'json')).spec.scopes).toEqual(['BestEffort']);
  });

  it('a manifest with a wrong type is refused with the decoding error, whatever --validate says', async () => {
    const manifest = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'typed', labels: { n: 5 } } });
    for (const validate of ['--validate=strict', '--validate=false']) {
      const r = await lab.kubectl(['create', validate, '-f', '-'], { input: manifest });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string');
    }
    expect((await lab.kubectl(['get', 'configmap', 'typed'])).code).not.toBe(0);
  });

  it('kubectl explain shows IntOrString fields with their description', async () => {
    const out = await kubectl('explain', 'deployment.spec.strategy.rollingUpdate.maxSurge');
    expect(out).toContain('FIELD: maxSurge <IntOrString>');
    expect(out).toContain('IntOrString is a type that can hold an int32 or a string');
  });

  it('after a restart, new Services get ClusterIPs and NodePorts no stored Service holds', async () => {
    for (let i = 0; i < 6; i++) await kubectl('create', 'service', 'nodeport', `before-${i}`, '--tcp=80:80');
    const dataDir = lab.dataDir;
    await lab.stop({ keepDataDir: true });
    lab = await startServe({ dataDir, virtualNodes: 1 });
    const before = await services();
    // ask for the addresses the stored Services hold: each is refused as upstream
    const taken = before.find((s) => s.metadata.name === 'before-0')!;
    const ip = await lab.kubectl(['create', 'service', 'clusterip', 'same-ip', '--tcp=80:80', `--clusterip=${taken.spec.clusterIP}`]);
    expect(ip.code).not.toBe(0);
    expect(ip.stderr).toContain('provided IP is already allocated');
    const port = await lab.kubectl(['create', 'service', 'nodeport', 'same-port', '--tcp=80:80', `--node-port=${taken.spec.ports[0].nodePort}`]);
    expect(port.code).not.toBe(0);
    expect(port.stderr).toContain('provided port is already allocated');
    for (let i = 0; i < 6; i++) await kubectl('create', 'service', 'nodeport', `after-${i}`, '--tcp=80:80');
    const all = await services();
    expect(all).toHaveLength(before.length + 6);
    const ips = all.map((s) => s.spec.clusterIP);
    const ports = all.flatMap((s) => s.spec.ports.map((p) => p.nodePort)).filter((p) => p !== undefined);
    expect(new Set(ips).size).toBe(ips.length);
    expect(new Set(ports).size).toBe(ports.length);
    expect(ports).toHaveLength(12);
  });
});
