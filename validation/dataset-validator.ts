/**
 * Validates every raw file of one dataset: header check, malformed rows, per-row checks, foreign keys,
 * dedupe; accepted rows are marked one bit each (`OrdinalBits`, read again by `readAccepted` when they
 * are handed out), rejected rows become quarantine records; counts per file. The output is final once
 * all files are read (a later row may supersede an accepted one: see `contests.ts`).
 */
import type * as arrow from 'apache-arrow';
import { CsvFormatError, decompressIfGzip, rowText, type CsvBatch } from './csv/index.js';
import type { AcceptedRows } from './accepted-rows.js';
import { rereadFiles, type AcceptedFile } from './reread-files.js';
import { buildRecordBatch } from './arrow-build.js';
import { decodedCell } from './cells.js';
import { decodeBatch, decodeColumn, type DecodedBatch } from './decoded-batch.js';
import { openDecodedCsv } from './decoded-csv.js';
import type { DecodedCsvReader } from './decoded-csv-reader.js';
import { Dedupe, type DedupeEvents, type RowPlace, type SettledRow } from './dedupe.js';
import type { DatasetContract } from './define-dataset.js';
import { InputFileError, ReconciliationError, ValidationFailedError } from './errors.js';
import { matchHeader, type HeaderMatch } from './header-check.js';
import { emptyFingerprint } from './input-fingerprint.js';
import type { CsvInput } from './inputs.js';
import { keySetFor, type KeyLookup } from './key-lookup.js';
import { compositeKeyAt } from './key-values.js';
import { OrdinalBits } from './ordinal-bits.js';
import type { QuarantineRecord } from './quarantine.js';
import { checkRows, type FlagRow, type ForeignKeyTarget } from './row-checks.js';
import { RULE_CODES, RULE_INDEX, type RuleCode } from './rules.js';
import { addCounts, assertReconciled, bump, zeroCounts, type DatasetSummary, type FileSummary } from './summary.js';

/** A row kept under a `warn` policy, for the run's log. */
export interface RowWarning {
  /** Dataset name. */
  readonly dataset: string;
  /** URI of the raw file. */
  readonly source_uri: string;
  /** Source line. */
  readonly source_line: number;
  /** The rule that warned. */
  readonly rule: RuleCode;
  /** Why. */
  readonly message: string;
}

/** Most warnings kept as examples per dataset (all are counted). */
export const MAX_WARNING_SAMPLES = 1000;

/** Everything validating one dataset produced. */
export interface DatasetOutcome {
  /** Counts, reconciled. */
  readonly summary: DatasetSummary;
  /** Rejected rows, by file (input order) then line. */
  readonly rejected: QuarantineRecord[];
  /** The first `MAX_WARNING_SAMPLES` warnings. */
  readonly warnings: RowWarning[];
  /** Which rows were accepted, and where they are (read them with `readAccepted`). */
  readonly accepted: AcceptedRows;
  /** Primary keys accepted (single-column keys only), for datasets that reference this one. */
  readonly acceptedKeys: KeyLookup | undefined;
  /** Primary keys of rows rejected and not accepted otherwise (messages of referencing datasets). */
  readonly rejectedKeys: KeyLookup | undefined;
  /** True when every accepted row was handed to the `AcceptedStream` during validation (see `AcceptedStream`). */
  readonly streamed: boolean;
}

/**
 * Where accepted rows go while validation reads the files, so they need not be read a second time.
 * A row is final when its batch is done unless a later batch repeats a key kept earlier (a contest:
 * see `contests.ts`); validation then stops streaming and calls `abandon` once, and the rows must be
 * taken from the files again (`readAccepted`). The consumer must not commit before validation ends.
 */
export interface AcceptedStream {
  /** The accepted rows of one batch (contract schema, input order), all from input `file`; awaited (back-pressure). */
  push(batch: arrow.RecordBatch, file: number): Promise<void>;
  /** The rows pushed so far are not the final output: drop them. No push follows. */
  abandon(): void;
}

