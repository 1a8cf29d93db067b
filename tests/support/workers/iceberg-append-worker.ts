/**
 * A separate writer process for the Iceberg concurrency and crash tests: appends `batches` batches of
 * `rows` rows to the Iceberg table `db.tbl` (root `<table-key>` in the warehouse, committed through the
 * embedded catalog under `<warehouse>/_lakehouse/catalog/`), each with txn (appId = worker id, version = batch number). Ids are
 * worker * 1,000,000 + batch * 1,000 + row, so every row is identifiable.
 * Usage: node --import tsx iceberg-append-worker.ts <warehouse-uri> <table-key> <worker> <batches> <rows> [start-batch]
 * Prints `ready` when loaded and `committed <batch> <sequence-number> <new|skipped> <attempts>` after each commit.
 */
import { IcebergTable, write } from '../../../etl/iceberg/index.js';
import { openStore } from '../../../etl/storage/open-store.js';
import { PrefixedStore } from '../../../etl/storage/prefixed-store.js';
import { ORDER_ITEMS_SCHEMA, orderItems } from '../fixtures.js';
import { ObjectStorePointerStore } from '../iceberg-pointer-store.js';

const [uri, key, workerArg, batchesArg, rowsArg, startArg] = process.argv.slice(2);
const worker = Number(workerArg);
const batches = Number(batchesArg);
const rows = Number(rowsArg);
const start = Number(startArg ?? 0);
const warehouse = openStore(uri!);
const table = await IcebergTable.openOrCreate(new PrefixedStore(warehouse, key!), new ObjectStorePointerStore(warehouse), 'db.tbl', {
  schema: ORDER_ITEMS_SCHEMA,
  partitionBy: ['date'],
});
process.stdout.write('ready\n');
for (let b = start; b < start + batches; b++) {
  const data = orderItems(rows, worker * 1_000_000 + b * 1_000, { days: 2, seed: worker * 7919 + b });
  const m = await write(table, data, { txn: { appId: `worker-${worker}`, version: b } });
  process.stdout.write(`committed ${b} ${m.version} ${m.skipped ? 'skipped' : 'new'} ${m.attempts}\n`);
}
