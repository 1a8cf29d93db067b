/**
 * `lakehouse.config.json`: where the warehouse and raw zone are, which table format, catalog and
 * engine to use. Validated with zod; command-line flags override it; a bad file is a usage error
 * (exit 2) naming the field.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { z } from 'zod';
import { UsageError } from '../../etl/errors.js';

/** The configuration file's schema. */
export const ConfigSchema = z
  .object({
    warehouse: z.string().min(1).optional(),
    raw: z.string().min(1).optional(),
    format: z.enum(['delta', 'iceberg']).optional(),
    region: z.string().min(1).optional(),
    catalog: z
      .object({
        type: z.enum(['local', 'glue']).default('local'),
        database: z.string().regex(/^[a-z_][a-z0-9_]*$/, 'lower-case letters, digits and _').optional(),
      })
      .strict()
      .optional(),
    engine: z
      .object({
        type: z.enum(['duckdb', 'athena']).default('duckdb'),
        workGroup: z.string().min(1).optional(),
        outputLocation: z.string().startsWith('s3://', 'an s3:// URI').optional(),
        catalog: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
    postgres: z.string().min(1).optional(),
    rates: z.record(z.string().regex(/^[A-Z]{3}$/, 'a three-letter upper-case currency code'), z.number().positive()).optional(),
  })
  .strict();

/** A validated configuration file. */
export type Config = z.infer<typeof ConfigSchema>;

/** The file name looked for in the working directory. */
export const CONFIG_FILE = 'lakehouse.config.json';

/** Validate a parsed configuration object; `where` names its source in errors. */
export function parseConfig(value: unknown, where: string): Config {
  const result = ConfigSchema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.length ? issue.path.join('.') : '(top level)';
  throw new UsageError(`${where}: field ${field}: ${issue.message}`);
}

/** Load `path` (or ./lakehouse.config.json when it exists); an absent default file is an empty config. */
export async function loadConfig(path?: string): Promise<Config> {
  const file = resolve(path ?? CONFIG_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (!path && (err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new UsageError(`cannot read config ${file}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${file}: not valid JSON: ${(err as Error).message}`);
  }
  return parseConfig(parsed, file);
}
