/**
 * The messages between `openDecodedCsv` and its worker thread (see `decode-worker.ts`), and how an error
 * crosses between them: errors are not cloned faithfully by `postMessage`, so a failure is described and
 * the same error type is made again on the calling thread.
 */
import { CsvFormatError, type CsvOptions } from './csv/index.js';
import type { ColumnSpec } from './column.js';
import type { Fingerprint } from './input-fingerprint.js';
import type { DecodePlan } from './decoded-csv-reader.js';
import { DecodeWorkerError } from './decode-worker-error.js';

/** The part of a `ColumnSpec` that decoding uses (zod checks do not cross threads). */
export type WireSpec = Pick<ColumnSpec, 'kind' | 'isLowCardinality' | 'decimal'>;

/** A `DecodePlan` as posted to the worker. */
export interface WirePlan {
  /** The specs, reduced to what decoding uses. */
  specs: WireSpec[];
  /** CSV column of each spec. */
  fields: number[];
}

/**
 * Calling thread to worker: `open`; then `chunk`s and `end` unless the worker reads a file itself; `plan`
 * once the header is known; `recycle` for each batch consumed.
 */
export type ToWorker =
  | {
      /** Starts reading a new input with these CSV options. */
      type: 'open';
      /** The dialect (already checked on the calling thread). */
      options: CsvOptions;
      /** A local file the worker reads itself (then no chunks are posted), with its read size. */
      file?: { path: string; chunkSize: number };
    }
  | {
      /** The next raw chunk of the input (its buffer is transferred). */
      type: 'chunk';
      /** The bytes. */
      chunk: Uint8Array;
    }
  | {
      /** No more chunks. */
      type: 'end';
      /** True when reading the source failed: the worker stops with a `source` failure. */
      failed: boolean;
    }
  | {
      /** A batch's frame the calling thread is done with: room for one more batch, and memory to reuse (see `transfer-frame.ts`). */
      type: 'recycle';
      /** The frame (transferred). */
      frame: ArrayBuffer;
    }
  | {
      /** What to decode, sent in answer to `header`. */
      type: 'plan';
      /** The plan, or null to decode nothing. */
      plan: WirePlan | null;
    };

/** How a failure in the worker is described to the calling thread. */
export type WorkerFailure =
  | {
      /** A `CsvFormatError`. */
      kind: 'csv_format';
      /** Its message. */
      message: string;
      /** `code` of its cause (zlib's `Z_...` for a corrupt gzip stream). */
      causeCode?: string;
      /** Message of its cause. */
      causeMessage?: string;
    }
  | {
      /** The calling thread said the source failed: it rethrows the source's own error. */
      kind: 'source';
    }
  | {
      /** The worker could not read its file: an fs error, made again with the same fields. */
      kind: 'io';
      /** Its message. */
      message: string;
      /** `code`, `errno`, `syscall` and `path`, those it has. */
      fields: Record<string, string | number>;
    }
  | {
      /** Anything else. */
      kind: 'other';
      /** The error's name. */
      name: string;
      /** Its message. */
      message: string;
    };

/** Worker to calling thread. */
export type FromWorker =
  | {
      /** A chunk was taken: room for another. */
      type: 'took';
    }
  | {
      /** The header row is known (or the input has none). */
      type: 'header';
      /** Header names, undefined for an input without rows. */
      header: string[] | undefined;
      /** 1-based line of the header row, 0 when none. */
      headerLine: number;
    }
  | {
      /** The next batch: `{ csv, decoded }` (a `DecodedCsvBatch`) packed by `packFrame`. */
      type: 'batch';
      /** The frame holding its arrays (transferred). */
      frame: ArrayBuffer;
      /** The packed tree. */
      tree: unknown;
    }
  | {
      /** The input was read to its end. */
      type: 'done';
      /** What the bytes of the file the worker read looked like (only when it read one). */
      fingerprint?: Fingerprint;
    }
  | {
      /** Reading stopped with an error. */
      type: 'error';
      /** What went wrong. */
      failure: WorkerFailure;
    };

/** Thrown inside the worker when the calling thread reports that the source failed. */
export class SourceFailed extends Error {}

/** Thrown inside the worker when reading its file failed; `cause` is the fs error. */
export class FileReadFailed extends Error {}

const IO_FIELDS = ['code', 'errno', 'syscall', 'path'] as const;

/** `plan` reduced to what the worker needs (null for undefined). */
export function wirePlan(plan: DecodePlan | undefined): WirePlan | null {
  if (plan === undefined) return null;
  const specs = plan.specs.map((s): WireSpec => ({ kind: s.kind, isLowCardinality: s.isLowCardinality, ...(s.decimal ? { decimal: s.decimal } : {}) }));
  return { specs, fields: [...plan.fields] };
}

/** Describes `err` for the calling thread. */
export function describeFailure(err: unknown): WorkerFailure {
  if (err instanceof SourceFailed) return { kind: 'source' };
  if (err instanceof FileReadFailed) {
    const cause = err.cause as Record<string, unknown>;
    const fields: Record<string, string | number> = {};
    for (const k of IO_FIELDS) if (typeof cause[k] === 'string' || typeof cause[k] === 'number') fields[k] = cause[k];
    return { kind: 'io', message: String(cause.message), fields };
  }
  if (err instanceof CsvFormatError) {
    const cause = err.cause as { code?: unknown; message?: unknown } | undefined;
    return {
      kind: 'csv_format',
      message: err.message,
      ...(typeof cause?.code === 'string' ? { causeCode: cause.code } : {}),
      ...(typeof cause?.message === 'string' ? { causeMessage: cause.message } : {}),
    };
  }
  const e = err instanceof Error ? err : new Error(String(err));
  return { kind: 'other', name: e.name, message: e.message };
}

/** The error to throw on the calling thread for `failure`; `sourceError` is what reading the source threw. */
export function failureError(failure: WorkerFailure, sourceError: unknown): unknown {
  switch (failure.kind) {
    case 'source':
      return sourceError;
    case 'csv_format': {
      if (failure.causeCode === undefined && failure.causeMessage === undefined) return new CsvFormatError(failure.message);
      const cause = Object.assign(new Error(failure.causeMessage ?? failure.message), failure.causeCode === undefined ? {} : { code: failure.causeCode });
      return new CsvFormatError(failure.message, { cause });
    }
    case 'io':
      return Object.assign(new Error(failure.message), failure.fields);
    case 'other':
      return new DecodeWorkerError(`the CSV decode thread failed: ${failure.name}: ${failure.message}`);
  }
}
