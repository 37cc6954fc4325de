// The controller manager: shared informers plus every controller, started and stopped together.
import type { Client } from '../client/types';
import { logger } from '../log';
import { noopTracer, type Tracer } from '../trace/types';
import { ChainNotes, InformerFactory, type Controller, type ControllerContext } from './common/context';
import { CronJobController } from './cronjob/cronjob-controller';
import { DaemonSetController } from './daemonset/daemonset-controller';
import { DeploymentController } from './deployment/deployment-controller';
import { EndpointsController } from './endpoints/endpoints-controller';
import { EndpointSliceController } from './endpointslice/endpointslice-controller';
import { EndpointSliceMirroringController } from './endpointslice/endpointslice-mirroring-controller';
import { GarbageCollector } from './garbagecollector/garbage-collector';
import { JobController } from './job/job-controller';
import { NamespaceController } from './namespace/namespace-controller';
import { NodeLifecycleController } from './nodelifecycle/node-lifecycle-controller';
import { NodeIpamController } from './nodeipam/nodeipam-controller';
import { DEFAULT_CLUSTER_CIDR } from '../api/cidr';
import { ReplicaSetController } from './replicaset/replicaset-controller';
import { ServiceAccountController } from './serviceaccount/serviceaccount-controller';

const log = logger('controller-manager');

export interface ControllerManagerOptions {
  /** how long a node's Lease may go unrenewed before it turns Ready=Unknown (upstream 40 s) */
  nodeMonitorGracePeriodSeconds?: number;
  /** default tolerationSeconds for not-ready/unreachable NoExecute taints (upstream 300 s) */
  podEvictionTimeoutSeconds?: number;
  /** how often node health is checked (upstream 5 s) */
  nodeMonitorPeriodSeconds?: number;
  /** first wait after a failed Job pod, doubling per failure (upstream 10 s) */
  jobBackoffBaseMs?: number;
  /** the pods' address range, one /24 of it per node (upstream --cluster-cidr; default 10.244.0.0/16) */
  clusterCIDR?: string;
  /** run only these controllers (names as `controller.name`); all when absent */
  controllers?: string[];
}

export interface ControllerManagerConfig {
  client: Client;
  tracer?: Tracer;
  options?: ControllerManagerOptions;
}

export class ControllerManager {
  readonly informers: InformerFactory;
  readonly controllers: Controller[];
  private started = false;

  constructor(cfg: ControllerManagerConfig) {
    this.informers = new InformerFactory(cfg.client);
    const ctx: ControllerContext = { client: cfg.client, informers: this.informers, tracer: cfg.tracer ?? noopTracer, chain: new ChainNotes() };
    const o = cfg.options ?? {};
    // built only when asked for, so a partial manager (tests, step mode) starts only the informers it needs
    const factories: Array<[string, () => Controller]> = [
      ['replicaset', () => new ReplicaSetController(ctx)],
      ['deployment', () => new DeploymentController(ctx)],
      ['garbagecollector', () => new GarbageCollector(ctx)],
      ['namespace', () => new NamespaceController(ctx)],
      ['serviceaccount', () => new ServiceAccountController(ctx)],
      ['endpoints', () => new EndpointsController(ctx)],
      ['endpointslice', () => new EndpointSliceController(ctx)],
      ['endpointslicemirroring', () => new EndpointSliceMirroringController(ctx)],
      ['daemonset', () => new DaemonSetController(ctx)],
      ['job', () => new JobController(ctx, o.jobBackoffBaseMs)],
      ['cronjob', () => new CronJobController(ctx)],
      ['nodeipam', () => new NodeIpamController(ctx, o.clusterCIDR ?? DEFAULT_CLUSTER_CIDR)],
      [
        'nodelifecycle',
        () =>
          new NodeLifecycleController(ctx, {
            nodeMonitorGracePeriodSeconds: o.nodeMonitorGracePeriodSeconds ?? 40,
            podEvictionTimeoutSeconds: o.podEvictionTimeoutSeconds ?? 300,
            nodeMonitorPeriodSeconds: o.nodeMonitorPeriodSeconds ?? 5,
          }),
      ],
    ];
    const only = o.controllers;
    this.controllers = factories.filter(([n]) => !only || only.includes(n)).map(([, make]) => make());
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    for (const c of this.controllers) c.init();
    await this.informers.start();
    for (const c of this.controllers) c.run();
    log.info('started', { controllers: this.controllers.map((c) => c.name).join(',') });
  }

  stop(): void {
    if (!this.started) return;
    this.started = false;
    for (const c of this.controllers) c.stop();
    this.informers.stop();
  }
}
