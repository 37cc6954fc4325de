// Services by name from inside pods. Each Docker node's pods share that node's user-defined network
// (`kubelab-<cluster id>-<node>`), whose embedded DNS (127.0.0.11) resolves network aliases. Per Service and per Docker
// node the lab runs one relay container (resources/sandbox/relay.c, a static C program imported as
// kubelab/relay:<version>-<hash>) on that network, with the one alias `<svc>.<ns>.svc.cluster.local`: pods get the upstream
// search path (`<ns>.svc.cluster.local svc.cluster.local cluster.local`, ndots:5, set on the sandbox by the kubelet),
// so `web` and `web.<ns>` expand to it and `web` from another namespace finds that namespace's own Service, never this one.
// The relay listens on each Service port and forwards each TCP connection round robin to the ready endpoints'
// ip:targetPort. Its configuration comes through its stdin, held by the lab as a Docker attach stream: a new line
// per change of endpoints or ports, swapped without closing the listeners that stay, so a rolling update never finds
// the Service without a listener. A relay is recreated only when its image or alias changes (a label holds their
// hash); when the Service goes, so does the relay; a restarted lab adopts relays by their labels and attaches again.
// Endpoints on other nodes are included where the pod overlay (overlay.ts) carries traffic between the two nodes.
// Headless Services get a relay too (their name does not resolve to pod IPs).
import { createHash } from 'node:crypto';
import type Docker from 'dockerode';
import type { Endpoints, Service } from 'kubernetes-types/core/v1';
import { CLUSTER_DOMAIN } from '../api/defaults';
import type { KubeObject } from '../api/object';
import { objectKey } from '../api/object';
import { serviceHasSelector } from '../api/selectors';
import type { Informer } from '../client/informer';
import { WorkQueue } from '../client/workqueue';
import { logger } from '../log';
import { LABEL } from '../runtime/types';
import { ensureStaticImage } from '../runtime/docker/static-image';
import { backendsFor } from './balancer';
import type { OverlayNode } from './overlay';

const log = logger('proxy');
type Svc = Service & KubeObject;
type Ep = Endpoints & KubeObject;

/** Which Service (namespace/name) a relay container serves. */
export const SERVICE_LABEL = 'kubelab.io/service';
/** Hash of the relay's image and aliases: a different hash means recreate (backends and ports change through stdin). */
export const RELAY_CONFIG_LABEL = 'kubelab.io/relay-config';
const COMPONENT_LABEL = 'kubelab.io/component';

/** What the proxy needs of a Docker node (DockerRuntime fits). */
export interface RelayNode extends OverlayNode {
  nodeName: string;
  clusterId: string;
  docker: Docker;
  networkName: string;
  ensureNetwork(): Promise<unknown>;
  /** called once a relay container has started on the pod network (the overlay adds its route to other nodes) */
  joinedPodNetwork?(containerId: string): Promise<void>;
}

export interface RelaySpec {
  /** `PORT=IP:PORT,...` per Service port with at least one reachable ready endpoint */
  args: string[];
  aliases: string[];
}

/** The DNS names a Service answers to inside pods: only its fully qualified one; the pods' search path makes `<svc>` and `<svc>.<ns>` reach it. */
export function serviceAliases(name: string, namespace: string): string[] {
  return [`${name}.${namespace}.svc.${CLUSTER_DOMAIN}`];
}

/** The line a relay reads on stdin for a spec: its whole configuration. */
export const relayConfigLine = (spec: RelaySpec): string => `${spec.args.join(' ')}\n`;

/**
 * What one node's relay for a Service should run: TCP ports with the ready endpoints it can reach (on its own node,
 * or on a node `reachable` says the overlay connects it to). Undefined when the Service needs no relay (gone,
 * ExternalName, no TCP port, or no selector and no reachable endpoint).
 */
