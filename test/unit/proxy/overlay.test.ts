// The overlay's pure parts: which node a packet goes to, the agent's frames, and which nodes reach which.
import { describe, expect, it } from 'vitest';
import { EventEmitter } from 'node:events';
import { parseCidr4 } from '../../../main/api/cidr';
import { nodeFor, PodOverlay } from '../../../main/proxy/overlay';
import { frame, FrameReader, ipv4Destination, type NodeAgent, type OverlayState } from '../../../main/runtime/docker/node-agent';

const ipv4 = (dst: string, len = 28) => {
  const p = Buffer.alloc(len);
  p[0] = 0x45;
  dst.split('.').forEach((o, i) => (p[16 + i] = Number(o)));
  return p;
};

describe('nodeFor', () => {
  const nodes = [
    { nodeName: 'n1', podCIDR: parseCidr4('10.244.0.0/24')! },
    { nodeName: 'n2', podCIDR: parseCidr4('10.244.1.0/24')! },
  ];
  const rows: Array<[string, string | undefined]> = [
    ['10.244.1.7', 'n2'],
    ['10.244.0.254', 'n1'],
    ['10.244.2.3', undefined],
    ['192.168.1.1', undefined],
    ['nonsense', undefined],
  ];
  for (const [ip, want] of rows) it(`${ip} -> ${want ?? 'nobody'}`, () => expect(nodeFor(ip, nodes)).toBe(want));
});

describe('frames', () => {
  it('a packet is a 2-byte length then its bytes; the reader splits frames however the stream cuts them', () => {
    const a = ipv4('10.244.1.2');
    const b = ipv4('10.244.1.3', 1500);
    const wire = Buffer.concat([frame(a), frame(b)]);
    expect(wire.readUInt16BE(0)).toBe(28);
    const got: Buffer[] = [];
    const r = new FrameReader((p) => got.push(Buffer.from(p)));
    for (let i = 0; i < wire.length; i += 7) r.push(wire.subarray(i, i + 7));
    expect(got.map(ipv4Destination)).toEqual(['10.244.1.2', '10.244.1.3']);
    expect(got[1].length).toBe(1500);
  });
  it('not IPv4: no destination', () => {
    const p = ipv4('10.0.0.1');
    p[0] = 0x60;
    expect(ipv4Destination(p)).toBeUndefined();
  });
});

/** a fake agent: a state and the packets handed to it */
class FakeAgent extends EventEmitter {
  sent: Buffer[] = [];
  constructor(public state: OverlayState) {
    super();
  }
  send(p: Buffer) {
    this.sent.push(p);
    return true;
  }
  stop() {}
}

describe('PodOverlay (with fake agents)', () => {
  const up = (cidr: string) => new FakeAgent({ state: 'up', podCIDR: cidr });
  it('relays a packet to the node whose podCIDR holds its destination; drops what no node with the overlay up holds', () => {
    const a = up('10.244.0.0/24');
    const b = up('10.244.1.0/24');
    const c = new FakeAgent({ state: 'off', reason: 'OverlayRefused', message: 'no /dev/net/tun' });
    const nodes = [a, b, c].map((agent, i) => ({ nodeName: `n${i + 1}`, agent: agent as unknown as NodeAgent }));
    const o = new PodOverlay(nodes);
    o.sync();
    a.emit('packet', ipv4('10.244.1.9'));
    a.emit('packet', ipv4('10.244.2.9'));
    expect(b.sent.map(ipv4Destination)).toEqual(['10.244.1.9']);
    expect(o.counters).toEqual({ relayed: 1, dropped: 1 });
    expect(o.reachable('n1', 'n2')).toBe(true);
    expect(o.reachable('n1', 'n3')).toBe(false);
    expect(o.reachable('n3', 'n1')).toBe(false);
  });
  it('a state change tells the Service relays; a removed node is let go', () => {
    const a = up('10.244.0.0/24');
    const nodes = [{ nodeName: 'n1', agent: a as unknown as NodeAgent }];
    let changes = 0;
    const o = new PodOverlay(nodes, () => changes++);
    o.sync();
    a.emit('state', { state: 'off', reason: 'OverlayUnavailable', message: 'stopped' });
    expect(changes).toBe(1);
    nodes.splice(0);
    o.sync();
    a.emit('state', { state: 'starting' });
    expect(changes).toBe(1);
  });
});
