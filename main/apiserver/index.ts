// The API server: the core request chain, its HTTPS front, bootstrap objects and in-process clients.
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { isStatusError } from '../api/errors';
import type { KubeObject } from '../api/object';
import { deepEqual } from '../api/validation';
import { inProcessClient } from '../client/in-process';
import type { Client } from '../client/types';
import { logger } from '../log';
import type { Store } from '../store/types';
import { noopTracer, type Tracer } from '../trace/types';
import { admissionPlugins } from './admission/index';
import type { AdmissionPlugin } from './admission/types';
import {
  selfSubjectAccessReviewStorage,
  selfSubjectAccessReviewStrategy,
  selfSubjectRulesReviewStorage,
  selfSubjectRulesReviewStrategy,
} from './authorization-reviews';
import { apiserverUser, authenticateToken, ISSUER, reviewServiceAccountToken, TokenSigner, type BoundObjects } from './authn';
import { bootstrapObjects, SYSTEM_NAMESPACE_LEVELS } from './bootstrap';
import { Core } from './core';
import { tokenReviewStorage, tokenReviewStrategy } from './token-review';
import { createRequestHandler } from './http';
import { NamespaceFinalizer } from './namespace-finalizer';
import { namespaceStorage } from './registry/namespace-storage';
import { bindingREST } from './registry/pod-binding';
import { evictionREST } from './registry/pod-eviction';
import { rbacPolicyStorage } from './registry/rbac-policy';
import { tokenREST } from './registry/serviceaccount-token';
import { RbacAuthorizer } from './rbac';
import { strategies as registryStrategies } from './registry/index';
import type { ResourceStrategy } from './registry/types';
import { ResourceRegistry, storeKey, type CustomStorage } from './resources';
import type { ApiServerCore, StreamHandler, UserInfo } from './types';

const log = logger('apiserver');

export interface ApiServerOptions {
  store: Store;
  tracer?: Tracer;
  /** where the service-account signing key lives (mode 0600); in memory when absent */
  dataDir?: string;
  /** the resources served; default: every strategy in ./registry */
  strategies?: ResourceStrategy[];
  /** the admission chain, in order; default: upstream's (./admission) */
  admission?: AdmissionPlugin[];
  bookmarkIntervalMs?: number;
  /** upstream's --service-account-max-token-expiration, in seconds: longer TokenRequests are shortened; 0 or absent = no cap */
  serviceAccountMaxTokenExpirationSeconds?: number;
}

export interface ListenOptions {
  /** 0 picks a free port */
  port: number;
  key: string;
  cert: string;
  tokens: { admin: string };
}

export interface ApiServer {
  core: ApiServerCore;
  bootstrap(): Promise<void>;
  client(user: UserInfo): Client;
  setStreamHandler(h: StreamHandler): void;
  setAdmissionPlugins(plugins: AdmissionPlugin[]): void;
  /** Serve a resource from a storage other than the store (e.g. a computed, read-only resource). */
  addResource(strategy: ResourceStrategy, storage?: CustomStorage): void;
  listen(opts: ListenOptions): Promise<{ port: number; close(): Promise<void> }>;
}