export function relaySpec(
  svc: Service | undefined,
  ep: Endpoints | undefined,
  nodeName: string,
  reachable: (node: string) => boolean = () => false,
): RelaySpec | undefined {
  if (!svc?.metadata?.name || svc.spec?.type === 'ExternalName') return undefined;
  const ports = (svc.spec?.ports ?? []).filter((p) => (p.protocol ?? 'TCP') === 'TCP');
  if (ports.length === 0) return undefined;
  const args: string[] = [];
  for (const p of ports) {
    const backends = backendsFor(ep, p).filter((b) => b.nodeName === nodeName || (!!b.nodeName && reachable(b.nodeName)));
    if (backends.length === 0) continue; // nothing listens: a connection is refused, as kube-proxy rejects it
    args.push(`${p.port}=${backends.map((b) => `${b.ip}:${b.port}`).join(',')}`);
  }
  // a Service without selector (as `kubernetes`, whose endpoint is the API server on the host) needs a relay only for endpoints here
  if (args.length === 0 && !serviceHasSelector(svc.spec?.selector)) return undefined;
  return { args, aliases: serviceAliases(svc.metadata.name, svc.metadata.namespace ?? 'default') };
}

export function relayConfigHash(spec: RelaySpec, image: string): string {
  return createHash('sha256')
    .update(JSON.stringify({ image, aliases: spec.aliases }))
    .digest('hex')
    .slice(0, 16);
}

/** Imports kubelab/relay:<version>-<hash> into the engine from our static binary, once per engine. */
export const ensureRelayImage = (docker: Docker): Promise<string> => ensureStaticImage(docker, 'relay', 'Services are not reachable by name from pods');

const statusCode = (e: unknown) => (e as { statusCode?: number }).statusCode;

/** The lab's end of a relay's stdin. */
interface RelayConfigStream {
  containerId: string;
  stream: NodeJS.ReadWriteStream;
  /** the last line written */
  line?: string;
}

/** Keeps one relay container per Service on every Docker node, following Services and Endpoints. */
export class ServiceRelays {
  private queue = new WorkQueue({ baseDelayMs: 200, maxDelayMs: 30_000 });
  private started = false;
  private stopped = false;
  /** `<node>/<namespace>/<name>` -> the attached stdin of that relay */
  private streams = new Map<string, RelayConfigStream>();

  constructor(
    private readonly nodes: RelayNode[],
    private readonly svcInf: Informer<Svc>,
    private readonly epInf: Informer<Ep>,
    /** whether pods of node `from` reach pod IPs of node `to` (the overlay is up on both); default: only their own node */
    private readonly reachable: (from: string, to: string) => boolean = () => false,
  ) {}

  /** Call after the informers have synced. Relays of Services that went while the lab was down are swept. */
  async start(): Promise<void> {
    if (this.nodes.length === 0 || this.started) return;
    this.started = true;
    const enqueue = (o: KubeObject) => this.queue.add(objectKey(o));
    this.svcInf.addHandlers({ add: enqueue, update: (_o, n) => enqueue(n), delete: enqueue });
    this.epInf.addHandlers({ add: enqueue, update: (_o, n) => enqueue(n), delete: enqueue });
    for (const n of this.nodes) {
      try {
        for (const c of await this.listRelays(n)) this.queue.add(c.Labels[SERVICE_LABEL]);
      } catch (err) {
        log.warn('cannot list relays', { node: n.nodeName, error: String(err) });
      }
    }
    void this.queue.run(
      (k) => this.sync(k),
      1,
      (key, err) => log.warn('relay sync failed', { key, error: String(err) }),
    );
  }

  stop(): void {
    this.stopped = true;
    this.queue.shutDown();
    // the relays keep their last configuration: Docker keeps their stdin open (StdinOnce false)
    for (const s of this.streams.values()) s.stream.end();
    this.streams.clear();
  }

  /** The lab added or removed a Docker node (the shared nodes array changed), or which nodes reach which changed: bring every Service's relays in line. */
  async nodesChanged(): Promise<void> {
    if (!this.started) return this.start();
    for (const svc of this.svcInf.list()) this.queue.add(objectKey(svc));
  }

  private listRelays(n: RelayNode, svcKey?: string) {
    const label = [`${LABEL.cluster}=${n.clusterId}`, `${LABEL.node}=${n.nodeName}`, `${COMPONENT_LABEL}=relay`];
    if (svcKey) label.push(`${SERVICE_LABEL}=${svcKey}`);
    return n.docker.listContainers({ all: true, filters: { label } });
  }

