/**
 * The competitor: DuckDB converting the same CSV into zstd Parquet partitioned by date in one COPY
 * (no validation, no table format). Prints one JSON line. Usage: node --import tsx bench/ingest/duckdb-copy.ts <csv> <out-dir>
 */
import { DuckDBInstance } from '@duckdb/node-api';

const [csv, out] = process.argv.slice(2) as [string, string];
const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await connection.run(`COPY (SELECT * FROM read_csv('${csv}', header = true)) TO '${out}' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (date))`);
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const rows = Number((await connection.runAndReadAll(`SELECT count(*) FROM read_parquet('${out}/**/*.parquet')`)).getRows()[0]![0]);
connection.closeSync();
console.log(JSON.stringify({ rows, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) }));
