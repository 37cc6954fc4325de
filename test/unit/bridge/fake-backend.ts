// A fake lab backend for bridge unit tests: an in-memory client with list/watch and scripted logs/exec.
import type { KubeObject } from '../../../main/api/object';
import { errors } from '../../../main/api/errors';
import type { ApiWatchEvent } from '../../../main/apiserver/types';
import type { ResourceType } from '../../../main/client/types';
import type { BridgeBackend } from '../../../main/bridge/server';
import type { ClusterStatus, PullProgressInfo, StepState } from '../../../main/bridge/contract';

export function fakeBackend() {
  const objects = new Map<string, KubeObject>();
  const watchers = new Set<{ type: ResourceType; ns?: string; cb: (e: ApiWatchEvent) => void; end: () => void }>();
  let rv = 1;
  const key = (t: ResourceType, ns: string | undefined, name: string) => `${t.group}/${t.resource}/${ns ?? ''}/${name}`;
  const notify = (t: ResourceType, type: ApiWatchEvent['type'], o: KubeObject) =>
    watchers.forEach((w) => w.type.resource === t.resource && (!w.ns || w.ns === o.metadata.namespace) && w.cb({ type, object: structuredClone(o) }));
  let status: ClusterStatus = { phase: 'STARTED', virtual: false };
  const statusCbs = new Set<(s: ClusterStatus) => void>();
  const step: StepState = { scheduler: false, kubelets: {} };
  const execWrites: string[] = [];
  let pulls: PullProgressInfo[] = [];
  const pullCbs = new Set<(p: PullProgressInfo[]) => void>();
  const backend: BridgeBackend = {
    client: {
      async get<T extends KubeObject>(t: ResourceType, name: string, ns?: string) {
        const o = objects.get(key(t, ns, name));
        if (!o) throw errors.notFound({ kind: t.resource, group: t.group, name });
        return structuredClone(o) as T;
      },
      async list<T extends KubeObject>(t: ResourceType, opts?: { namespace?: string }) {
        const items = [...objects.entries()]
          .filter(([k]) => k.startsWith(`${t.group}/${t.resource}/${opts?.namespace ?? ''}`))
          .map(([, o]) => structuredClone(o) as T);
        return { apiVersion: 'v1', kind: `${t.kind}List`, metadata: { resourceVersion: String(rv) }, items };
      },
      async watch(t, opts, cb) {
        let end!: () => void;
        const done = new Promise<void>((r) => (end = r));
        const w = { type: t, ns: opts.namespace, cb, end };
        watchers.add(w);
        return {
          stop: () => {
            watchers.delete(w);
            end();
          },
          done,
        };
      },
      async create<T extends KubeObject>(t: ResourceType, obj: KubeObject | Record<string, unknown>, opts?: { namespace?: string }) {
        const o = structuredClone(obj) as KubeObject;
        const name = o.metadata?.name;
        if (!name) throw errors.invalid(t.kind, t.group || undefined, '', [{ field: 'metadata.name', type: 'FieldValueRequired', message: 'Required value' }]);
        const k = key(t, opts?.namespace ?? o.metadata.namespace, name);
        if (objects.has(k)) throw errors.alreadyExists({ kind: t.resource, group: t.group, name });
        o.metadata = { ...o.metadata, uid: `uid-${name}`, resourceVersion: String(++rv) };
        objects.set(k, o);
        notify(t, 'ADDED', o);
        return structuredClone(o) as T;
      },
      async update<T extends KubeObject>(_t: ResourceType, o: KubeObject) {
        return o as T;
      },
      async patch<T extends KubeObject>(t: ResourceType, name: string, _pt: unknown, patch: unknown, opts?: { namespace?: string }) {
        const k = key(t, opts?.namespace, name);
        const o = objects.get(k);
        if (!o) throw errors.notFound({ kind: t.resource, group: t.group, name });
        const p = patch as KubeObject;
        const merged = { ...o, ...p, metadata: { ...o.metadata, ...(p.metadata ?? {}), resourceVersion: String(++rv) } } as KubeObject;
        objects.set(k, merged);
        notify(t, 'MODIFIED', merged);
        return structuredClone(merged) as T;
      },
      async delete<T extends KubeObject>(t: ResourceType, name: string, opts?: { namespace?: string }) {
        const k = key(t, opts?.namespace, name);
        const o = objects.get(k);
        if (!o) throw errors.notFound({ kind: t.resource, group: t.group, name });
        objects.delete(k);
        notify(t, 'DELETED', o);
        return o as T;
      },
    },
    status: () => status,
    onStatus(cb) {
      statusCbs.add(cb);
      return () => statusCbs.delete(cb);
    },
    async logs(opts, onChunk, onEnd) {
      let stopped = false;
      const lines = ['line 1\n', 'line 2\n'];
      setTimeout(() => {
        lines.forEach((l) => !stopped && onChunk(opts.timestamps ? `2026-01-01T00:00:00Z ${l}` : l));
        if (!opts.follow && !stopped) onEnd();
      }, 5);
      return {
        stop: () => {
          stopped = true;
          onEnd();
        },
      };
    },
    async exec(opts, cb) {
      cb.onData(`$ ${opts.command.join(' ')}\n`, 'stdout'); // before start resolves: exercises the early-event buffer
      return {
        write: (d) => {
          execWrites.push(d);
          if (d === 'exit 3\n') setTimeout(() => cb.onExit(3, 'command terminated with non-zero exit code'), 1);
          else cb.onData(d.toUpperCase(), 'stdout');
        },
        resize: (c, r) => execWrites.push(`resize ${c}x${r}`),
        close: () => cb.onExit(0),
      };
    },
    pulls: {
      list: () => pulls,
      onChange(cb) {
        pullCbs.add(cb);
        return () => pullCbs.delete(cb);
      },
    },
    step: {
      get: () => structuredClone(step),
      set(target, paused) {
        if (target.component === 'scheduler') step.scheduler = paused;
        else step.kubelets[target.node] = paused;
      },
    },
  };
  return {
    backend,
    objects,
    execWrites,
    watcherCount: () => watchers.size,
    setPulls(p: PullProgressInfo[]) {
      pulls = p;
      pullCbs.forEach((cb) => cb(p));
    },
    setStatus(s: ClusterStatus) {
      status = s;
      statusCbs.forEach((cb) => cb(s));
    },
  };
}