interface Pending {
  file: number;
  line: number;
  record: QuarantineRecord;
}

/** A contested row read again, with what settling it needs. */
interface Contested extends SettledRow {
  /** Its original text. */
  readonly raw: string;
  /** Bit `RULE_INDEX[rule]` for each rule that warned on it. */
  warned: number;
}

/** Validates the files of one dataset; foreign keys are checked against `foreignKeys` (by column). */
export async function validateFiles(
  contract: DatasetContract,
  inputs: readonly CsvInput[],
  foreignKeys: ReadonlyMap<string, ForeignKeyTarget>,
  stream?: AcceptedStream,
): Promise<DatasetOutcome> {
  return new DatasetValidation(contract, inputs, foreignKeys, stream).run();
}

class DatasetValidation {
  private readonly bits = new OrdinalBits();
  private readonly loaded: AcceptedFile[] = [];
  private readonly dedupe: Dedupe;
  private readonly files: FileSummary[] = [];
  private readonly pending: Pending[] = [];
  private readonly warnings: RowWarning[] = [];
  private readonly rejectedKeys: ReturnType<typeof keySetFor> | undefined;
  private readonly keyColumns: number[];
  private ordinal = 0;
  /** Rows handed to `stream`; streaming stops (for good) when a contest opens. */
  private streamedRows = 0;
  private streaming: boolean;

  constructor(
    private readonly contract: DatasetContract,
    private readonly inputs: readonly CsvInput[],
    private readonly foreignKeys: ReadonlyMap<string, ForeignKeyTarget>,
    private readonly stream: AcceptedStream | undefined,
  ) {
    this.streaming = stream !== undefined;
    this.dedupe = new Dedupe(contract);
    this.keyColumns = contract.primaryKey.map((k) => contract.column(k).index);
    this.rejectedKeys = this.keyColumns.length === 1 ? keySetFor(contract.columns[this.keyColumns[0]!]!.spec.kind) : undefined;
  }

  async run(): Promise<DatasetOutcome> {
    for (let f = 0; f < this.inputs.length; f++) await this.file(f);
    await this.settleContests();
    const summary: DatasetSummary = { dataset: this.contract.name, ...zeroCounts(), files: this.files };
    for (const f of this.files) addCounts(summary, f);
    assertReconciled(summary);
    const rejected = this.pending.sort((a, b) => a.file - b.file || a.line - b.line).map((p) => p.record);
    if (rejected.length !== summary.rejected) {
      throw new ReconciliationError(`dataset ${this.contract.name}: ${rejected.length} quarantine records for ${summary.rejected} rejected rows`);
    }
    // The keys are final: keep them as a set only (the index of rows is no longer needed).
    const accepted = this.dedupe.keySet();
    const rejectedKeys = this.rejectedKeys && accepted ? withoutKeys(this.rejectedKeys, accepted) : undefined;
    if (this.bits.size !== summary.accepted) {
      throw new ReconciliationError(`dataset ${this.contract.name}: ${this.bits.size} rows marked accepted, ${summary.accepted} counted`);
    }
    if (this.streaming && this.streamedRows !== summary.accepted) {
      throw new ReconciliationError(`dataset ${this.contract.name}: ${this.streamedRows} rows streamed, ${summary.accepted} counted`);
    }
    const files = this.loaded.filter((l) => this.files[l.file]!.accepted > 0);
    return { summary, rejected, warnings: this.warnings, accepted: { bits: this.bits, files }, acceptedKeys: accepted, rejectedKeys, streamed: this.streaming };
  }

  private stopStreaming(): void {
    if (!this.streaming) return;
    this.streaming = false;
    this.stream!.abandon();
  }

  private describe = (place: RowPlace): string => `line ${place.line} of ${this.inputs[place.file]!.uri}`;

