import { describe, expect, it } from 'vitest';
import { slotKeeper } from '../../../renderer/lib/virtual-slots';

describe('slotKeeper', () => {
  it("keeps the slot of a row still on screen and gives a scrolled-out row's slot to the row scrolling in", () => {
    const slots = slotKeeper();
    expect(slots([0, 1, 2, 3])).toEqual([0, 1, 2, 3]);
    // one row down: 0 leaves, 4 enters and takes its slot
    expect(slots([1, 2, 3, 4])).toEqual([1, 2, 3, 0]);
    // three rows down
    expect(slots([4, 5, 6, 7])).toEqual([0, 1, 2, 3]);
  });

  it('gives distinct slots when the window grows, shrinks or jumps', () => {
    const slots = slotKeeper();
    slots([10, 11, 12]);
    expect(slots([10, 11, 12, 13, 14])).toEqual([0, 1, 2, 3, 4]);
    expect(slots([12, 13])).toEqual([2, 3]);
    const jumped = slots([500, 501, 502, 503]);
    expect(new Set(jumped).size).toBe(4);
    expect(jumped.every((s) => s >= 0 && s < 4)).toBe(true);
  });
});
