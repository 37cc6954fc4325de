import { describe, expect, it } from 'vitest';
import { simulatedExit, VirtualRuntime } from '../../../main/runtime/virtual/index';

describe('VirtualRuntime: which simulated commands end', () => {
  it.each([
    { name: 'a server runs forever', cfg: { kind: 'regular' as const, command: ['nginx', '-g', 'daemon off;'] }, want: undefined },
    { name: 'no command runs forever', cfg: { kind: 'regular' as const }, want: undefined },
    { name: 'init containers complete', cfg: { kind: 'init' as const, command: ['sh', '-c', 'echo hi > /work/x'] }, want: 0 },
    { name: 'exit N ends with N', cfg: { kind: 'regular' as const, command: ['sh', '-c', 'echo x; exit 3'] }, want: 3 },
    { name: 'a failing init container', cfg: { kind: 'init' as const, args: ['exit 7'] }, want: 7 },
    { name: 'true ends with 0', cfg: { kind: 'regular' as const, command: ['true'] }, want: 0 },
    { name: '"exited" is not exit', cfg: { kind: 'regular' as const, command: ['echo', 'exited'] }, want: undefined },
  ])('$name', ({ cfg, want }) => expect(simulatedExit(cfg)).toBe(want));
});

describe("VirtualRuntime: pod addresses from the node's podCIDR", () => {
  const cfg = (name: string) => ({ pod: { uid: name, name, namespace: 'default' }, attempt: 0, hostname: name, hostPorts: [] });
  it("hands out .2 upward, reuses a removed sandbox's address, and reports .1 as the node's", async () => {
    const rt = new VirtualRuntime({ nodeName: 'v' });
    await rt.updatePodCIDR('10.244.7.0/24');
    const a = await rt.runSandbox(cfg('a'));
    const b = await rt.runSandbox(cfg('b'));
    expect([a.ip, b.ip]).toEqual(['10.244.7.2', '10.244.7.3']);
    await rt.removeSandbox(a.id);
    expect((await rt.runSandbox(cfg('c'))).ip).toBe('10.244.7.2');
    expect((await rt.info()).internalIP).toBe('10.244.7.1');
  });

  it('says so when the /24 is full', async () => {
    const rt = new VirtualRuntime({ nodeName: 'v' });
    await rt.updatePodCIDR('10.244.8.0/30');
    await rt.runSandbox(cfg('a'));
    await expect(rt.runSandbox(cfg('b'))).rejects.toThrow("no free address left in the node's podCIDR 10.244.8.0/30");
  });
});
