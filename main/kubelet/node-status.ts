// Node registration, status heartbeats through nodes/status, and the node Lease in kube-node-lease,
// as upstream's kubelet node status manager and node lease controller.
import os from 'node:os';
import type { Node, NodeCondition } from 'kubernetes-types/core/v1';
import type { Lease } from 'kubernetes-types/coordination/v1';
import { isStatusError } from '../api/errors';
import type { KubeObject } from '../api/object';
import { R, type Client } from '../client/types';
import { logger } from '../log';
import type { ImageInfo, OverlayCondition, RuntimeInfo } from '../runtime/types';
import { RUNTIME_ANNOTATION } from '../api/pod-cidr-claim';

const log = logger('kubelet');

export const KUBELET_VERSION = 'v1.32.4-kubelab';
export const MAX_NODE_IMAGES = 50;

export interface NodeStatusInput {
  nodeName: string;
  info?: RuntimeInfo;
  /** why the runtime could not be reached */
  runtimeError?: string;
  images: ImageInfo[];
  previous?: NodeCondition[];
  now: string;
  virtual?: boolean;
  /** why pods cannot get addresses yet (no podCIDR): the node is not Ready, as upstream's NetworkReady=false */
  networkNotReady?: string;
  /** the pod overlay on this node (PodOverlay condition), where the runtime has one */
  overlay?: OverlayCondition;
}

/** The condition saying whether this node's pods reach pods of other nodes (the lab's pod overlay). */
export const OVERLAY_CONDITION = 'PodOverlay';

const ki = (bytes: number) => `${Math.floor(bytes / 1024)}Ki`;

function cond(type: string, status: 'True' | 'False' | 'Unknown', reason: string, message: string, now: string, previous?: NodeCondition[]): NodeCondition {
  const prev = previous?.find((c) => c.type === type);
  return {
    type,
    status,
    lastHeartbeatTime: now,
    lastTransitionTime: prev && prev.status === status && prev.lastTransitionTime ? prev.lastTransitionTime : now,
    reason,
    message,
  };
}

/** The node's labels: hostname, os, arch (and the beta ones kubectl still shows). */
export function nodeLabels(nodeName: string, info: RuntimeInfo | undefined, virtual?: boolean): Record<string, string> {
  const osName = info?.os ?? 'linux';
  const arch = info?.arch ?? 'amd64';
  return {
    'kubernetes.io/hostname': nodeName,
    'kubernetes.io/os': osName,
    'kubernetes.io/arch': arch,
    'beta.kubernetes.io/os': osName,
    'beta.kubernetes.io/arch': arch,
    ...(virtual ? { 'kubelab.io/virtual': 'true' } : {}),
  };
}

/** Pure: the status the kubelet reports for its node. */
export function nodeStatus(input: NodeStatusInput): Node['status'] {
  const { info, now, previous } = input;
  const ready = !!info && !input.runtimeError;
  const network = ready && !input.networkNotReady;
  const conditions: NodeCondition[] = [
    cond(
      'MemoryPressure',
      ready ? 'False' : 'Unknown',
      ready ? 'KubeletHasSufficientMemory' : 'NodeStatusUnknown',
      ready ? 'kubelet has sufficient memory available' : 'Kubelet stopped posting node status.',
      now,
      previous,
    ),
    cond(
      'DiskPressure',
      ready ? 'False' : 'Unknown',
      ready ? 'KubeletHasNoDiskPressure' : 'NodeStatusUnknown',
      ready ? 'kubelet has no disk pressure' : 'Kubelet stopped posting node status.',
      now,
      previous,
    ),
    cond(
      'PIDPressure',
      ready ? 'False' : 'Unknown',
      ready ? 'KubeletHasSufficientPID' : 'NodeStatusUnknown',
      ready ? 'kubelet has sufficient PID available' : 'Kubelet stopped posting node status.',
      now,
      previous,
    ),
    cond(
      'Ready',
      network ? 'True' : 'False',
      network ? 'KubeletReady' : 'KubeletNotReady',
      network ? 'kubelet is posting ready status' : ready ? input.networkNotReady! : `container runtime is down: ${input.runtimeError ?? 'no runtime status'}`,
      now,
      previous,
    ),
  ];
  if (input.overlay) conditions.push(cond(OVERLAY_CONDITION, input.overlay.status, input.overlay.reason, input.overlay.message, now, previous));
  const images = [...input.images]
    .filter((i) => i.names.length > 0)
    .sort((a, b) => b.sizeBytes - a.sizeBytes)
    .slice(0, MAX_NODE_IMAGES)
    .map((i) => ({ names: i.names, sizeBytes: i.sizeBytes }));
  const capacity = info
    ? { cpu: String(info.cpus), memory: ki(info.memoryBytes), pods: '110', 'ephemeral-storage': ki(info.storageBytes), 'hugepages-2Mi': '0' }
    : undefined;
  return {
    ...(capacity ? { capacity, allocatable: { ...capacity } } : {}),
    conditions,
    addresses: [...(info?.internalIP ? [{ type: 'InternalIP', address: info.internalIP }] : []), { type: 'Hostname', address: input.nodeName }],
    daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    ...(info
      ? {
          nodeInfo: {
            machineID: input.nodeName,
            systemUUID: input.nodeName,
            bootID: String(Math.floor(Date.now() / 1000 - os.uptime())),
            kernelVersion: info.kernelVersion,
            osImage: info.osImage,
            containerRuntimeVersion: `${info.name}://${info.version}`,
            kubeletVersion: KUBELET_VERSION,
            kubeProxyVersion: KUBELET_VERSION,
            operatingSystem: info.os,
            architecture: info.arch,
          },
        }
      : {}),
    images,
  };
}

