// "kubectl equivalent": for every action the app performs, the command a user would type and the HTTP request it sends.
import { kubectlPortForward, type PortForwardKind, type ResourceRef } from '../../main/bridge/contract';
import { R } from '../../main/client/types';

export type UiAction =
  | { verb: 'apply'; manifestKinds: { kind: string; name: string; namespace?: string; ref?: ResourceRef }[] }
  | { verb: 'delete'; ref: ResourceRef; kind: string; name: string; namespace?: string }
  | { verb: 'scale'; ref: ResourceRef; kind: string; name: string; namespace?: string; replicas: number }
  | { verb: 'restart'; name: string; namespace?: string; kind: string; ref: ResourceRef }
  | { verb: 'undo'; name: string; namespace?: string; revision: number }
  | { verb: 'pause' | 'resume'; name: string; namespace?: string }
  | { verb: 'cordon' | 'uncordon'; node: string }
  | { verb: 'drain'; node: string; force?: boolean }
  | { verb: 'label'; node: string; change: string }
  | { verb: 'taint'; node: string; change: string }
  | {
      verb: 'logs';
      pod: string;
      namespace: string;
      container?: string;
      follow?: boolean;
      previous?: boolean;
      timestamps?: boolean;
      tailLines?: number;
      /** a workload's pods instead of one pod: `-l SELECTOR` */
      selector?: string;
      allContainers?: boolean;
      prefix?: boolean;
    }
  | { verb: 'exec'; pod: string; namespace: string; container?: string; command: string[] }
  | { verb: 'watch'; ref: ResourceRef; resource: string; namespace?: string; labelSelector?: string; clusterScoped?: boolean }
  | { verb: 'run'; name: string; image: string; namespace: string; replicas: number; port?: number }
  | { verb: 'createNamespace'; name: string }
  | { verb: 'portForward'; kind: PortForwardKind; name: string; namespace: string; port: number | string; localPort: number; pod?: string }
  | { verb: 'edit'; ref: ResourceRef; kind: string; name: string; namespace?: string; resourceVersion?: string };

export interface Equivalent {
  command: string;
  http: string;
}

/** `/api/v1/namespaces/ns/pods/name` or `/apis/apps/v1/...` */
export function resourcePath(ref: ResourceRef, namespace?: string, name?: string, sub?: string): string {
  const base = ref.group ? `/apis/${ref.group}/${ref.version}` : `/api/${ref.version}`;
  return `${base}${namespace ? `/namespaces/${namespace}` : ''}/${ref.resource}${name ? `/${name}` : ''}${sub ? `/${sub}` : ''}`;
}