  private reject(file: number, line: number, rule: RuleCode, message: string, raw: string, column?: string): void {
    const policy = this.contract.policies[rule];
    const uri = this.inputs[file]!.uri;
    if (policy === 'fail') {
      throw new ValidationFailedError(rule, { dataset: this.contract.name, sourceUri: uri, line, ...(column === undefined ? {} : { column }) }, message);
    }
    const counts = this.files[file]!;
    counts.rejected++;
    bump(counts.rejectedByRule, rule);
    this.pending.push({ file, line, record: { dataset: this.contract.name, source_uri: uri, source_line: line, rule, message, raw_record: raw } });
  }

  private warn(file: number, line: number, rule: RuleCode, message: string): void {
    if (this.warnings.length < MAX_WARNING_SAMPLES) {
      this.warnings.push({ dataset: this.contract.name, source_uri: this.inputs[file]!.uri, source_line: line, rule, message });
    }
  }

  private async file(f: number): Promise<void> {
    const input = this.inputs[f]!;
    const summary: FileSummary = { uri: input.uri, status: 'loaded', ...zeroCounts() };
    this.files.push(summary);
    const names = this.contract.columns.map((c) => c.name);
    const specs = this.contract.columns.map((c) => c.spec);
    let match: HeaderMatch | undefined;
    let reader: DecodedCsvReader;
    const fingerprint = emptyFingerprint();
    try {
      // Large files are tokenized and decoded on a worker thread while this one validates.
      reader = await openDecodedCsv(input.open(), {
        ...this.contract.csv,
        fingerprint,
        plan: (header) => {
          match = matchHeader(header, names);
          return match.ok ? { specs, fields: match.fields } : undefined;
        },
      });
    } catch (err) {
      if (!(err instanceof CsvFormatError)) throw err;
      if (isCorruptStream(err)) throw new InputFileError(input.uri, err.message, { cause: err });
      return this.unreadableHeader(f, summary, err.message);
    }
    try {
      if (reader.header === undefined || match === undefined) {
        summary.status = 'empty';
        return;
      }
      const m: HeaderMatch = match;
      if (!m.ok) {
        summary.status = 'header_mismatch';
        summary.headerProblem = m.problem;
        if (this.contract.policies.header_mismatch === 'fail') {
          throw new ValidationFailedError('header_mismatch', { dataset: this.contract.name, sourceUri: input.uri, line: reader.headerLine }, m.problem);
        }
        for await (const { csv } of reader) this.mismatchedBatch(f, summary, csv, m.problem);
        return;
      }
      const ordinalStart = this.ordinal;
      // A worker's batches live in a buffer it reuses: streamed rows must own their memory.
      const copy = reader.threaded;
      for await (const { csv, decoded } of reader) {
        const rows = this.batch(f, summary, csv, decoded!, copy);
        if (rows !== undefined) await this.stream!.push(rows, f);
      }
      this.loaded.push({ file: f, ordinalStart, ordinalEnd: this.ordinal, fields: m.fields, fingerprint });
    } catch (err) {
      if (err instanceof CsvFormatError) throw new InputFileError(input.uri, err.message, { cause: err });
      throw err;
    } finally {
      await reader.close();
    }
  }

  /** The header row itself cannot be parsed: every non-blank line after it is read and rejected. */
  private async unreadableHeader(f: number, summary: FileSummary, reason: string): Promise<void> {
    const problem = `header row cannot be read: ${reason}`;
    summary.status = 'header_mismatch';
    summary.headerProblem = problem;
    if (this.contract.policies.header_mismatch === 'fail') {
      throw new ValidationFailedError('header_mismatch', { dataset: this.contract.name, sourceUri: this.inputs[f]!.uri, line: 1 }, problem);
    }
    let header = true;
    for await (const { line, text } of physicalLines(this.inputs[f]!.open())) {
      if (header) {
        header = false; // the first non-blank line is the unreadable header itself
        continue;
      }
      summary.read++;
      this.reject(f, line, 'header_mismatch', problem, text);
    }
  }

