// Services by name from inside pods. Every Docker node's pods share a user-defined network (`kubelab-<cluster id>`),
// whose embedded DNS (127.0.0.11) resolves network aliases. Per Service and per Docker node the lab runs one relay
// container (resources/sandbox/relay.c, a static C program imported as kubelab/relay:<version>) on that network, with
// the aliases `<svc>`, `<svc>.<ns>` and `<svc>.<ns>.svc.cluster.local`. It listens on each Service port and forwards
// each TCP connection round robin to the ready endpoints' ip:targetPort, given as arguments. When the endpoints or
// ports change the relay is recreated (its config hash is a label); when the Service goes, so does the relay; a
// restarted lab adopts relays by their labels. Limits: only endpoints on the relay's own node are reachable (another
// engine's network is not routable from here), and aliases are global to the network, so `<svc>` resolves from
// every namespace, not only the Service's own. Headless Services get a relay too (their name does not resolve to pod IPs).
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type Docker from 'dockerode';
import type { Endpoints, Service } from 'kubernetes-types/core/v1';
import tar from 'tar-stream';
import type { KubeObject } from '../api/object';
import { objectKey } from '../api/object';
import { serviceHasSelector } from '../api/selectors';
import type { Informer } from '../client/informer';
import { WorkQueue } from '../client/workqueue';
import { logger } from '../log';
import { LABEL } from '../runtime/types';
import { pauseBinaryPath, SANDBOX_VERSION } from '../runtime/docker/sandbox-image';
import { backendsFor } from './balancer';

const log = logger('proxy');
type Svc = Service & KubeObject;
type Ep = Endpoints & KubeObject;

export const RELAY_IMAGE = `kubelab/relay:${SANDBOX_VERSION}`;
/** Which Service (namespace/name) a relay container serves. */
export const SERVICE_LABEL = 'kubelab.io/service';
/** Hash of the relay's arguments and aliases: a different hash means recreate. */
export const RELAY_CONFIG_LABEL = 'kubelab.io/relay-config';
const COMPONENT_LABEL = 'kubelab.io/component';

/** What the proxy needs of a Docker node (DockerRuntime fits). */
export interface RelayNode {
  nodeName: string;
  clusterId: string;
  docker: Docker;
  networkName: string;
  ensureNetwork(): Promise<unknown>;
}

export interface RelaySpec {
  /** `PORT=IP:PORT,...` per Service port with at least one ready endpoint on the node */
  args: string[];
  aliases: string[];
}

/** The DNS names a Service answers to inside pods. */
export function serviceAliases(name: string, namespace: string): string[] {
  return [name, `${name}.${namespace}`, `${name}.${namespace}.svc`, `${name}.${namespace}.svc.cluster.local`];
}

/**
 * What one node's relay for a Service should run: TCP ports with the ready endpoints on that node. Undefined when
 * the Service needs no relay (gone, ExternalName, no TCP port, or no selector and no endpoint on the node).
 */
export function relaySpec(svc: Service | undefined, ep: Endpoints | undefined, nodeName: string): RelaySpec | undefined {
  if (!svc?.metadata?.name || svc.spec?.type === 'ExternalName') return undefined;
  const ports = (svc.spec?.ports ?? []).filter((p) => (p.protocol ?? 'TCP') === 'TCP');
  if (ports.length === 0) return undefined;
  const args: string[] = [];
  for (const p of ports) {
    const backends = backendsFor(ep, p).filter((b) => b.nodeName === nodeName);
    if (backends.length === 0) continue; // nothing listens: a connection is refused, as kube-proxy rejects it
    args.push(`${p.port}=${backends.map((b) => `${b.ip}:${b.port}`).join(',')}`);
  }
  // a Service without selector (as `kubernetes`, whose endpoint is the API server on the host) needs a relay only for endpoints here
  if (args.length === 0 && !serviceHasSelector(svc.spec?.selector)) return undefined;
  return { args, aliases: serviceAliases(svc.metadata.name, svc.metadata.namespace ?? 'default') };
}

export function relayConfigHash(spec: RelaySpec, image: string): string {
  return createHash('sha256').update(JSON.stringify({ image, ...spec })).digest('hex').slice(0, 16);
}

/** A tar stream holding just /relay (mode 0755), for `docker import`. */
function relayTar(binary: Buffer): NodeJS.ReadableStream {
  const pack = tar.pack();
  pack.entry({ name: 'relay', mode: 0o755, uid: 0, gid: 0, mtime: new Date(0) }, binary);
  pack.finalize();
  return pack as unknown as NodeJS.ReadableStream;
}

