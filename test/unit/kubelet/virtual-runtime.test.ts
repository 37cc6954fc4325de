import { describe, expect, it } from 'vitest';
import { simulatedExit } from '../../../main/runtime/virtual/index';

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