  async sync(key: string): Promise<void> {
    const svc = this.svcInf.get(key);
    const ep = this.epInf.get(key);
    const errors: string[] = [];
    await Promise.all(
      this.nodes.map((n) =>
        this.syncNode(
          n,
          key,
          relaySpec(svc, ep, n.nodeName, (to) => this.reachable(n.nodeName, to)),
        ).catch((e) => errors.push(`${n.nodeName}: ${(e as Error).message}`)),
      ),
    );
    if (errors.length) throw new Error(errors.join('; '));
  }

  private async syncNode(n: RelayNode, key: string, spec: RelaySpec | undefined): Promise<void> {
    const existing = await this.listRelays(n, key);
    const image = spec ? await ensureRelayImage(n.docker) : '';
    const hash = spec ? relayConfigHash(spec, image) : '';
    let keep: string | undefined;
    for (const c of existing) {
      if (spec && !keep && c.Labels[RELAY_CONFIG_LABEL] === hash && c.State === 'running') {
        keep = c.Id; // adopted: already what we want
        continue;
      }
      this.forget(n, key, c.Id);
      try {
        await n.docker.getContainer(c.Id).remove({ force: true });
      } catch (e) {
        if (statusCode(e) !== 404 && statusCode(e) !== 409) throw e;
      }
      log.info('relay removed', { service: key, node: n.nodeName, reason: spec ? 'image or name changed' : 'Service deleted' });
    }
    if (!spec) return;
    if (keep) return this.configure(n, key, keep, spec);
    await n.ensureNetwork();
    const [ns, name] = key.split('/');
    const c = await n.docker.createContainer({
      name: `kubelab-relay_${name}_${ns}_${n.clusterId.slice(0, 8)}_${hash.slice(0, 6)}`,
      Image: image,
      Cmd: ['/relay', ...spec.args],
      // the configuration stream: stdin stays open across attaches (StdinOnce false), the relay reads a line per change
      OpenStdin: true,
      StdinOnce: false,
      AttachStdin: true,
      Labels: { [LABEL.cluster]: n.clusterId, [LABEL.node]: n.nodeName, [COMPONENT_LABEL]: 'relay', [SERVICE_LABEL]: key, [RELAY_CONFIG_LABEL]: hash },
      HostConfig: { NetworkMode: n.networkName, RestartPolicy: { Name: 'unless-stopped' } },
      NetworkingConfig: { EndpointsConfig: { [n.networkName]: { Aliases: spec.aliases } } },
    });
    await c.start();
    await n.joinedPodNetwork?.(c.id);
    log.info('relay started', { service: key, node: n.nodeName, ports: spec.args.join(' ') || '(no reachable ready endpoint)' });
    await this.configure(n, key, c.id, spec);
  }

  private forget(n: RelayNode, key: string, containerId?: string): void {
    const k = `${n.nodeName}/${key}`;
    const s = this.streams.get(k);
    if (s && (!containerId || s.containerId === containerId)) {
      this.streams.delete(k);
      s.stream.end();
    }
  }

  /** Writes the relay's configuration line to its stdin (attaching first when the lab holds no stream to it). */
  private async configure(n: RelayNode, key: string, containerId: string, spec: RelaySpec): Promise<void> {
    const k = `${n.nodeName}/${key}`;
    let s = this.streams.get(k);
    if (s && s.containerId !== containerId) {
      this.forget(n, key);
      s = undefined;
    }
    if (!s) {
      const stream = (await n.docker
        .getContainer(containerId)
        .attach({ stream: true, stdin: true, stdout: false, stderr: false, hijack: true })) as NodeJS.ReadWriteStream;
      const entry: RelayConfigStream = { containerId, stream };
      const lost = () => {
        if (this.streams.get(k) !== entry) return;
        this.streams.delete(k);
        // the relay stopped or restarted (its stdin attach ends): attach again and send the configuration
        if (!this.stopped) this.queue.addAfter(key, 500);
      };
      stream.on('error', lost);
      stream.on('end', lost);
      stream.on('close', lost);
      stream.resume();
      this.streams.set(k, entry);
      s = entry;
    }
    const line = relayConfigLine(spec);
    if (s.line === line) return;
    s.stream.write(line);
    s.line = line;
    log.info('relay configured', { service: key, node: n.nodeName, ports: spec.args.join(' ') || '(no reachable ready endpoint)' });
  }
}
