/**
 * Exact decimal sums for the amounts of a customer-merchant pair (PatId2 compares an average with 23
 * exactly, as PostgreSQL's `numeric` does): the value is `units / 10^scale`. Units are a plain number
 * while they are a safe integer (amounts in cents, the usual case) and a bigint beyond that.
 */
import { InputFormatError } from './errors.js';

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;
const POW10: bigint[] = [1n];
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function pow10(n: number): bigint {
  while (POW10.length <= n) POW10.push(POW10[POW10.length - 1]! * 10n);
  return POW10[n]!;
}

/** Units and scale of the text {@link parseSmall} read last. */
let parsedUnits = 0;
let parsedScale = 0;

/** Read decimal text of at most 15 digits into `parsedUnits` and `parsedScale`; false for anything else. */
function parseSmall(text: string): boolean {
  const len = text.length;
  let i = text.charCodeAt(0) === 45 ? 1 : 0;
  let units = 0;
  let digits = 0;
  let scale = -1;
  for (; i < len; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (scale >= 0 || digits === 0) return false;
      scale = 0;
    } else if (c >= 48 && c <= 57) {
      units = units * 10 + (c - 48);
      digits++;
      if (scale >= 0) scale++;
    } else return false;
  }
  if (digits === 0 || digits > 15 || scale === 0) return false;
  parsedUnits = text.charCodeAt(0) === 45 ? -units : units;
  parsedScale = scale < 0 ? 0 : scale;
  return true;
}

/** A mutable exact decimal: `units / 10^scale`. */
export class DecimalSum {
  /** Units while they are a safe integer (`big` undefined). */
  private small = 0;
  /** Units once they are not. */
  private big: bigint | undefined;
  /** Digits after the decimal point. */
  private scale = 0;

  /** A sum holding the decimal text `text` (`-12.30`; as PostgreSQL prints `numeric`). */
  static parse(text: string): DecimalSum {
    const d = new DecimalSum();
    d.addText(text);
    return d;
  }

  /** A copy of this sum. */
  copy(): DecimalSum {
    const d = new DecimalSum();
    d.small = this.small;
    d.big = this.big;
    d.scale = this.scale;
    return d;
  }

  /** Add the decimal text `text`; throws {@link InputFormatError} when it is not one. */
  addText(text: string): void {
    if (parseSmall(text)) return this.addUnits(parsedUnits, parsedScale);
    const m = DECIMAL.exec(text);
    if (!m) throw new InputFormatError(`not a decimal number: ${JSON.stringify(text)}`);
    const frac = m[3] ?? '';
    const units = BigInt(m[2]! + frac);
    this.addBig(m[1] ? -units : units, frac.length);
  }

  /** Add another sum. */
  add(other: DecimalSum): void {
    if (other.big === undefined) this.addUnits(other.small, other.scale);
    else this.addBig(other.big, other.scale);
  }

  /** This sum minus `other`, as a new sum. */
  minus(other: DecimalSum): DecimalSum {
    const d = this.copy();
    if (other.big === undefined) d.addUnits(-other.small, other.scale);
    else d.addBig(-other.big, other.scale);
    return d;
  }

  /** True when this sum is below `limit * count` (`limit` and `count` whole numbers). */
  below(limit: number, count: number): boolean {
    if (this.big === undefined && this.scale <= 6) {
      const bound = limit * count * 10 ** this.scale;
      if (Number.isSafeInteger(bound)) return this.small < bound;
    }
    return this.units() < BigInt(limit) * BigInt(count) * pow10(this.scale);
  }

  /** The value as decimal text, for PostgreSQL's `numeric`. */
  toString(): string {
    const units = this.units();
    const negative = units < 0n;
    const digits = (negative ? -units : units).toString().padStart(this.scale + 1, '0');
    const body = this.scale ? `${digits.slice(0, -this.scale)}.${digits.slice(-this.scale)}` : digits;
    return negative ? `-${body}` : body;
  }

  private units(): bigint {
    return this.big ?? BigInt(this.small);
  }

  private addUnits(units: number, scale: number): void {
    if (this.big === undefined) {
      if (scale === this.scale) {
        const r = this.small + units;
        if (Number.isSafeInteger(r)) {
          this.small = r;
          return;
        }
      } else if (this.small === 0 && scale > this.scale) {
        this.small = units;
        this.scale = scale;
        return;
      }
    }
    this.addBig(BigInt(units), scale);
  }

  private addBig(units: bigint, scale: number): void {
    let mine = this.units();
    if (scale > this.scale) {
      mine *= pow10(scale - this.scale);
      this.scale = scale;
    } else if (scale < this.scale) units *= pow10(this.scale - scale);
    const r = mine + units;
    if (r >= -MAX_SAFE && r <= MAX_SAFE) {
      this.small = Number(r);
      this.big = undefined;
    } else this.big = r;
  }
}
