/** Helpers for validation tests: run a contract over CSV text, and render accepted rows back as CSV-like lines. */
import type * as arrow from 'apache-arrow';
import { arrowCell } from '../../validation/cells.js';
import {
  bytesInput,
  int32KeySetOf,
  ValidationRun,
  type CsvInput,
  type DatasetContract,
  type DatasetResult,
  type QuarantineRecord,
  type RuleCode,
} from '../../validation/index.js';

const p2 = (n: number): string => String(n).padStart(2, '0');

/** A timestamp in µs as `YYYY-MM-DDTHH:MM:SS[.ffffff]` (UTC, no zone: the form the raw files use). */
export function timestampText(us: bigint): string {
  const sec = us / 1_000_000n - (us % 1_000_000n < 0n ? 1n : 0n);
  const frac = Number(us - sec * 1_000_000n);
  const d = new Date(Number(sec) * 1000);
  const base = `${d.getUTCFullYear()}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())}T${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
  return frac === 0 ? base : `${base}.${String(frac).padStart(6, '0')}`;
}

/** One accepted row as a comma-joined line in contract column order (nulls empty). */
export function rowLine(contract: DatasetContract, batch: arrow.RecordBatch, i: number): string {
  return contract.columns
    .map((col, c) => {
      const cell = arrowCell(batch.data.children[c]!, col.spec.kind, i);
      if (cell === null) return '';
      if (col.spec.kind === 'date') return new Date(Number(cell) * 86_400_000).toISOString().slice(0, 10);
      if (col.spec.kind === 'timestamp') return timestampText(cell as bigint);
      return String(cell);
    })
    .join(',');
}

/** A schema as text: fields with type and nullability, and the metadata. */
export function schemaText(schema: arrow.Schema): string {
  return JSON.stringify([schema.fields.map((f) => `${f.name}:${String(f.type)}:${f.nullable}`), [...schema.metadata]]);
}

/** Every accepted row of a result as lines. */
export async function acceptedLines(result: DatasetResult): Promise<string[]> {
  const out: string[] = [];
  for await (const batch of result.accepted) {
    if (schemaText(batch.schema) !== schemaText(result.schema)) throw new Error(`accepted batch schema ${schemaText(batch.schema)} is not the contract's`);
    for (let i = 0; i < batch.numRows; i++) out.push(rowLine(result.contract, batch, i));
  }
  return out;
}

/** What one dataset's validation produced, in a shape tests can compare exactly. */
export interface Outcome {
  /** The result (summary, records). */
  result: DatasetResult;
  /** Accepted rows as lines (see `rowLine`). */
  accepted: string[];
  /** [rule, line] of every rejected row, in quarantine order. */
  rejected: [RuleCode, number][];
  /** The quarantine records. */
  records: readonly QuarantineRecord[];
  /** With `stream`: how many times validation abandoned the stream (0 or 1). */
  abandoned: number;
}

/** Committed keys per dataset (int32 primary keys), as a `committedKeys` provider. */
export function committed(keys: Record<string, number[]>): (dataset: string) => Promise<ReturnType<typeof int32KeySetOf> | undefined> {
  return async (dataset) => (keys[dataset] === undefined ? undefined : int32KeySetOf(Int32Array.from(keys[dataset]!)));
}

/** Validates `files` (text, bytes or inputs) of one dataset in `run` (a fresh run by default). */
export async function validate(
  contract: DatasetContract,
  files: (string | Uint8Array | CsvInput)[] | string,
  options: { run?: ValidationRun; committed?: Record<string, number[]>; chunk?: number; stream?: boolean } = {},
): Promise<Outcome> {
  const run = options.run ?? new ValidationRun({ runId: 'test-run', ...(options.committed ? { committedKeys: committed(options.committed) } : {}) });
  const list = typeof files === 'string' ? [files] : files;
  const inputs = list.map((f, i) =>
    typeof f === 'string' || f instanceof Uint8Array ? bytesInput(`mem://${contract.name}/${i}.csv`, f, options.chunk) : f,
  );
  // With `stream`, the rows handed out during validation are the accepted rows unless it abandons them.
  // The batches are kept and read only at the end, as a table writer buffers them: they must own their memory.
  const pushed: arrow.RecordBatch[] = [];
  let abandoned = 0;
  const stream = {
    push: async (batch: arrow.RecordBatch, file: number) => {
      if (abandoned > 0) throw new Error('push after abandon');
      if (schemaText(batch.schema) !== schemaText(contract.arrowSchema)) throw new Error('streamed batch schema is not the contract\'s');
      if (inputs[file] === undefined) throw new Error(`streamed batch names input ${file}`);
      pushed.push(batch);
    },
    abandon: () => {
      abandoned++;
    },
  };
  const result = await run.validate(contract, inputs, options.stream ? { stream } : {});
  if (options.stream && result.streamed === (abandoned > 0)) throw new Error(`streamed=${result.streamed} but abandoned ${abandoned} times`);
  const accepted = options.stream && result.streamed ? pushed.flatMap((b) => Array.from({ length: b.numRows }, (_, i) => rowLine(contract, b, i))) : await acceptedLines(result);
  return { result, accepted, rejected: result.rejected.map((r) => [r.rule, r.source_line]), records: result.rejected, abandoned };
}
