/**
 * Accepted rows are read from their files a second time (`readAccepted`, and a contest's rows through
 * the same `rereadFiles`): a file that changed since validation read it is an `InputFileError` naming
 * the file and what changed, never rows that were not validated.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readAccepted } from '../../validation/accepted-rows.js';
import { products } from '../../validation/contracts/ecommerce.js';
import { validateFiles } from '../../validation/dataset-validator.js';
import { InputFileError } from '../../validation/errors.js';
import { fileInput } from '../../validation/inputs.js';
import { tempDir } from '../support/stores.js';

const HEADER = 'product_id,department_id,department,product_name';
const ROWS = ['1,1,Dairy,Milk', '2,1,Dairy,Cheese', '3,2,Bakery,Bread', 'x,2,Bakery,Roll'];

async function validated(text: string) {
  const path = join(tempDir('reread-'), 'products.csv');
  writeFileSync(path, text);
  const inputs = [fileInput(path)];
  const outcome = await validateFiles(products, inputs, new Map());
  return { path, inputs, outcome };
}

async function ids(inputs: ReturnType<typeof fileInput>[], outcome: Awaited<ReturnType<typeof validateFiles>>): Promise<number[]> {
  const out: number[] = [];
  for await (const { batch } of readAccepted(products, inputs, outcome.accepted)) out.push(...[...batch.getChild('product_id')!].map(Number));
  return out;
}

test('an unchanged file gives back exactly the accepted rows', async () => {
  const { inputs, outcome } = await validated(`${HEADER}\n${ROWS.join('\n')}\n`);
  expect(outcome.summary).toMatchObject({ accepted: 3, rejected: 1 });
  expect(await ids(inputs, outcome)).toEqual([1, 2, 3]);
});

test.each([
  ['fewer rows', `${HEADER}\n${ROWS.slice(0, 3).join('\n')}\n`, 'it has fewer rows'],
  ['more rows', `${HEADER}\n${[...ROWS, '4,2,Bakery,Bun'].join('\n')}\n`, 'it has more rows'],
  ['the same rows with other values', `${HEADER}\n${ROWS.join('\n').replace('Milk', 'Mild')}\n`, 'its bytes are different'],
  ['another header', `${HEADER.replace('product_name', 'name')}\n${ROWS.join('\n')}\n`, 'its header is different'],
])('a file with %s since validation is an InputFileError naming the file', async (_, changed, why) => {
  const { path, inputs, outcome } = await validated(`${HEADER}\n${ROWS.join('\n')}\n`);
  writeFileSync(path, changed);
  const error = await ids(inputs, outcome).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(InputFileError);
  expect((error as Error).message).toContain(path);
  expect((error as Error).message).toContain(why);
});
