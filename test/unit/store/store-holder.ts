// Child of durability.test.ts: opens the store of a data dir, says so, and holds it until killed.
import { setLogSink } from '../../../main/log';
import { openStore } from '../../../main/store';

setLogSink(() => {});
const store = await openStore(process.argv[2]);
process.stdout.write(`open ${process.pid} ${store.revision}\n`);
setInterval(() => {}, 1 << 30);
