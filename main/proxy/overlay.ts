// The pod overlay's switch, in the lab's process (flannel's UDP backend with the lab as the wire): every Docker
// node runs a node agent (runtime/docker/node-agent.ts) that hands the lab, through its Docker attach stream, each
// packet a local pod sends to another node's podCIDR; the switch looks up which node's podCIDR holds the destination
// and writes the packet to that node's agent, which delivers it to the pod. The engines are reached only through
// their Docker API sockets, so nodes behind a VM or on a remote host join the same flat network.
import type { NodeAgent, OverlayState } from '../runtime/docker/node-agent';
import { ipv4Destination } from '../runtime/docker/node-agent';
import { contains, parseCidr4, type Cidr4 } from '../api/cidr';
import { logger } from '../log';

const log = logger('overlay');

/** What the switch needs of a Docker node (DockerRuntime fits). */
export interface OverlayNode {
  nodeName: string;
  agent: NodeAgent;
}

export interface OverlayCounters {
  /** packets relayed to another node's agent */
  relayed: number;
  /** packets whose destination no node with the overlay up holds, or whose agent's queue was full */
  dropped: number;
}

/** Pure: the node whose podCIDR holds an address, among nodes with the overlay up. */
export function nodeFor(dest: string, nodes: Array<{ nodeName: string; podCIDR: Cidr4 }>): string | undefined {
  const ip = parseCidr4(`${dest}/32`);
  if (!ip) return undefined;
  return nodes.find((n) => contains(n.podCIDR, ip))?.nodeName;
}

export class PodOverlay {
  readonly counters: OverlayCounters = { relayed: 0, dropped: 0 };
  private attached = new Map<string, { agent: NodeAgent; off: () => void }>();

  constructor(
    private readonly nodes: OverlayNode[],
    /** called when a node's overlay comes up or goes off (the Service relays then reach more or fewer endpoints) */
    private readonly changed: () => void = () => undefined,
  ) {}

  /** Whether pods of node `from` reach pod IPs of node `to`. */
  reachable(from: string, to: string): boolean {
    const up = (name: string) => this.nodes.find((n) => n.nodeName === name)?.agent.state.state === 'up';
    return from !== to && up(from) && up(to);
  }

  /** Follows the nodes array (changed in place by the lab): attaches to new agents, lets go of removed ones. */
  sync(): void {
    for (const n of this.nodes) {
      if (this.attached.get(n.nodeName)?.agent === n.agent) continue;
      this.attached.get(n.nodeName)?.off();
      const onPacket = (p: Buffer) => this.forward(n.nodeName, p);
      const onState = (s: OverlayState) => {
        log.info('node overlay state', { node: n.nodeName, state: s.state });
        this.changed();
      };
      n.agent.on('packet', onPacket);
      n.agent.on('state', onState);
      this.attached.set(n.nodeName, {
        agent: n.agent,
        off: () => {
          n.agent.off('packet', onPacket);
          n.agent.off('state', onState);
        },
      });
    }
    for (const [name, a] of this.attached) {
      if (this.nodes.some((n) => n.nodeName === name && n.agent === a.agent)) continue;
      a.off();
      void a.agent.stop();
      this.attached.delete(name);
    }
  }

  private forward(from: string, packet: Buffer): void {
    const dest = ipv4Destination(packet);
    const targets = this.nodes.flatMap((n) =>
      n.nodeName !== from && n.agent.state.state === 'up' ? [{ nodeName: n.nodeName, podCIDR: parseCidr4(n.agent.state.podCIDR)!, agent: n.agent }] : [],
    );
    const to = dest ? nodeFor(dest, targets) : undefined;
    const target = targets.find((t) => t.nodeName === to);
    if (!target) {
      this.counters.dropped++;
      return;
    }
    if (target.agent.send(packet)) this.counters.relayed++;
    else this.counters.dropped++;
  }

  /** Detaches from every node's agent and removes the agents (nothing switches their packets once the lab stops). */
  async stop(): Promise<void> {
    const stops: Promise<void>[] = [];
    for (const a of this.attached.values()) {
      a.off();
      stops.push(a.agent.stop());
    }
    this.attached.clear();
    await Promise.all(stops);
  }
}