interface Probed {
  info?: RuntimeInfo;
  error?: string;
  images: ImageInfo[];
  networkNotReady?: string;
  overlay?: OverlayCondition;
}

export class NodeStatusManager {
  private node?: Node;
  lastInfo?: RuntimeInfo;

  constructor(
    private readonly client: Client,
    private readonly nodeName: string,
    private readonly probe: () => Promise<Probed>,
    private readonly virtual = false,
    /** annotations to register with, given the Node as it exists (if it does) */
    private readonly annotations: (existing?: Node) => Promise<Record<string, string>> = async () => ({}),
  ) {}

  get current(): Node | undefined {
    return this.node;
  }

  /** Create the Node (or take over an existing one, keeping labels others set), then post status. */
  async register(): Promise<void> {
    const probed = await this.probe();
    this.lastInfo = probed.info;
    const labels = nodeLabels(this.nodeName, probed.info, this.virtual);
    const existing = await this.client.get<Node & KubeObject>(R.nodes, this.nodeName).catch((e) => {
      if (isStatusError(e, 'NotFound')) return undefined;
      throw e;
    });
    const annotations = await this.annotations(existing);
    const takeOver = () => this.client.patch<Node & KubeObject>(R.nodes, this.nodeName, 'application/merge-patch+json', { metadata: { labels, annotations } });
    if (existing) {
      this.node = await takeOver();
    } else {
      try {
        this.node = await this.client.create<Node & KubeObject>(R.nodes, {
          apiVersion: 'v1',
          kind: 'Node',
          metadata: {
            name: this.nodeName,
            labels,
            annotations: {
              'node.alpha.kubernetes.io/ttl': '0',
              [RUNTIME_ANNOTATION]: probed.info?.name ?? (this.virtual ? 'virtual' : 'docker'),
              ...annotations,
            },
          },
          spec: {},
        });
      } catch (e) {
        if (!isStatusError(e, 'AlreadyExists')) throw e;
        this.node = await takeOver();
      }
    }
    await this.postStatus(probed);
  }

  async heartbeat(): Promise<void> {
    await this.postStatus(await this.probe());
  }

  private async postStatus(p: Probed): Promise<void> {
    if (p.info) this.lastInfo = p.info;
    const status = nodeStatus({
      nodeName: this.nodeName,
      info: p.info ?? (p.error ? undefined : this.lastInfo),
      runtimeError: p.error,
      images: p.images,
      previous: this.node?.status?.conditions,
      now: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      virtual: this.virtual,
      networkNotReady: p.networkNotReady,
      overlay: p.overlay,
    });
    // without a runtime the last known capacity and nodeInfo stay
    if (!p.info) {
      delete status!.capacity;
      delete status!.allocatable;
      delete status!.nodeInfo;
      if (!p.images.length) delete status!.images;
    }
    try {
      this.node = await this.client.patch<Node & KubeObject>(R.nodes, this.nodeName, 'application/merge-patch+json', { status }, { subresource: 'status' });
    } catch (e) {
      if (isStatusError(e, 'NotFound')) {
        log.warn('node object was deleted; registering again', { node: this.nodeName });
        await this.register();
        return;
      }
      throw e;
    }
  }
}

export class NodeLeaseController {
  private lease?: Lease;

  constructor(
    private readonly client: Client,
    private readonly nodeName: string,
    private readonly durationSeconds = 40,
  ) {}

  /** Create or renew the Lease named after the node. */
  async renew(nodeUid?: string): Promise<void> {
    const renewTime = new Date().toISOString().replace('Z', '000Z');
    if (this.lease) {
      try {
        this.lease = await this.client.patch<Lease & KubeObject>(
          R.leases,
          this.nodeName,
          'application/merge-patch+json',
          { spec: { renewTime, holderIdentity: this.nodeName } },
          { namespace: 'kube-node-lease' },
        );
        return;
      } catch (e) {
        if (!isStatusError(e, 'NotFound')) throw e;
      }
    }
    const body = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: this.nodeName,
        namespace: 'kube-node-lease',
        ...(nodeUid ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: this.nodeName, uid: nodeUid }] } : {}),
      },
      spec: { holderIdentity: this.nodeName, leaseDurationSeconds: this.durationSeconds, renewTime },
    };
    try {
      this.lease = await this.client.create<Lease & KubeObject>(R.leases, body, { namespace: 'kube-node-lease' });
    } catch (e) {
      if (isStatusError(e, 'AlreadyExists')) {
        this.lease = await this.client.get<Lease & KubeObject>(R.leases, this.nodeName, 'kube-node-lease');
        return this.renew(nodeUid);
      }
      if (isStatusError(e, 'NotFound')) {
        // the namespace is missing on a fresh store: create it, then the lease
        await this.client.create(R.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-node-lease' } }).catch(() => undefined);
        this.lease = await this.client.create<Lease & KubeObject>(R.leases, body, { namespace: 'kube-node-lease' });
        return;
      }
      throw e;
    }
  }
}
