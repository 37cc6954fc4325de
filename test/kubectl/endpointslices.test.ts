// "The pod is added to the Service's endpoints" (seeds), as kubectl v1.32 shows it: `describe service` reads
// discovery.k8s.io/v1 EndpointSlices, written by the endpointslice controller against real Docker pods.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labSteps, startServe, type Serve } from '../fixtures/serve';
import { images } from '../fixtures/env';

let lab: Serve;
const { eventually, kubectl, json } = labSteps(() => lab);

const app = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: nginx
        image: ${images.nginx}
        ports: [{name: http, containerPort: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: http}]
`;

const unready = `
apiVersion: v1
kind: Pod
metadata: {name: web-unready, labels: {app: web}}
spec:
  terminationGracePeriodSeconds: 0
  containers:
  - name: c
    image: ${images.busybox}
    command: [sleep, '3600']
    ports: [{name: http, containerPort: 80}]
    readinessProbe: {exec: {command: ['false']}, periodSeconds: 1}
`;

type Slice = {
  metadata: { name: string };
  addressType: string;
  endpoints?: Array<{ addresses: string[]; conditions: { ready?: boolean; serving?: boolean; terminating?: boolean }; targetRef?: { name: string } }> | null;
  ports?: unknown[] | null;
};
const slices = async () => (await json<{ items: Slice[] }>('get', 'endpointslices', '-l', 'kubernetes.io/service-name=web')).items;
const readyPodIPs = async () =>
  (await json<{ items: any[] }>('get', 'pods', '-l', 'app=web')).items
    .filter((p) => !p.metadata.deletionTimestamp && p.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True'))
    .map((p) => p.status.podIP as string);
const endpointsLine = async () => ((await kubectl('describe', 'service', 'web')).match(/^Endpoints:[ \t]*(.*)$/m) ?? [])[1]?.trim();

beforeAll(async () => {
  lab = await startServe({ nodes: ['default'], timeoutMs: 90_000 });
}, 120_000);

afterAll(async () => {
  await lab?.stop();
}, 60_000);

describe('EndpointSlices with kubectl', () => {
  let ips: string[] = [];

  it('describe service lists both ready pods as IP:port, from one slice named <service>-xxxxx', async () => {
    await lab.kubectl(['apply', '-f', '-'], { input: app });
    ips = await eventually(
      async () => {
        const r = await readyPodIPs();
        return r.length === 2 && r;
      },
      90_000,
      '2 ready pods',
    );
    await eventually(
      async () => {
        const line = await endpointsLine();
        return ips.every((ip) => line?.split(',').includes(`${ip}:80`));
      },
      30_000,
      'describe service lists both pods',
    );
    const out = await kubectl('get', 'endpointslices', '-l', 'kubernetes.io/service-name=web');
    expect(out).toMatch(/^NAME\s+ADDRESSTYPE\s+PORTS\s+ENDPOINTS\s+AGE$/m);
    const row = out.split('\n').find((l) => l.startsWith('web-'))!;
    expect(row).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}\s+IPv4\s+80\s+\S+\s+\S+$/);
    expect(row.split(/\s+/)[3].split(',').sort()).toEqual([...ips].sort());
  });

  it('kubectl get endpointslice -o yaml reads like upstream: labels, controller ownerReference, conditions, targetRef, ports', async () => {
    const [s] = await slices();
    const yaml = await kubectl('get', 'endpointslice', s.metadata.name, '-o', 'yaml');
    expect(yaml).toMatch(/^addressType: IPv4$/m);
    expect(yaml).toMatch(/^apiVersion: discovery\.k8s\.io\/v1$/m);
    expect(yaml).toMatch(/^kind: EndpointSlice$/m);
    expect(yaml).toMatch(/^ {4}endpointslice\.kubernetes\.io\/managed-by: endpointslice-controller\.k8s\.io$/m);
    expect(yaml).toMatch(/^ {4}kubernetes\.io\/service-name: web$/m);
    expect(yaml).toMatch(/^ {2}generateName: web-$/m);
    expect(yaml).toMatch(/^ {2}- apiVersion: v1\n {4}blockOwnerDeletion: true\n {4}controller: true\n {4}kind: Service\n {4}name: web\n/m);
    expect(yaml).toMatch(
      /^- addresses:\n {2}- [\d.]+\n {2}conditions:\n {4}ready: true\n {4}serving: true\n {4}terminating: false\n {2}nodeName: \S+\n {2}targetRef:\n {4}kind: Pod\n/m,
    );
    expect(yaml).toMatch(/^ports:\n- name: ""\n {2}port: 80\n {2}protocol: TCP$/m);
    const described = await kubectl('describe', 'endpointslice', s.metadata.name);
    expect(described).toMatch(/^AddressType:\s+IPv4$/m);
    expect(described).toMatch(/^ {2}- Addresses:\s+[\d.]+$/m);
    expect(described).toMatch(/^ {6}Ready:\s+true$/m);
    expect(described).toMatch(/^ {4}TargetRef:\s+Pod\/web-/m);
  });

  it('a pod that is not ready is in the slice with ready=false, serving=false, and not on the describe Endpoints line', async () => {
    await lab.kubectl(['apply', '-f', '-'], { input: unready });
    const ep = await eventually(
      async () => {
        const all = (await slices()).flatMap((s) => s.endpoints ?? []);
        return all.find((e) => e.targetRef?.name === 'web-unready');
      },
      60_000,
      'the unready pod in a slice',
    );
    expect(ep.conditions).toEqual({ ready: false, serving: false, terminating: false });
    const line = await endpointsLine();
    expect(line).not.toContain(`${ep.addresses[0]}:`);
    expect(line?.split(',').sort()).toEqual(ips.map((ip) => `${ip}:80`).sort());
    await kubectl('delete', 'pod', 'web-unready', '--now');
  });

  it('scaled to 0: the slice has no endpoints and describe prints none', async () => {
    await kubectl('scale', 'deployment', 'web', '--replicas=0');
    await eventually(
      async () => {
        const s = await slices();
        return s.length === 1 && (s[0].endpoints ?? []).length === 0;
      },
      60_000,
      'an empty slice',
    );
    expect(['', '<none>']).toContain(await endpointsLine());
    const out = await kubectl('get', 'endpointslices', '-l', 'kubernetes.io/service-name=web');
    expect(out).toMatch(/^web-\w{5}\s+IPv4\s+<unset>\s+<unset>\s+\S+$/m);
  });

  it('kubectl explain and strict validation know EndpointSlice', async () => {
    const explain = await kubectl('explain', 'endpointslice.endpoints.conditions');
    expect(explain).toContain('GROUP:      discovery.k8s.io');
    expect(explain).toMatch(/serving\s+<boolean>/);
    const bad = await lab.kubectl(['create', '-f', '-'], {
      input: 'apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: bad}\nendpoints: [{addresses: []}]\nports: [{port: 80, protocol: HTTP}]\n',
    });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('The EndpointSlice "bad" is invalid');
    expect(bad.stderr).toContain('addressType: Required value');
    expect(bad.stderr).toContain('endpoints[0].addresses: Required value: must contain at least 1 address');
    expect(bad.stderr).toContain('ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"');
    const unknown = await lab.kubectl(['create', '-f', '-'], {
      input:
        'apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: odd}\naddressType: IPv4\nendpoints: [{addresses: [10.1.2.3], colour: red}]\n',
    });
    expect(unknown.stderr).toContain('unknown field "endpoints[0].colour"');
    const ok = await lab.kubectl(['create', '-f', '-'], {
      input:
        'apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: manual}\naddressType: IPv4\nendpoints: [{addresses: [10.1.2.3]}]\nports: [{port: 8080}]\n',
    });
    expect(ok.stdout).toContain('endpointslice.discovery.k8s.io/manual created');
    // defaulted as upstream: port name "" and protocol TCP
    expect((await json<Slice>('get', 'endpointslice', 'manual')).ports).toEqual([{ name: '', port: 8080, protocol: 'TCP' }]);
    const immutable = await lab.kubectl([
      'patch',
      'endpointslice',
      'manual',
      '--type=merge',
      '-p',
      '{"addressType":"IPv6","endpoints":[{"addresses":["fd00::1"]}]}',
    ]);
    expect(immutable.stderr).toContain('addressType: Invalid value: "IPv6": field is immutable');
    await kubectl('delete', 'endpointslice', 'manual');
  });

  it('a Service without selector shows the Endpoints written by hand, mirrored into a slice', async () => {
    const manual =
      'apiVersion: v1\nkind: Service\nmetadata: {name: db}\nspec: {ports: [{port: 5432}]}\n---\napiVersion: v1\nkind: Endpoints\nmetadata: {name: db}\nsubsets: [{addresses: [{ip: 10.1.2.3}], ports: [{port: 5432}]}]\n';
    expect((await lab.kubectl(['apply', '-f', '-'], { input: manual })).code).toBe(0);
    await eventually(
      async () => /^Endpoints:\s+10\.1\.2\.3:5432$/m.test(await kubectl('describe', 'service', 'db')),
      30_000,
      'describe lists the hand-written endpoint',
    );
    const out = await kubectl('get', 'endpointslices', '-l', 'endpointslice.kubernetes.io/managed-by=endpointslicemirroring-controller.k8s.io');
    expect(out).toMatch(/^db-\w{5}\s+IPv4\s+5432\s+10\.1\.2\.3\s+\S+$/m);
    await kubectl('delete', 'service', 'db');
    await eventually(
      async () => !(await kubectl('get', 'endpointslices', '-l', 'kubernetes.io/service-name=db')).includes('db-'),
      30_000,
      'mirrored slice gone',
    );
    await lab.kubectl(['delete', 'endpoints', 'db', '--ignore-not-found']);
  });

  it('deleting the Service removes its slices (garbage collector, through the ownerReference)', async () => {
    await kubectl('delete', 'service', 'web');
    await eventually(async () => (await slices()).length === 0, 30_000, 'slices gone');
    await kubectl('delete', 'deployment', 'web');
  });
});
