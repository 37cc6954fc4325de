import { afterEach, describe, expect, it } from 'vitest';
import { createServer, connect, type Server } from 'node:net';
import { Proxy } from '../../../main/proxy';
import { R } from '../../../main/client/types';
import type { PodRef, TraceStep } from '../../../main/trace/types';
import { setLogLevel } from '../../../main/log';
import { FakeApi, eventually } from '../controllers/fake-api';

setLogLevel('error');

/** a backend that answers every connection with its name, as a pod's web server would */
function backend(ip: string, port: number, name: string): Promise<Server> {
  const s = createServer((c) => c.end(name));
  return new Promise((res, rej) => s.once('error', rej).listen(port, ip, () => res(s)));
}

/** one request through the NodePort: the reply, or '' when the proxy refused */
function ask(port: number): Promise<string> {
  return new Promise((res) => {
    const c = connect(port, '127.0.0.1');
    let out = '';
    c.on('data', (d) => (out += d))
      .on('close', () => res(out))
      .on('error', () => res(''));
  });
}

const servers: Server[] = [];
let proxy: Proxy | undefined;
afterEach(async () => {
  await proxy?.stop();
  for (const s of servers.splice(0)) s.close();
});

describe('Proxy NodePort', () => {
  it('balances over ready endpoints, follows readiness live and refuses with none', async () => {
    const port = 20000 + Math.floor(Math.random() * 10000);
    servers.push(await backend('127.0.0.2', port, 'pod-a'), await backend('127.0.0.3', port, 'pod-b'));
    const api = new FakeApi();
    const steps: Array<[PodRef, TraceStep]> = [];
    proxy = new Proxy({ client: api, tracer: { record: (p, s) => steps.push([p, s]) } });
    await proxy.start();
    const nodePort = 30000 + Math.floor(Math.random() * 2700);
    await api.create(R.services, {
      metadata: { name: 'web', namespace: 'default' },
      spec: { type: 'NodePort', clusterIP: '10.96.0.40', selector: { app: 'web' }, ports: [{ port: 80, targetPort: port, nodePort }] },
    });
    const addr = (ip: string, name: string) => ({ ip, targetRef: { kind: 'Pod', namespace: 'default', name, uid: `u-${name}` } });
    await api.create(R.endpoints, {
      metadata: { name: 'web', namespace: 'default' },
      subsets: [{ addresses: [addr('127.0.0.2', 'pod-a'), addr('127.0.0.3', 'pod-b')], ports: [{ port, protocol: 'TCP' }] }],
    });
    await eventually(() => proxy!.nodePorts().some((p) => p.nodePort === nodePort), 3000, 'listening');
    await eventually(async () => (await ask(nodePort)) !== '', 3000, 'first answer');
    const answers = new Set<string>();
    for (let i = 0; i < 6; i++) answers.add(await ask(nodePort));
    expect([...answers].sort()).toEqual(['pod-a', 'pod-b']);
    expect(
      steps
        .filter(([, s]) => s.component === 'proxy')
        .map(([p]) => p.name)
        .sort(),
    ).toEqual(['pod-a', 'pod-b']);
    // pod-b turns not ready: only pod-a answers
    await api.patch(
      R.endpoints,
      'web',
      'application/merge-patch+json',
      { subsets: [{ addresses: [addr('127.0.0.2', 'pod-a')], notReadyAddresses: [addr('127.0.0.3', 'pod-b')], ports: [{ port, protocol: 'TCP' }] }] },
      { namespace: 'default' },
    );
    await eventually(
      async () => {
        const xs = await Promise.all(Array.from({ length: 4 }, () => ask(nodePort)));
        return xs.every((x) => x === 'pod-a');
      },
      3000,
      'only pod-a',
    );
    // nothing ready: refused
    await api.patch(R.endpoints, 'web', 'application/merge-patch+json', { subsets: [] }, { namespace: 'default' });
    await eventually(async () => (await ask(nodePort)) === '', 3000, 'refused');
    // service deleted: the port closes
    await api.delete(R.services, 'web', { namespace: 'default' });
    await eventually(() => !proxy!.nodePorts().some((p) => p.nodePort === nodePort), 3000, 'closed');
  });
});
