// Child of store-crash.test.ts: writes as fast as it can and prints each write the store acknowledged.
import { openStore } from '../../main/store';
import { setLogSink } from '../../main/log';

setLogSink(() => {});
const [dir, round] = process.argv.slice(2);
const store = await openStore(dir, { snapshotBytes: 256 * 1024 });
process.stdout.write(`open ${store.revision}\n`);

const payload = 'x'.repeat(700);
async function writer(w: number): Promise<void> {
  for (let i = 0; ; i++) {
    const key = `/pods/r${round}/w${w}-${i}`;
    const obj = (gen: number) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `w${w}-${i}` }, data: { gen, payload } });
    const c = await store.create(key, obj(1));
    process.stdout.write(`ack ${key} 1 ${c.modRevision}\n`);
    if (i % 3 === 0) {
      const u = await store.update(key, obj(2), c.modRevision);
      process.stdout.write(`ack ${key} 2 ${u.modRevision}\n`);
    }
  }
}
await Promise.all(Array.from({ length: 16 }, (_, w) => writer(w)));