const nsFlag = (ns?: string) => (ns && ns !== 'default' ? ` -n ${ns}` : '');
const lower = (k: string) => k.toLowerCase();
const q = (s: string) => (/^[\w./:=-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

export function kubectlFor(a: UiAction): Equivalent {
  switch (a.verb) {
    case 'apply': {
      const http = a.manifestKinds
        .map((m) => `POST ${m.ref ? resourcePath(m.ref, m.namespace) : `…/${lower(m.kind)}s`}  (PATCH …/${m.name} if it exists)`)
        .join('\n');
      return { command: 'kubectl apply -f manifest.yaml', http };
    }
    case 'delete':
      return { command: `kubectl delete ${lower(a.kind)} ${a.name}${nsFlag(a.namespace)}`, http: `DELETE ${resourcePath(a.ref, a.namespace, a.name)}` };
    case 'scale':
      return {
        command: `kubectl scale ${lower(a.kind)}/${a.name} --replicas=${a.replicas}${nsFlag(a.namespace)}`,
        http: `PATCH ${resourcePath(a.ref, a.namespace, a.name, 'scale')}\nContent-Type: application/merge-patch+json\n{"spec":{"replicas":${a.replicas}}}`,
      };
    case 'restart':
      return {
        command: `kubectl rollout restart ${lower(a.kind)}/${a.name}${nsFlag(a.namespace)}`,
        http: `PATCH ${resourcePath(a.ref, a.namespace, a.name)}\nContent-Type: application/strategic-merge-patch+json\n{"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":"<now>"}}}}}`,
      };
    case 'undo':
      return {
        command: `kubectl rollout undo deployment/${a.name} --to-revision=${a.revision}${nsFlag(a.namespace)}`,
        http: `PATCH ${resourcePath(R.deployments, a.namespace, a.name)}\n(spec.template set to the template of revision ${a.revision})`,
      };
    case 'pause':
    case 'resume':
      return {
        command: `kubectl rollout ${a.verb} deployment/${a.name}${nsFlag(a.namespace)}`,
        http: `PATCH ${resourcePath(R.deployments, a.namespace, a.name)}\nContent-Type: application/strategic-merge-patch+json\n{"spec":{"paused":${a.verb === 'pause'}}}`,
      };
    case 'cordon':
    case 'uncordon':
      return {
        command: `kubectl ${a.verb} ${a.node}`,
        http: `PATCH ${resourcePath(R.nodes, undefined, a.node)}\nContent-Type: application/strategic-merge-patch+json\n{"spec":{"unschedulable":${a.verb === 'cordon'}}}`,
      };
    case 'drain':
      return {
        // pods without a controller are evicted too, which kubectl only does with --force
        command: `kubectl drain ${a.node} --ignore-daemonsets --delete-emptydir-data${a.force ? ' --force' : ''}`,
        http: `PATCH ${resourcePath(R.nodes, undefined, a.node)} {"spec":{"unschedulable":true}}\nPOST /api/v1/namespaces/<ns>/pods/<pod>/eviction   (for each pod on the node)`,
      };
    case 'label':
      return {
        command: `kubectl label node ${a.node} ${q(a.change)}${a.change.endsWith('-') ? '' : ' --overwrite'}`,
        http: `PATCH ${resourcePath(R.nodes, undefined, a.node)}\nContent-Type: application/merge-patch+json\n{"metadata":{"labels":{…}}}`,
      };
    case 'taint':
      return {
        command: `kubectl taint node ${a.node} ${q(a.change)}`,
        http: `PATCH ${resourcePath(R.nodes, undefined, a.node)}\nContent-Type: application/merge-patch+json\n{"spec":{"taints":[…]}}`,
      };
    case 'logs': {
      const flags = [
        a.selector ? `-l ${q(a.selector)}` : '',
        a.allContainers ? '--all-containers' : a.container ? `-c ${a.container}` : '',
        a.prefix ? '--prefix' : '',
        a.follow ? '-f' : '',
        a.previous ? '--previous' : '',
        a.timestamps ? '--timestamps' : '',
        a.tailLines !== undefined && a.tailLines >= 0 ? `--tail=${a.tailLines}` : '',
      ]
        .filter(Boolean)
        .join(' ');
      const params = new URLSearchParams();
      if (a.container) params.set('container', a.container);
      if (a.follow) params.set('follow', 'true');
      if (a.previous) params.set('previous', 'true');
      if (a.timestamps) params.set('timestamps', 'true');
      if (a.tailLines !== undefined && a.tailLines >= 0) params.set('tailLines', String(a.tailLines));
      const qs = params.toString();
      if (a.selector) {
        return {
          command: `kubectl logs${nsFlag(a.namespace)} ${flags}`.replace(/\s+/g, ' ').trim(),
          http: `GET ${resourcePath(R.pods, a.namespace)}?labelSelector=${encodeURIComponent(a.selector)}\nGET ${resourcePath(R.pods, a.namespace, '<pod>', 'log')}?container=<container>${qs ? `&${qs}` : ''}   (one per pod and container)`,
        };
      }
      const per = a.allContainers ? `\n(one GET per container: ?container=<name>)` : '';
      return {
        command: `kubectl logs ${a.pod}${nsFlag(a.namespace)}${flags ? ` ${flags}` : ''}`,
        http: `GET ${resourcePath(R.pods, a.namespace, a.pod, 'log')}${qs ? `?${qs}` : ''}${per}`,
      };
    }
    case 'exec': {
      const params = new URLSearchParams();
      a.command.forEach((c) => params.append('command', c));
      if (a.container) params.set('container', a.container);
      params.set('stdin', 'true');
      params.set('stdout', 'true');
      params.set('tty', 'true');
      return {
        command: `kubectl exec -it ${a.pod}${nsFlag(a.namespace)}${a.container ? ` -c ${a.container}` : ''} -- ${a.command.map(q).join(' ')}`,
        http: `GET ${resourcePath(R.pods, a.namespace, a.pod, 'exec')}?${params.toString()}\nUpgrade: websocket (Sec-WebSocket-Protocol: v5.channel.k8s.io)`,
      };
    }
    case 'watch':
      return {
        command: `kubectl get ${a.resource}${a.clusterScoped ? '' : a.namespace ? nsFlag(a.namespace) : ' -A'}${a.labelSelector ? ` -l ${q(a.labelSelector)}` : ''} -w`,
        http: `GET ${resourcePath(a.ref, a.namespace)}?${a.labelSelector ? `labelSelector=${encodeURIComponent(a.labelSelector)}&` : ''}watch=true&resourceVersion=<from the list>`,
      };
    case 'portForward':
      return {
        command: kubectlPortForward(a),
        http: `GET ${resourcePath(R.pods, a.namespace, a.pod ?? '<pod>', 'portforward')}\nUpgrade: websocket (Sec-WebSocket-Protocol: SPDY/3.1+portforward.k8s.io)\n(per connection: an error and a data stream, headers port=…, requestid=…)`,
      };
    case 'edit':
      return {
        command: `kubectl edit ${lower(a.kind)}/${a.name}${nsFlag(a.namespace)}`,
        http: `PUT ${resourcePath(a.ref, a.namespace, a.name)}\nContent-Type: application/json\n(the whole object${a.resourceVersion ? `, metadata.resourceVersion: "${a.resourceVersion}": a newer version on the server is a 409 Conflict` : ''})`,
      };
    case 'createNamespace':
      return { command: `kubectl create namespace ${a.name}`, http: `POST ${resourcePath(R.namespaces)}` };
    case 'run':
      return a.replicas > 0
        ? {
            command: `kubectl create deployment ${a.name} --image=${a.image} --replicas=${a.replicas}${a.port ? ` --port=${a.port}` : ''}${nsFlag(a.namespace)}`,
            http: `POST ${resourcePath(R.deployments, a.namespace)}`,
          }
        : {
            command: `kubectl run ${a.name} --image=${a.image}${a.port ? ` --port=${a.port}` : ''}${nsFlag(a.namespace)}`,
            http: `POST ${resourcePath(R.pods, a.namespace)}`,
          };
  }
}
