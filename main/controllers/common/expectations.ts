// ControllerExpectations as upstream: after asking for N creates/deletes, a controller does not
// act on its cache again until the watch has shown them (or a timeout passes), so it never creates twice.
export interface Expectation {
  add: number;
  del: number;
  /** pod keys we asked to delete and have not yet seen go */
  deleting: Set<string>;
  at: number;
}

export class Expectations {
  private m = new Map<string, Expectation>();

  constructor(private readonly ttlMs = 5 * 60_000) {}

  expect(key: string, add: number, deleteKeys: string[] = []): void {
    this.m.set(key, { add, del: deleteKeys.length, deleting: new Set(deleteKeys), at: Date.now() });
  }

  creationObserved(key: string): void {
    const e = this.m.get(key);
    if (e && e.add > 0) e.add--;
  }

  /** a create that failed will never be observed */
  creationFailed(key: string): void {
    this.creationObserved(key);
  }

  deletionObserved(key: string, podKey: string): void {
    const e = this.m.get(key);
    if (e && e.deleting.delete(podKey)) e.del--;
  }

  satisfied(key: string): boolean {
    const e = this.m.get(key);
    if (!e) return true;
    if (e.add <= 0 && e.del <= 0) return true;
    return Date.now() - e.at > this.ttlMs;
  }

  delete(key: string): void {
    this.m.delete(key);
  }
}