  private mismatchedBatch(f: number, summary: FileSummary, batch: CsvBatch, problem: string): void {
    const rows: [number, string][] = batch.malformed.map((m) => [m.line, m.raw]);
    for (let r = 0; r < batch.rowCount; r++) rows.push([batch.lines[r]!, rowText(batch, r)]);
    rows.sort((a, b) => a[0] - b[0]);
    for (const [line, raw] of rows) {
      summary.read++;
      this.reject(f, line, 'header_mismatch', problem, raw);
    }
  }

  /** Validates one batch; returns its accepted rows as Arrow when they are streamed (in memory of their own with `copy`). */
  private batch(f: number, summary: FileSummary, csv: CsvBatch, decoded: DecodedBatch, copy: boolean): arrow.RecordBatch | undefined {
    const contract = this.contract;
    for (const m of csv.malformed) {
      summary.read++;
      const column = m.column === undefined ? '' : ` (field ${m.column})`;
      this.reject(f, m.line, 'malformed_row', `${m.reason}${column}`, m.raw);
    }
    const n = csv.rowCount;
    if (n === 0) return undefined;
    summary.read += n;
    const todo = new Uint8Array(n).fill(1);
    let warned: Uint16Array | undefined;
    const flag: FlagRow = (rule, r, column, message) => {
      const policy = contract.policies[rule];
      if (policy === 'warn') {
        (warned ??= new Uint16Array(n))[r]! |= 1 << RULE_INDEX[rule];
        this.warn(f, csv.lines[r]!, rule, message(r));
        return;
      }
      if (todo[r] !== 1) return;
      this.reject(f, csv.lines[r]!, rule, message(r), rowText(csv, r), column);
      todo[r] = 0;
    };

    checkRows(contract, decoded, todo, this.foreignKeys, flag);
    this.rememberRejectedKeys(decoded, todo);

    const ordinalBase = this.ordinal;
    const events: DedupeEvents = {
      describe: this.describe,
      rejectNow: (r, message) => {
        this.reject(f, csv.lines[r]!, 'duplicate_key', message, rowText(csv, r), contract.primaryKey.join(', '));
        todo[r] = 0;
      },
    };
    this.dedupe.run({ batch: decoded, ordinalBase, file: f, todo }, contract.policies, flag, events);

    // A contest may overturn a row streamed earlier: from then on the rows are read again instead.
    if (this.dedupe.contests.size > 0) this.stopStreaming();
    let kept = 0;
    const bits = this.bits;
    for (let r = 0; r < n; r++) {
      if (todo[r] !== 1) continue;
      kept++;
      bits.add(ordinalBase + r);
      const w = warned === undefined ? 0 : warned[r]!;
      if (w !== 0) this.countWarnings(summary, w);
    }
    this.ordinal += n;
    summary.accepted += kept;
    if (!this.streaming || kept === 0) return undefined;
    this.streamedRows += kept;
    return buildRecordBatch(contract.arrowSchema, decoded, kept === n ? undefined : takenRows(todo, kept), copy);
  }

  /** Counts an accepted row's warnings (`mask` has bit `RULE_INDEX[rule]` set per rule that warned). */
  private countWarnings(summary: FileSummary, mask: number): void {
    summary.warned++;
    for (let i = 0; i < RULE_CODES.length; i++) if ((mask >> i) & 1) bump(summary.warnedByRule, RULE_CODES[i]!);
  }

  /** Keys of rows rejected by a check (not by dedupe), so referencing rows can be told why they fail. */
  private rememberRejectedKeys(decoded: ReturnType<typeof decodeBatch>, todo: Uint8Array): void {
    const set = this.rejectedKeys;
    if (set === undefined) return;
    for (let r = 0; r < decoded.rowCount; r++) {
      if (todo[r] === 1) continue;
      const key = compositeKeyAt(decoded, this.keyColumns, r);
      if (key !== null) set.add(key as never);
    }
  }

