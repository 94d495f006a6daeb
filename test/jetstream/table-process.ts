/**
 * One engine process of test/jetstream/item-crash.test.ts (spawned with `node --import tsx`): an
 * engine on the LevelDB directory $LOCATION, on the cluster at $NATS_SERVERS under $PREFIX (one
 * replica). With $FAULT `before-append` its item writes stop for good after the item is written
 * and before its change record is appended; with `after-append` right after the append, before
 * the item's value drops the change. It reports `stalled` there, so the test can SIGKILL it in
 * that window. With $FAULT `none` it is a plain engine (opening it settles what it left owed).
 */
import type { EngineBackend } from '../../src/backend.js';
import { jetstream } from '../../src/backends/jetstream/index.js';
import { createEngine, type Item } from '../../src/index.js';
import type { ChangeOutlet, SharedTableItems } from '../../src/tables/table-items.js';
import { env, send as sendToTest } from './shared-setup.js';

export type TableChildRequest = { type: 'put'; table: string; item: Item } | { type: 'stop' };
export type TableChildMessage = { type: 'ready' } | { type: 'stalled' } | { type: 'put'; error?: string };

const send = (message: TableChildMessage): void => sendToTest(message);
const fault = env('FAULT');

/** Never settles: the write stays where the fault stopped it until the process is killed. */
const forever = (): Promise<never> => new Promise<never>(() => {});

/** `outlet` with the fault in its publish (the item is written when publish is called). */
function faulty(outlet: ChangeOutlet): ChangeOutlet {
  return {
    published: (meta, change) => outlet.published(meta, change),
    publish: async (meta, change) => {
      if (fault === 'before-append') {
        send({ type: 'stalled' });
        return forever();
      }
      await outlet.publish(meta, change);
      send({ type: 'stalled' });
      return forever();
    },
  };
}

const inner = jetstream({ servers: env('NATS_SERVERS').split(','), prefix: env('PREFIX'), replicas: 1 });
const backend: EngineBackend = {
  kind: inner.kind,
  open: async (ground) => {
    const parts = await inner.open(ground);
    const items = parts.tableItems;
    if (!items || fault === 'none') return parts;
    const wrapped: SharedTableItems = {
      get: (meta, key) => items.get(meta, key),
      query: (meta, input) => items.query(meta, input),
      drop: (uid) => items.drop(uid),
      recover: (find, outlet) => items.recover(find, outlet),
      write: (meta, key, decide, change, outlet) => items.write(meta, key, decide, change, faulty(outlet)),
    };
    return { ...parts, tableItems: wrapped };
  },
};

const engine = await createEngine({ location: env('LOCATION'), backend });

process.on('message', (request: TableChildRequest) => {
  void (async () => {
    if (request.type === 'put') {
      try {
        await engine.tables.putItem(request.table, request.item);
        send({ type: 'put' });
      } catch (err) {
        send({ type: 'put', error: String(err) });
      }
    } else {
      await engine.close();
      process.exit(0);
    }
  })();
});
send({ type: 'ready' });
