/**
 * Column types as Glue and Athena spell them (Hive DDL): Arrow -> `int`, `bigint`, `double`,
 * `string`, `date`, `timestamp`, `boolean`, `decimal(p,s)`, `array<...>`, `struct<...>`, `map<...>`,
 * and back (for tables registered by other tools).
 */
import * as arrow from 'apache-arrow';
import { UsageError } from '../../etl/errors.js';

/** The Hive type of an Arrow type. Throws `UsageError` for types Athena cannot read. */
export function hiveTypeOf(type: arrow.DataType, column: string): string {
  if (arrow.DataType.isDictionary(type)) return hiveTypeOf(type.dictionary, column);
  if (arrow.DataType.isInt(type)) {
    if (type.isSigned) return ({ 8: 'tinyint', 16: 'smallint', 32: 'int', 64: 'bigint' } as const)[type.bitWidth];
    return ({ 8: 'smallint', 16: 'int', 32: 'bigint', 64: 'decimal(20,0)' } as const)[type.bitWidth];
  }
  if (arrow.DataType.isFloat(type)) return type.precision === arrow.Precision.DOUBLE ? 'double' : 'float';
  if (arrow.DataType.isBool(type)) return 'boolean';
  if (arrow.DataType.isUtf8(type) || arrow.DataType.isLargeUtf8(type)) return 'string';
  if (arrow.DataType.isBinary(type) || arrow.DataType.isLargeBinary(type)) return 'binary';
  if (arrow.DataType.isDate(type)) return 'date';
  if (arrow.DataType.isTimestamp(type)) return 'timestamp';
  if (arrow.DataType.isDecimal(type)) return `decimal(${type.precision},${type.scale})`;
  if (arrow.DataType.isList(type)) return `array<${hiveTypeOf(type.children[0]!.type, column)}>`;
  if (arrow.DataType.isStruct(type)) return `struct<${type.children.map((f) => `${f.name}:${hiveTypeOf(f.type, column)}`).join(',')}>`;
  if (arrow.DataType.isMap(type)) {
    const [k, v] = type.children[0]!.type.children as [arrow.Field, arrow.Field];
    return `map<${hiveTypeOf(k.type, column)},${hiveTypeOf(v.type, column)}>`;
  }
  throw new UsageError(`column ${column}: Arrow type ${String(type)} has no Glue/Athena equivalent`);
}

/** The Arrow type of a Hive type string. Throws `UsageError` for a type it does not know. */
export function arrowTypeOfHive(hive: string, column: string): arrow.DataType {
  const parser = new HiveTypeParser(hive, column);
  const type = parser.type();
  parser.end();
  return type;
}

/** A recursive-descent parser of Hive type strings. */
class HiveTypeParser {
  private at = 0;

  constructor(
    private readonly text: string,
    private readonly column: string,
  ) {}

  type(): arrow.DataType {
    const word = this.word().toLowerCase();
    switch (word) {
      case 'tinyint':
        return new arrow.Int8();
      case 'smallint':
        return new arrow.Int16();
      case 'int':
      case 'integer':
        return new arrow.Int32();
      case 'bigint':
        return new arrow.Int64();
      case 'float':
      case 'real':
        return new arrow.Float32();
      case 'double':
        return new arrow.Float64();
      case 'boolean':
        return new arrow.Bool();
      case 'string':
        return new arrow.Utf8();
      case 'char':
      case 'varchar':
        if (this.peek() === '(') this.args();
        return new arrow.Utf8();
      case 'binary':
        return new arrow.Binary();
      case 'date':
        return new arrow.DateDay();
      case 'timestamp':
        return new arrow.TimestampMicrosecond('UTC');
      case 'decimal': {
        const [precision = 10, scale = 0] = this.peek() === '(' ? this.args() : [];
        return new arrow.Decimal(scale, precision, 128);
      }
      case 'array': {
        this.expect('<');
        const element = this.type();
        this.expect('>');
        return new arrow.List(new arrow.Field('element', element, true));
      }
      case 'map': {
        this.expect('<');
        const key = this.type();
        this.expect(',');
        const value = this.type();
        this.expect('>');
        const entries = new arrow.Struct([new arrow.Field('key', key, false), new arrow.Field('value', value, true)]);
        return new arrow.Map_(new arrow.Field('key_value', entries, false) as arrow.Field<never>);
      }
      case 'struct': {
        this.expect('<');
        const fields: arrow.Field[] = [];
        while (this.peek() !== '>') {
          if (fields.length) this.expect(',');
          const name = this.word();
          this.expect(':');
          fields.push(new arrow.Field(name, this.type(), true));
        }
        this.expect('>');
        return new arrow.Struct(fields);
      }
      default:
        throw new UsageError(`column ${this.column}: unsupported Glue type ${JSON.stringify(this.text)}`);
    }
  }

  end(): void {
    this.skip();
    if (this.at !== this.text.length) this.fail();
  }

  private args(): number[] {
    this.expect('(');
    const values: number[] = [];
    while (this.peek() !== ')') {
      if (values.length) this.expect(',');
      values.push(Number(this.word()));
    }
    this.expect(')');
    return values;
  }

  private word(): string {
    this.skip();
    const m = /^[A-Za-z0-9_$]+/.exec(this.text.slice(this.at));
    if (!m) this.fail();
    this.at += m![0].length;
    return m![0];
  }

  private peek(): string {
    this.skip();
    return this.text[this.at] ?? '';
  }

  private expect(char: string): void {
    if (this.peek() !== char) this.fail();
    this.at++;
  }

  private skip(): void {
    while (this.text[this.at] === ' ') this.at++;
  }

  private fail(): never {
    throw new UsageError(`column ${this.column}: cannot parse Glue type ${JSON.stringify(this.text)}`);
  }
}