  /** Decides the contests of dedupe (rows whose key was kept in an earlier batch) from the rows read again. */
  private async settleContests(): Promise<void> {
    const contests = this.dedupe.contests;
    if (contests.size === 0) return;
    await this.findEarlierRows();
    const rows = await this.readContested(contests.ordinals());
    const row = (o: number): Contested => rows.get(o)!;
    const policies = this.contract.policies;
    this.dedupe.settle(rows, policies.duplicate_key, {
      describe: this.describe,
      flag: (rule, o, column, message) => {
        const r = row(o);
        const { file, line } = r.place;
        const policy = policies[rule];
        if (policy === 'fail') {
          throw new ValidationFailedError(rule, { dataset: this.contract.name, sourceUri: this.inputs[file]!.uri, line, ...(column === undefined ? {} : { column }) }, message);
        }
        if (policy === 'warn') {
          this.warn(file, line, rule, message);
          const counts = this.files[file]!;
          const bit = 1 << RULE_INDEX[rule];
          if (r.warned === 0) counts.warned++;
          if ((r.warned & bit) === 0) bump(counts.warnedByRule, rule);
          r.warned |= bit;
          return true;
        }
        this.drop(o, r, rule, message);
        return false;
      },
      supersede: (o, message) => this.drop(o, row(o), 'duplicate_key', message),
    });
  }

  /**
   * Contests opened with only the set of keys seen (`Dedupe.earlierUnknown`) lack their earlier row:
   * it is the one row of the key accepted before the contest's first row, found by reading the key
   * column of the files again up to the last such contest.
   */
  private async findEarlierRows(): Promise<void> {
    const dedupe = this.dedupe;
    if (dedupe.earlierUnknown.size === 0) return;
    const before = new Map<number, number>();
    let last = 0;
    for (const key of dedupe.earlierUnknown) {
      const first = dedupe.contests.first(key)!;
      before.set(key, first);
      if (first > last) last = first;
    }
    const c = dedupe.keyColumn;
    const spec = this.contract.columns[c]!.spec;
    const found = new Map<number, number>();
    for await (const { file, base, csv } of rereadFiles(this.contract, this.inputs, this.loaded)) {
      if (base >= last) break;
      const col = decodeColumn(csv, file.fields[c]!, spec);
      if (col.kind !== 'int32' && col.kind !== 'date') throw new Error(`internal: key column of kind ${col.kind}`);
      for (let r = 0; r < csv.rowCount && base + r < last; r++) {
        if (col.valid[r] !== 1) continue;
        const key = col.values[r]!;
        const first = before.get(key);
        if (first === undefined || base + r >= first || !this.bits.has(base + r)) continue;
        if (found.has(key)) throw new Error(`internal: two accepted rows of key ${key} before its contest`);
        found.set(key, base + r);
      }
    }
    for (const key of before.keys()) {
      const ordinal = found.get(key);
      if (ordinal === undefined) throw new InputFileError(this.contract.name, `the files changed while they were being validated (the row kept for key ${key} is gone)`);
      dedupe.placeEarlier(key, ordinal);
    }
  }

  /** An accepted row leaves the output: it is rejected under `rule` (and its warnings no longer count). */
  private drop(ordinal: number, row: Contested, rule: RuleCode, message: string): void {
    const { file, line } = row.place;
    if (!this.bits.delete(ordinal)) throw new Error(`internal: row ${ordinal} dropped twice`);
    const counts = this.files[file]!;
    counts.accepted--;
    counts.rejected++;
    bump(counts.rejectedByRule, rule);
    if (row.warned !== 0) {
      counts.warned--;
      for (let i = 0; i < RULE_CODES.length; i++) {
        if (((row.warned >> i) & 1) === 0) continue;
        const code = RULE_CODES[i]!;
        const left = (counts.warnedByRule[code] ?? 0) - 1;
        if (left > 0) counts.warnedByRule[code] = left;
        else delete counts.warnedByRule[code];
      }
    }
    const uri = this.inputs[file]!.uri;
    this.pending.push({ file, line, record: { dataset: this.contract.name, source_uri: uri, source_line: line, rule, message, raw_record: row.raw } });
  }

