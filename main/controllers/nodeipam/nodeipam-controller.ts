// Node IPAM controller (upstream pkg/controller/nodeipam, range allocator): every node gets one /24 of the cluster
// CIDR in spec.podCIDR and spec.podCIDRs. Docker nodes claim theirs on their engine first (main/api/pod-cidr-claim.ts).
import type { Node } from 'kubernetes-types/core/v1';
import type { KubeObject } from '../../api/object';
import { POD_CIDR_ANNOTATIONS } from '../../api/pod-cidr-claim';
import { EventRecorder } from '../../client/events';
import { R } from '../../client/types';
import { WorkQueue } from '../../client/workqueue';
import { logger } from '../../log';
import type { Controller, ControllerContext } from '../common/context';
import { errMessage } from '../common/context';
import { decideNodeCidr, podCIDRsOf } from './nodeipam-decisions';

const log = logger('nodeipam-controller');
type N = Node & KubeObject;

const MERGE = 'application/merge-patch+json';
const dropNotes = Object.fromEntries(Object.values(POD_CIDR_ANNOTATIONS).map((k) => [k, null]));

export class NodeIpamController implements Controller {
  readonly name = 'nodeipam';
  private queue = new WorkQueue({ baseDelayMs: 200, maxDelayMs: 30_000 });
  private nodeInf;
  private recorder: EventRecorder;
  /** /24s handed out (offered or assigned) before the cache shows them: upstream's cidrset marks them at once */
  private reserved = new Map<string, string>();

  constructor(
    private readonly ctx: ControllerContext,
    private readonly clusterCidr: string,
  ) {
    this.nodeInf = ctx.informers.for<N>(R.nodes);
    this.recorder = new EventRecorder(ctx.client, { component: 'cidrAllocator' });
  }

  init(): void {
    const enqueue = (n: N) => this.queue.add(n.metadata.name!);
    this.nodeInf.addHandlers({
      add: enqueue,
      update: (_o, n) => enqueue(n),
      delete: (n) => {
        // ReleaseCIDR: its /24 is free again, and a node that found none may get it now
        this.reserved.delete(n.metadata.name!);
        for (const other of this.nodeInf.list()) if (!podCIDRsOf(other).length) enqueue(other);
      },
    });
  }

  run(): void {
    log.info('allocating node pod CIDRs', { clusterCIDR: this.clusterCidr });
    void this.queue.run(
      (k) => this.sync(k),
      1,
      (key, err) => log.warn('sync failed', { node: key, error: errMessage(err) }),
    );
  }

  stop(): void {
    this.queue.shutDown();
  }

  /** Every other node's /24: assigned, offered, or just handed out by this controller. */
  private taken(except: string): string[] {
    const out: string[] = [];
    for (const n of this.nodeInf.list()) {
      if (n.metadata.name === except) continue;
      out.push(...podCIDRsOf(n));
      const offer = n.metadata.annotations?.[POD_CIDR_ANNOTATIONS.offer];
      if (offer) out.push(offer);
    }
    for (const [name, cidr] of this.reserved) if (name !== except) out.push(cidr);
    return out;
  }

  async sync(name: string): Promise<void> {
    const node = this.nodeInf.getByName(name);
    if (!node) {
      this.reserved.delete(name);
      return;
    }
    const action = decideNodeCidr(node, this.taken(name), this.clusterCidr);
    switch (action.kind) {
      case 'none':
        if (podCIDRsOf(node).length) this.reserved.delete(name);
        return;
      case 'clean':
        this.reserved.delete(name);
        await this.patch(name, { metadata: { annotations: dropNotes } });
        return;
      case 'offer':
        this.reserved.set(name, action.cidr);
        if (action.keep) return;
        await this.patch(name, { metadata: { annotations: { [POD_CIDR_ANNOTATIONS.offer]: action.cidr, [POD_CIDR_ANNOTATIONS.claimed]: null } } });
        log.info('offered a pod CIDR for the node to claim on its engine', { node: name, cidr: action.cidr });
        return;
      case 'assign':
        this.reserved.set(name, action.cidr);
        await this.patch(name, { metadata: { annotations: dropNotes }, spec: { podCIDR: action.cidr, podCIDRs: [action.cidr] } });
        log.info('set node pod CIDR', { node: name, cidr: action.cidr });
        return;
      case 'unavailable':
        void this.recorder.normal(node, 'CIDRNotAvailable', `Node ${name} status is now: CIDRNotAvailable`);
        throw new Error(`CIDR allocation failed; there are no remaining CIDRs left to allocate in the accepted range (${this.clusterCidr})`);
    }
  }

  private async patch(name: string, body: unknown): Promise<void> {
    try {
      await this.ctx.client.patch(R.nodes, name, MERGE, body);
    } catch (e) {
      if ((e as { code?: number }).code === 404) return; // deleted meanwhile: the delete handler releases it
      this.reserved.delete(name);
      throw e;
    }
  }
}
