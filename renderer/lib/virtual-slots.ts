// Stable keys for virtualized rows: a row that scrolls out frees its slot and the row that scrolls in takes it, so
// Vue patches the few cells that differ instead of destroying one row's elements and creating another's. Pure.

/** Keeps the slot of each index between calls; `slots(indexes)` returns one slot per index, in the same order. */
export function slotKeeper(): (indexes: readonly number[]) => number[] {
  let prev = new Map<number, number>();
  return (indexes) => {
    const next = new Map<number, number>();
    const used = new Set<number>();
    for (const i of indexes) {
      const s = prev.get(i);
      if (s !== undefined && !used.has(s)) {
        next.set(i, s);
        used.add(s);
      }
    }
    let free = 0;
    for (const i of indexes) {
      if (next.has(i)) continue;
      while (used.has(free)) free++;
      next.set(i, free);
      used.add(free);
    }
    prev = next;
    return indexes.map((i) => next.get(i)!);
  };
}
