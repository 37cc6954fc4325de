// Which run-time node additions and removals the lab refuses, and the start progress line about Docker contexts.
import { describe, expect, it } from 'vitest';
import { addNodeRefusal, contextsLine, removeNodeRefusal } from '../../../main/cluster';

const nodes = [{ name: 'default', context: 'default' }, { name: 'virtual-node-1' }];
const known = ['default', 'node2', 'down'];

describe('addNodeRefusal', () => {
  it.each([
    { why: 'unknown context', context: 'nope', probed: undefined, code: 404, reason: 'NotFound', message: 'no Docker context named "nope" (known: default, node2, down)' },
    { why: 'context already a node', context: 'default', probed: undefined, code: 409, reason: 'AlreadyExists', message: 'Docker context "default" is already node "default"' },
    { why: 'known, not probed yet', context: 'node2', probed: undefined, code: undefined, reason: undefined, message: undefined },
    { why: 'its node name is taken', context: 'node2', probed: { nodeName: 'virtual-node-1', reachable: true }, code: 409, reason: 'AlreadyExists', message: 'nodes "virtual-node-1" already exists' },
    { why: 'unreachable, with its reason', context: 'down', probed: { nodeName: 'down', reachable: false, reason: 'connection refused at unix:///x.sock (is dockerd running?)' },
      code: 503, reason: 'ServiceUnavailable', message: 'Docker context "down" is not reachable: connection refused at unix:///x.sock (is dockerd running?)' },
    { why: 'reachable and free', context: 'node2', probed: { nodeName: 'node2', reachable: true }, code: undefined, reason: undefined, message: undefined },
  ])('$why', ({ context, probed, code, reason, message }) => {
    const err = addNodeRefusal(context, known, nodes, probed);
    expect(err?.code).toBe(code);
    expect(err?.reason).toBe(reason);
    expect(err?.message).toBe(message);
  });
});

describe('removeNodeRefusal', () => {
  it.each([
    { why: 'not a node of the lab', name: 'node9', nodes, code: 404, message: 'nodes "node9" not found in this lab (nodes: default, virtual-node-1)' },
    { why: 'the only node', name: 'default', nodes: [{ name: 'default' }], code: 409, message: 'node "default" is the lab\'s only node; add another before removing it' },
    { why: 'one of two', name: 'virtual-node-1', nodes, code: undefined, message: undefined },
  ])('$why', ({ name, nodes: ns, code, message }) => {
    const err = removeNodeRefusal(name, ns);
    expect(err?.code).toBe(code);
    expect(err?.message).toBe(message);
  });
});

describe('contextsLine', () => {
  it.each([
    { contexts: [{ name: 'default', reachable: true }], line: 'default' },
    { contexts: [{ name: 'a', reachable: true }, { name: 'b', reachable: false, reason: 'connection refused' }], line: 'a, b (b: connection refused)' },
    { contexts: [{ name: 'a', reachable: false }, { name: 'b', reachable: false, reason: 'timed out' }], line: 'a, b (a: unreachable; b: timed out)' },
  ])('$line', ({ contexts, line }) => expect(contextsLine(contexts)).toBe(line));
});
