// The kubelet's side of its node's pod CIDR: it reports what its engine uses, claims the /24 the nodeipam controller
// offers by making the engine's pod network with it (main/api/pod-cidr-claim.ts), and hands the node's spec.podCIDR
// to the runtime, as upstream's kubelet calls the CRI's UpdateRuntimeConfig when its Node gets one.
import type { Node } from 'kubernetes-types/core/v1';
import type { KubeObject } from '../api/object';
import { POD_CIDR_ANNOTATIONS as A, splitCidrList } from '../api/pod-cidr-claim';
import { Informer } from '../client/informer';
import { R, type Client } from '../client/types';
import { logger } from '../log';
import type { ContainerRuntime } from '../runtime/types';

const log = logger('kubelet');
type N = Node & KubeObject;

export class PodCIDRManager {
  /** the podCIDR handed to the runtime */
  applied?: string;
  private inf: Informer<N>;
  private chain: Promise<void> = Promise.resolve();
  /** the offer being claimed, so watch events that arrive meanwhile do not claim it twice */
  private claiming?: string;
  private stopped = false;
  /** why the runtime could not put the podCIDR in effect (its engine's network), for the Ready condition */
  private applyError?: string;

  constructor(
    private readonly client: Client,
    private readonly nodeName: string,
    private readonly runtime: ContainerRuntime,
    private readonly onReady: (cidr: string) => void,
  ) {
    this.inf = new Informer<N>(client, R.nodes, { fieldSelector: `metadata.name=${nodeName}` });
  }

  /** True when the runtime claims its /24 on an engine (and so cannot run pods before it has one). */
  get claims(): boolean {
    return !!this.runtime.claimPodCIDR && !!this.runtime.podCIDRConstraints;
  }

  /** Why pods cannot get addresses yet (undefined: they can), worded as upstream's runtime network status. */
  notReady(): string | undefined {
    if (!this.claims || this.applied) return undefined;
    const why = this.applyError ?? 'the node has no podCIDR yet (the nodeipam controller assigns one)';
    return `container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:${why}`;
  }

  /** What the Node is registered with: a Docker node without a podCIDR reports what its engine uses. */
  async registrationAnnotations(existing?: Node): Promise<Record<string, string>> {
    if (!this.claims || existing?.spec?.podCIDR) return {};
    try {
      const c = await this.runtime.podCIDRConstraints!();
      return { [A.unavailable]: c.unavailable.join(','), ...(c.preferred ? { [A.preferred]: c.preferred } : {}) };
    } catch (e) {
      log.warn("cannot read the engine's networks; the node gets no pod CIDR until it can", { node: this.nodeName, error: String((e as Error).message ?? e) });
      return {};
    }
  }

  /** Follows the Node; resolves once the cache synced and a podCIDR it already has is in effect. */
  async start(): Promise<void> {
    this.inf.addHandlers({ add: (n) => this.enqueue(n), update: (_o, n) => this.enqueue(n) });
    await this.inf.start();
    await this.chain;
  }

  stop(): void {
    this.stopped = true;
    this.inf.stop();
  }

  /** Goes over the Node again (a heartbeat): a claim or report that failed is retried. */
  resync(): Promise<void> {
    const n = this.inf.getByName(this.nodeName);
    if (n) this.enqueue(n, true);
    return this.chain;
  }

  private enqueue(n: N, retry = false): void {
    this.chain = this.chain
      .then(() => this.handle(n, retry))
      .catch((e) => log.warn('pod CIDR step failed', { node: this.nodeName, error: String((e as Error).message ?? e) }));
  }

  private async handle(n: N, retry: boolean): Promise<void> {
    if (this.stopped) return;
    const cidr = n.spec?.podCIDR;
    if (cidr) {
      if (cidr === this.applied) return;
      try {
        await this.runtime.updatePodCIDR?.(cidr);
      } catch (e) {
        this.applyError = `pod network for ${cidr}: ${(e as Error).message ?? e}`;
        throw e;
      }
      this.applyError = undefined;
      this.applied = cidr;
      log.info('node pod CIDR in effect', { node: this.nodeName, podCIDR: cidr });
      this.onReady(cidr);
      return;
    }
    if (!this.claims) return;
    const ann = n.metadata.annotations ?? {};
    if (!(A.unavailable in ann)) {
      // registered while the engine did not answer, or by an older lab: report now
      if (!retry) return;
      const report = await this.registrationAnnotations(n);
      if (Object.keys(report).length) await this.patch(report);
      return;
    }
    const offer = ann[A.offer];
    const unavailable = splitCidrList(ann[A.unavailable]);
    if (!offer || ann[A.claimed] === offer || unavailable.includes(offer) || (this.claiming === offer && !retry)) return;
    this.claiming = offer;
    const r = await this.runtime.claimPodCIDR!(offer);
    if (r.ok) {
      await this.patch({ [A.claimed]: offer });
      return;
    }
    log.info('the engine refused the offered pod CIDR; asking for another', { node: this.nodeName, offer, reason: r.reason });
    const now = await this.runtime.podCIDRConstraints!();
    const next = [...new Set([...unavailable, ...now.unavailable, offer])];
    await this.patch({ [A.unavailable]: next.join(','), [A.preferred]: now.preferred ?? null });
  }

  private async patch(annotations: Record<string, string | null>): Promise<void> {
    await this.client.patch(R.nodes, this.nodeName, 'application/merge-patch+json', { metadata: { annotations } });
  }
}
