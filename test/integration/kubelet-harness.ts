// A real API server (memory store) with one kubelet on the real Docker engine: pods are created already
// bound (spec.nodeName), so these tests exercise the kubelet and the runtime without the scheduler.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import type { Event, Pod } from 'kubernetes-types/core/v1';
import { createApiServer, type ApiServer } from '../../main/apiserver/index';
import { ensurePki, writeKubeconfig } from '../../main/apiserver/pki';
import { createStreamHandler } from '../../main/apiserver/streams/index';
import { adminUser } from '../../main/apiserver/authn';
import type { KubeObject } from '../../main/api/object';
import { R, type Client } from '../../main/client/types';
import { Kubelet, type KubeletOptions } from '../../main/kubelet/index';
import { NodeSet } from '../../main/kubelet/node-set';
import { DockerRuntime } from '../../main/runtime/docker/index';
import { ensureSandboxImage } from '../../main/runtime/docker/sandbox-image';
import type { DataPlaneMode } from '../../main/runtime/docker/data-plane';
import { LABEL } from '../../main/runtime/types';
import { memoryStore } from '../../main/store/index';
import { strategies as servedStrategies, strategyFor } from '../../main/apiserver/registry/index';
import type { ResourceStrategy } from '../../main/apiserver/registry/types';
import { setLogLevel } from '../../main/log';
import { kubectlPath, mainSocket } from '../fixtures/env';
import { ControllerManager } from '../../main/controllers/index';
import { hostname } from 'node:os';
import type { Tracer, TraceStep, PodRef } from '../../main/trace/types';

setLogLevel((process.env.KUBELAB_LOG as 'debug') ?? 'warn');

const VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];

/** The registry's strategies, plus plain ones for what the kubelet touches that the registry does not serve yet. */
export function kubeletStrategies(): ResourceStrategy[] {
  const plain = (group: string, kind: string, resource: string, namespaced: boolean, subresources: string[] = []): ResourceStrategy =>
    strategyFor(group, resource) ?? { group, version: 'v1', kind, resource, singular: kind.toLowerCase(), namespaced, verbs: VERBS, subresources };
  const extra = [
    plain('', 'Namespace', 'namespaces', false, ['status', 'finalize']),
    plain('', 'Node', 'nodes', false, ['status']),
    plain('', 'Event', 'events', true),
    plain('', 'ConfigMap', 'configmaps', true),
    plain('', 'Secret', 'secrets', true),
    plain('', 'ServiceAccount', 'serviceaccounts', true, ['token']),
    plain('coordination.k8s.io', 'Lease', 'leases', true),
  ];
  return [...servedStrategies, ...extra.filter((e) => !servedStrategies.includes(e))];
}

export interface Harness {
  api: ApiServer;
  client: Client;
  docker: Docker;
  runtime: DockerRuntime;
  kubelet: Kubelet;
  clusterId: string;
  nodeName: string;
  dataDir: string;
  steps: Array<{ pod: PodRef; step: TraceStep }>;
  /** resolves with the first step recorded from now on that matches (a milestone of the flow, as it happens) */
  stepSeen(match: (s: { pod: PodRef; step: TraceStep }) => boolean): Promise<{ pod: PodRef; step: TraceStep }>;
  /** https://127.0.0.1:PORT and an admin bearer token, for raw clients */
  apiUrl: string;
  token: string;
  /** the real kubectl against the API server's HTTPS front */
  kubectl(args: string[], opts?: { input?: string; timeoutMs?: number }): Promise<{ code: number; stdout: string; stderr: string }>;
  /** a fresh kubelet on the same data dir (a lab restart); `freshRuntime`: on a new runtime too, as a restarted process has */
  restartKubelet(opts?: { freshRuntime?: boolean }): Promise<Kubelet>;
  close(): Promise<void>;
}

