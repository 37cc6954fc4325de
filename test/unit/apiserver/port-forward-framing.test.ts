// SPDY/3 framing for port-forward: frames split wherever TCP or WebSocket messages cut them, and name/value blocks.
import { describe, expect, it } from 'vitest';
import { controlFrame, dataFrame, decodeHeaderBlock, encodeHeaderBlock, splitFrames } from '../../../main/apiserver/streams/port-forward';

describe('splitFrames', () => {
  const ping = controlFrame(6, 0, Buffer.from([0, 0, 0, 1]));
  const data = dataFrame(3, 1, Buffer.from('GET / HTTP/1.1\r\n\r\n'));
  const empty = dataFrame(5, 1, Buffer.alloc(0));
  const all = Buffer.concat([ping, data, empty]);

  const cases: { name: string; cuts: number[]; frames: number }[] = [
    { name: 'whole buffer', cuts: [], frames: 3 },
    { name: 'cut inside a frame header', cuts: [3], frames: 3 },
    { name: 'cut inside a payload', cuts: [ping.length + 12], frames: 3 },
    { name: 'one byte at a time', cuts: Array.from({ length: all.length - 1 }, (_, i) => i + 1), frames: 3 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const bounds = [0, ...c.cuts, all.length];
      let rest = Buffer.alloc(0);
      const got: ReturnType<typeof splitFrames>['frames'] = [];
      for (let i = 0; i + 1 < bounds.length; i++) {
        const r = splitFrames(Buffer.concat([rest, all.subarray(bounds[i], bounds[i + 1])]));
        got.push(...r.frames);
        rest = Buffer.from(r.rest);
      }
      expect(rest.length).toBe(0);
      expect(got).toHaveLength(c.frames);
      expect(got[0]).toMatchObject({ control: true, type: 6, flags: 0 });
      expect(got[0].data.readUInt32BE(0)).toBe(1);
      expect(got[1]).toMatchObject({ control: false, streamId: 3, flags: 1 });
      expect(got[1].data.toString()).toBe('GET / HTTP/1.1\r\n\r\n');
      expect(got[2]).toMatchObject({ control: false, streamId: 5, flags: 1 });
      expect(got[2].data.length).toBe(0);
    });
  }
});

describe('name/value blocks', () => {
  const cases: Record<string, string>[] = [{}, { streamtype: 'data', port: '80', requestid: '0' }, { streamtype: 'error', port: '8080', requestid: '12' }];
  for (const headers of cases) {
    it(`round-trips ${JSON.stringify(headers)}`, () => {
      expect(decodeHeaderBlock(encodeHeaderBlock(headers))).toEqual(headers);
    });
  }
  it('lower-cases names and keeps the first of NUL-separated values', () => {
    const block = encodeHeaderBlock({ StreamType: 'data\0error' });
    expect(decodeHeaderBlock(block)).toEqual({ streamtype: 'data' });
  });
});

describe('SPDY/3 header dictionary', () => {
  it("is the spec's 1423 bytes: a zlib stream made with it names DICTID e3c6a7c2, as kubectl's spdystream expects", async () => {
    const { deflateSync, inflateSync } = await import('node:zlib');
    const { SPDY_DICTIONARY } = await import('../../../main/apiserver/streams/port-forward');
    expect(SPDY_DICTIONARY.length).toBe(1423);
    expect(SPDY_DICTIONARY.subarray(0, 11)).toEqual(Buffer.from([0, 0, 0, 7, ...Buffer.from('options')]));
    expect(SPDY_DICTIONARY.subarray(-6).toString('latin1')).toBe('enq=0.');
    const z = deflateSync(Buffer.from('streamtype'), { dictionary: SPDY_DICTIONARY });
    expect(z[1] & 0x20).toBe(0x20); // FDICT
    expect(z.subarray(2, 6).toString('hex')).toBe('e3c6a7c2'); // Adler-32 of the dictionary
    expect(inflateSync(z, { dictionary: SPDY_DICTIONARY }).toString()).toBe('streamtype');
  });
});