const imageReady = new WeakMap<Docker, Promise<string>>();

/** Imports kubelab/relay:<version> into the engine from our static binary, once per engine. */
export function ensureRelayImage(docker: Docker): Promise<string> {
  let p = imageReady.get(docker);
  if (!p) {
    p = (async () => {
      try {
        await docker.getImage(RELAY_IMAGE).inspect();
        return RELAY_IMAGE;
      } catch (e) {
        if ((e as { statusCode?: number }).statusCode !== 404) throw e;
      }
      const { Arch: arch } = await docker.version();
      const binPath = join(dirname(pauseBinaryPath(arch)), `relay-linux-${arch}`);
      if (!existsSync(binPath)) throw new Error(`no relay binary for ${arch} at ${binPath} (build it with scripts/build-pause.sh): Services are not reachable by name from pods`);
      const [repo, tag] = RELAY_IMAGE.split(/:(?=[^:/]+$)/);
      const stream = await docker.importImage(relayTar(await readFile(binPath)), { repo, tag, changes: ['CMD ["/relay"]', `LABEL ${COMPONENT_LABEL}=relay`] } as Record<string, unknown>);
      await new Promise<void>((resolve, reject) =>
        docker.modem.followProgress(stream, (err: Error | null, out: { error?: string }[]) => (err ? reject(err) : out?.find((o) => o.error) ? reject(new Error(out.find((o) => o.error)!.error)) : resolve())),
      );
      log.info('imported relay image', { image: RELAY_IMAGE, arch });
      return RELAY_IMAGE;
    })();
    p.catch(() => imageReady.delete(docker));
    imageReady.set(docker, p);
  }
  return p;
}

const statusCode = (e: unknown) => (e as { statusCode?: number }).statusCode;

/** Keeps one relay container per Service on every Docker node, following Services and Endpoints. */
export class ServiceRelays {
  private queue = new WorkQueue({ baseDelayMs: 200, maxDelayMs: 30_000 });
  private started = false;

  constructor(
    private readonly nodes: RelayNode[],
    private readonly svcInf: Informer<Svc>,
    private readonly epInf: Informer<Ep>,
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
    void this.queue.run((k) => this.sync(k), 1, (key, err) => log.warn('relay sync failed', { key, error: String(err) }));
  }

  stop(): void {
    this.queue.shutDown();
  }

  /** The lab added or removed a Docker node (the shared nodes array changed): bring every Service's relays in line. */
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
    await Promise.all(this.nodes.map((n) => this.syncNode(n, key, relaySpec(svc, ep, n.nodeName)).catch((e) => errors.push(`${n.nodeName}: ${(e as Error).message}`))));
    if (errors.length) throw new Error(errors.join('; '));
  }

  private async syncNode(n: RelayNode, key: string, spec: RelaySpec | undefined): Promise<void> {
    const existing = await this.listRelays(n, key);
    const image = spec ? await ensureRelayImage(n.docker) : '';
    const hash = spec ? relayConfigHash(spec, image) : '';
    let keep = false;
    for (const c of existing) {
      if (spec && !keep && c.Labels[RELAY_CONFIG_LABEL] === hash && c.State === 'running') {
        keep = true; // adopted: already what we want
        continue;
      }
      try {
        await n.docker.getContainer(c.Id).remove({ force: true });
      } catch (e) {
        if (statusCode(e) !== 404 && statusCode(e) !== 409) throw e;
      }
      log.info('relay removed', { service: key, node: n.nodeName, reason: spec ? 'endpoints or ports changed' : 'Service deleted' });
    }
    if (!spec || keep) return;
    await n.ensureNetwork();
    const [ns, name] = key.split('/');
    const c = await n.docker.createContainer({
      name: `kubelab-relay_${name}_${ns}_${n.clusterId.slice(0, 8)}_${hash.slice(0, 6)}`,
      Image: image,
      Cmd: ['/relay', ...spec.args],
      Labels: { [LABEL.cluster]: n.clusterId, [LABEL.node]: n.nodeName, [COMPONENT_LABEL]: 'relay', [SERVICE_LABEL]: key, [RELAY_CONFIG_LABEL]: hash },
      HostConfig: { NetworkMode: n.networkName, RestartPolicy: { Name: 'unless-stopped' } },
      NetworkingConfig: { EndpointsConfig: { [n.networkName]: { Aliases: spec.aliases } } },
    });
    await c.start();
    log.info('relay started', { service: key, node: n.nodeName, ports: spec.args.join(' ') || '(no ready endpoint on this node)' });
  }
}