  /** Reads the rows with the given ordinals (ascending) again: cells, place, text, and the rules that warned on them. */
  private async readContested(wanted: readonly number[]): Promise<Map<number, Contested>> {
    const contract = this.contract;
    const specs = contract.columns.map((c) => c.spec);
    const anyWarn = Object.values(contract.policies).includes('warn');
    const out = new Map<number, Contested>();
    // Only the files holding a wanted row are read (each to its end: a file that changed is an error).
    // Files are asked about in order, so the first wanted row at or past each file's start only moves on.
    let next = 0;
    const holdsNone = (f: AcceptedFile): boolean => {
      while (next < wanted.length && wanted[next]! < f.ordinalStart) next++;
      return next >= wanted.length || wanted[next]! >= f.ordinalEnd;
    };
    let i = 0;
    for await (const { file, base, csv } of rereadFiles(contract, this.inputs, this.loaded, holdsNone)) {
      if (i >= wanted.length) break;
      const n = csv.rowCount;
      if (wanted[i]! >= base + n) continue;
      const decoded = decodeBatch(csv, specs, file.fields);
      const warned = anyWarn ? this.warnMasks(decoded) : undefined;
      for (; i < wanted.length && wanted[i]! < base + n; i++) {
        const r = wanted[i]! - base;
        out.set(wanted[i]!, {
          cells: contract.columns.map((_, c) => decodedCell(decoded, c, r)),
          place: { file: file.file, line: csv.lines[r]! },
          raw: rowText(csv, r),
          warned: warned?.[r] ?? 0,
        });
      }
    }
    // Every wanted row lies in a loaded file, whose rows were all read again.
    if (i < wanted.length) throw new Error(`internal: row ${wanted[i]} is in no loaded file`);
    return out;
  }

  /** The rules that warn on each row of `decoded` (bit `RULE_INDEX[rule]`), by running the checks again. */
  private warnMasks(decoded: ReturnType<typeof decodeBatch>): Uint16Array {
    const n = decoded.rowCount;
    const masks = new Uint16Array(n);
    const todo = new Uint8Array(n).fill(1);
    const policies = this.contract.policies;
    checkRows(this.contract, decoded, todo, this.foreignKeys, (rule, r) => {
      if (policies[rule] === 'warn') masks[r]! |= 1 << RULE_INDEX[rule];
      else todo[r] = 0;
    });
    return masks;
  }
}

/** The indices of the rows with `todo[r] = 1` (`kept` of them). */
function takenRows(todo: Uint8Array, kept: number): Uint32Array {
  const take = new Uint32Array(kept);
  for (let r = 0, k = 0; k < kept; r++) if (todo[r] === 1) take[k++] = r;
  return take;
}

/** True for a CSV error that is about the byte stream (a corrupt gzip member), not about the CSV text. */
function isCorruptStream(err: CsvFormatError): boolean {
  const code = (err.cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && code.startsWith('Z_');
}

/** The keys of `rejected` that are not in `accepted` (a key can be rejected on one row and accepted on another). */
function withoutKeys(rejected: KeyLookup, accepted: KeyLookup): KeyLookup {
  return { has: (k) => rejected.has(k) && !accepted.has(k), size: rejected.size, byteSize: rejected.byteSize };
}

/** Non-blank physical lines of a (possibly gzip) byte stream, 1-based, without line breaks. */
async function* physicalLines(source: AsyncIterable<Uint8Array>): AsyncGenerator<{ line: number; text: string }> {
  const decoder = new TextDecoder('utf-8', { ignoreBOM: false });
  let carry = '';
  let line = 0;
  const emit = function* (text: string): Generator<{ line: number; text: string }> {
    line++;
    const t = text.endsWith('\r') ? text.slice(0, -1) : text;
    if (t.length > 0) yield { line, text: t };
  };
  for await (const chunk of decompressIfGzip(source)) {
    const parts = (carry + decoder.decode(chunk, { stream: true })).split('\n');
    carry = parts.pop()!;
    for (const p of parts) yield* emit(p);
  }
  carry += decoder.decode();
  if (carry.length > 0) yield* emit(carry);
}