export interface HarnessOptions extends KubeletOptions {
  socketPath?: string;
  /** hostPorts bind beyond loopback (the lab-wide --expose-ports) */
  exposePorts?: boolean;
  /** how the lab reaches pod ports (DockerRuntime's dataPlane); default auto */
  dataPlane?: DataPlaneMode;
  /** the pods' range, one /24 per node; default the lab's 10.244.0.0/16 */
  clusterCIDR?: string;
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const clusterId = `t${randomBytes(4).toString('hex')}`;
  const nodeName = `kl-${clusterId}`;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'kubelab-kubelet-'));
  // as a lab's data dir: other labs' sweeps see this lab alive (main/runtime/docker/lab-objects.ts)
  await writeFile(path.join(dataDir, 'cluster-id'), `${clusterId}\n`);
  const api = createApiServer({ store: memoryStore(), strategies: kubeletStrategies() });
  await api.bootstrap();
  const client = api.client(adminUser);
  // the node set a lab's cluster owns, with this one node: logs, exec and port-forward reach its kubelet through it
  const nodeSet = new NodeSet();
  api.setStreamHandler(createStreamHandler({ client, kubelets: nodeSet }));
  const pki = await ensurePki(path.join(dataDir, 'api'));
  const server = await api.listen({ port: 0, key: pki.key, cert: pki.cert, tokens: { admin: pki.tokens.admin } });
  const kubeconfig = await writeKubeconfig(path.join(dataDir, 'api'), pki, `https://127.0.0.1:${server.port}`);
  const kubectl: Harness['kubectl'] = (args, o = {}) =>
    new Promise((resolve) => {
      const child = execFile(
        kubectlPath,
        args,
        { env: { ...process.env, KUBECONFIG: kubeconfig, HOME: dataDir }, timeout: o.timeoutMs ?? 60_000 },
        (err, stdout, stderr) => {
          const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
      if (o.input !== undefined) child.stdin!.end(o.input);
    });
  const { socketPath, dataPlane, clusterCIDR, exposePorts, ...kubeletOpts } = opts;
  const docker = new Docker({ socketPath: socketPath ?? mainSocket });
  const newRuntime = () =>
    new DockerRuntime({
      docker,
      clusterId,
      nodeName,
      sandboxImage: () => ensureSandboxImage(docker),
      owner: { dataDir, host: hostname() },
      dataPlane,
      exposePorts,
    });
  const runtime = newRuntime();
  nodeSet.add({ name: nodeName, kind: 'docker', docker });
  // the node's podCIDR, claimed on the engine as in the lab: the kubelet's pods get addresses from it
  const ipam = new ControllerManager({ client, options: { controllers: ['nodeipam'], ...(clusterCIDR ? { clusterCIDR } : {}) } });
  await ipam.start();
  const steps: Harness['steps'] = [];
  const stepWaiters = new Set<(s: { pod: PodRef; step: TraceStep }) => void>();
  const tracer: Tracer = {
    record: (pod, step) => {
      steps.push({ pod, step });
      for (const w of [...stepWaiters]) w({ pod, step });
    },
  };
  const stepSeen: Harness['stepSeen'] = (match) =>
    new Promise((resolve) => {
      const w = (s: { pod: PodRef; step: TraceStep }) => {
        if (!match(s)) return;
        stepWaiters.delete(w);
        resolve(s);
      };
      stepWaiters.add(w);
    });
  const make = () =>
    new Kubelet({ client, runtime: h.runtime, nodeName, tracer, options: { clusterId, dataDir, relistMs: 300, heartbeatMs: 1000, ...kubeletOpts } });
  const h: Harness = {
    api,
    client,
    docker,
    runtime,
    kubelet: undefined as unknown as Kubelet,
    clusterId,
    nodeName,
    dataDir,
    steps,
    stepSeen,
    kubectl,
    apiUrl: `https://127.0.0.1:${server.port}`,
    token: pki.tokens.admin,
    async restartKubelet(o = {}) {
      nodeSet.clearKubelet(nodeName);
      await h.kubelet.stop();
      if (o.freshRuntime) h.runtime = newRuntime();
      h.kubelet = make();
      await h.kubelet.start();
      nodeSet.setKubelet(nodeName, h.kubelet, h.runtime);
      return h.kubelet;
    },
    async close() {
      await h.kubelet.stop();
      ipam.stop();
      await server.close();
      await removeAllOf(docker, clusterId);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  h.kubelet = make();
  await h.kubelet.start();
  nodeSet.setKubelet(nodeName, h.kubelet, h.runtime);
  return h;
}

/** Remove everything this test cluster created in the engine (only what carries its cluster label). */
export async function removeAllOf(docker: Docker, clusterId: string): Promise<void> {
  const list = await docker.listContainers({ all: true, filters: { label: [`${LABEL.cluster}=${clusterId}`] } });
  await Promise.all(
    list.map((c) =>
      docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => undefined),
    ),
  );
  const vols = await docker.listVolumes({ filters: { label: [`${LABEL.cluster}=${clusterId}`] } });
  for (const v of vols.Volumes ?? [])
    await docker
      .getVolume(v.Name)
      .remove()
      .catch(() => undefined);
  const nets = await docker.listNetworks({ filters: { label: [`${LABEL.cluster}=${clusterId}`] } });
  for (const n of nets)
    await docker
      .getNetwork(n.Id)
      .remove()
      .catch(() => undefined);
}

export function podManifest(name: string, nodeName: string, spec: Partial<Pod['spec']>): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { nodeName, ...spec } } as KubeObject;
}

export async function getPod(client: Client, name: string): Promise<Pod> {
  return client.get<Pod & KubeObject>(R.pods, name, 'default');
}

/** Poll until fn returns a truthy value (or throw with the last seen state). */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 60_000, everyMs = 200): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export async function podEvents(client: Client, name: string): Promise<Event[]> {
  const list = await client.list<Event & KubeObject>(R.events, { namespace: 'default' });
  return list.items
    .filter((e) => e.involvedObject.name === name)
    .sort(
      (a, b) =>
        String(a.firstTimestamp ?? '').localeCompare(String(b.firstTimestamp ?? '')) ||
        Number(a.metadata?.resourceVersion) - Number(b.metadata?.resourceVersion),
    );
}

export async function ourContainers(docker: Docker, clusterId: string, podName?: string) {
  const filters = [`${LABEL.cluster}=${clusterId}`, ...(podName ? [`${LABEL.podName}=${podName}`] : [])];
  return docker.listContainers({ all: true, filters: { label: filters } });
}