export function createApiServer(opts: ApiServerOptions): ApiServer {
  const registry = new ResourceRegistry();
  for (const s of opts.strategies ?? registryStrategies) registry.add(s);
  registry.add(
    selfSubjectAccessReviewStrategy,
    selfSubjectAccessReviewStorage(() => core),
  );
  const authorizer = new RbacAuthorizer(opts.store);
  registry.add(
    selfSubjectRulesReviewStrategy,
    selfSubjectRulesReviewStorage((user, ns) => authorizer.rulesFor(user, ns)),
  );
  let admission = opts.admission ?? admissionPlugins();
  let streams: StreamHandler | undefined;
  let apiPort = 0;
  let ready = false;
  const signer = new TokenSigner(opts.dataDir);
  const internal = (): Client => inProcessClient(core, apiserverUser);
  const core: Core = new Core({
    store: opts.store,
    tracer: opts.tracer ?? noopTracer,
    registry,
    authorizer,
    admission: () => admission,
    client: internal,
    bookmarkIntervalMs: opts.bookmarkIntervalMs,
  });
  const namespaces = new NamespaceFinalizer(() => core, registry, opts.store);
  // the resources whose storage does more than the generic store (upstream's BindingREST, EvictionREST, TokenREST, ...)
  registry.extend('', 'v1', 'pods', { subresources: { binding: bindingREST, eviction: evictionREST } });
  registry.extend('', 'v1', 'serviceaccounts', {
    subresources: { token: tokenREST(signer, { audiences: [ISSUER], maxExpirationSeconds: opts.serviceAccountMaxTokenExpirationSeconds }) },
  });
  registry.extend(
    '',
    'v1',
    'namespaces',
    namespaceStorage((name) => namespaces.finalize(name)),
  );
  for (const kind of ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'] as const) {
    registry.extend('rbac.authorization.k8s.io', 'v1', `${kind.toLowerCase()}s`, rbacPolicyStorage(kind, authorizer));
  }

  // what a bound service-account token depends on, read from the store as it is now
  const stored = (resource: string, namespace: string, name: string) => {
    const r = registry.find('', 'v1', resource);
    return r ? opts.store.get(storeKey(r.strategy, namespace, name))?.value : undefined;
  };
  const boundObjects: BoundObjects = {
    serviceAccountUid: (namespace, name) => stored('serviceaccounts', namespace, name)?.metadata.uid,
    pod: (namespace, name) => {
      const md = stored('pods', namespace, name)?.metadata;
      return md && { uid: md.uid, deletionTimestamp: md.deletionTimestamp };
    },
    secret: (namespace, name) => {
      const md = stored('secrets', namespace, name)?.metadata;
      return md && { uid: md.uid };
    },
  };
  registry.add(
    tokenReviewStrategy,
    tokenReviewStorage((token, audiences) => reviewServiceAccountToken(token, signer, boundObjects, audiences)),
  );

  return {
    core,
    client: (user) => inProcessClient(core, user),
    setStreamHandler: (h) => (streams = h),
    setAdmissionPlugins: (p) => (admission = p),
    addResource: (s, storage) => registry.add(s, storage),

    async bootstrap() {
      // upstream's RBAC auto-reconciliation: a default ClusterRole kept from an older lab gains the rules it lacks
      // (a component that cannot list what it now watches would never start), unless autoupdate is "false"
      const reconcileRole = async (stored: KubeObject, wanted: KubeObject) => {
        if (wanted.kind !== 'ClusterRole' || stored.metadata.annotations?.['rbac.authorization.kubernetes.io/autoupdate'] === 'false') return;
        const rules = ((stored as { rules?: unknown[] }).rules ?? []).slice();
        const missing = ((wanted as { rules?: unknown[] }).rules ?? []).filter((r) => !rules.some((h) => deepEqual(h, r)));
        if (!missing.length) return;
        log.info('bootstrap: default ClusterRole gains rules', { name: wanted.metadata.name, rules: missing.length });
        await core.handle({
          verb: 'update',
          group: 'rbac.authorization.k8s.io',
          version: 'v1',
          resource: 'clusterroles',
          name: stored.metadata.name,
          body: { ...stored, rules: [...rules, ...missing] } as KubeObject,
          query: { fieldManager: 'kube-apiserver' },
          user: apiserverUser,
          userAgent: 'kube-apiserver/v1.32.0',
        });
      };
      // a namespace kept from a lab older than Pod Security gains its level, once: labels a user set are kept
      const labelNamespace = async (stored: KubeObject, wanted: KubeObject) => {
        if (wanted.kind !== 'Namespace' || Object.keys(stored.metadata.labels ?? {}).some((k) => k.startsWith('pod-security.kubernetes.io/'))) return;
        const levels = SYSTEM_NAMESPACE_LEVELS[wanted.metadata.name!];
        if (!levels) return;
        log.info('bootstrap: namespace gains its Pod Security labels', { name: wanted.metadata.name });
        await core.handle({
          verb: 'update',
          group: '',
          version: 'v1',
          resource: 'namespaces',
          name: stored.metadata.name,
          body: { ...stored, metadata: { ...stored.metadata, labels: { ...(stored.metadata.labels ?? {}), ...levels } } } as KubeObject,
          query: { fieldManager: 'kube-apiserver' },
          user: apiserverUser,
          userAgent: 'kube-apiserver/v1.32.0',
        });
      };
      for (const { group, resource, object } of bootstrapObjects(apiPort)) {
        const served = registry.find(group, 'v1', resource);
        if (!served) {
          log.warn('bootstrap: resource not served, skipped', { resource: group ? `${resource}.${group}` : resource, name: object.metadata.name });
          continue;
        }
        const stored = opts.store.get(storeKey(served.strategy, object.metadata.namespace, object.metadata.name!));
        if (stored) {
          await reconcileRole(stored.value, object);
          await labelNamespace(stored.value, object);
          continue;
        }
        try {
          await core.handle({
            verb: 'create',
            group,
            version: 'v1',
            resource,
            namespace: object.metadata.namespace,
            body: object as KubeObject,
            query: { fieldManager: 'kube-apiserver' },
            user: apiserverUser,
            userAgent: 'kube-apiserver/v1.32.0',
          });
        } catch (e) {
          if (!isStatusError(e, 'AlreadyExists')) throw e;
        }
      }
      namespaces.resume();
      ready = true;
    },

    async listen(l) {
      const handler = createRequestHandler({
        core,
        registry,
        authenticate: (token) => authenticateToken(token, l.tokens, signer, boundObjects),
        streams: () => streams,
        serverAddress: () => `127.0.0.1:${apiPort}`,
        ready: () => ready,
      });
      const server: Server = createServer({ key: l.key, cert: l.cert }, handler.request);
      server.on('upgrade', handler.upgrade);
      server.keepAliveTimeout = 30_000;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(l.port, '127.0.0.1', () => resolve());
      });
      apiPort = (server.address() as AddressInfo).port;
      log.info('serving', { address: `https://127.0.0.1:${apiPort}` });
      return {
        port: apiPort,
        close: () =>
          new Promise<void>((resolve) => {
            namespaces.stop();
            for (const plugin of admission) plugin.stop?.();
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      };
    },
  };
}
