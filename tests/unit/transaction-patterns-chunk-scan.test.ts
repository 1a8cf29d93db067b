/** The fast chunk reader keeps and rejects exactly the rows the project's CSV reader does. */
import { parseTransactions, readColumns, type TransactionColumns } from '../../pipelines/transaction-patterns/banksim-csv.js';

const HEADER = 'step,customer,age,gender,zipcodeOri,merchant,zipMerchant,category,amount,fraud';
const DECIMAL = /^-?\d+(\.\d+)?$/;

/** What the project's CSV reader makes of the chunk, with the same amount check. */
async function viaCsvReader(bytes: Uint8Array): Promise<TransactionColumns> {
  const { columns, rejected } = await readColumns(bytes, ['customer', 'gender', 'merchant', 'amount'], 'reference');
  const [customer, gender, merchant, amount] = columns as [string[], string[], string[], string[]];
  const keep = amount.map((a) => DECIMAL.test(a));
  const pick = (c: string[]) => c.filter((_, i) => keep[i]);
  return { customer: pick(customer), gender: pick(gender), merchant: pick(merchant), amount: pick(amount), rejected: rejected + keep.filter((k) => !k).length };
}

const CASES: Record<string, string> = {
  'BankSim rows': `${HEADER}\n1,'C1','2','F','28007','M1','28007','es_food',10.00,0\n2,'C2','3','M','28007','M2','28007','es_food',0.5,1\n`,
  'BOM, quoted header, CRLF, blank lines, no final line break': `\uFEFF'step',"customer",age,gender,zipcodeOri,merchant,zipMerchant,category,amount,fraud\r\n1,'C1','2','F','28007','M1','28007','es',10.00,0\r\n\r\n\n2,'C2','2','M','28007','M1','28007','es',-3.25,0`,
  'doubled quotes, delimiters and line breaks inside quotes': `${HEADER}\n1,'C''1','2','F','28007','M,1','28007','es',1,0\n2,'C\n2','2','F','28007','M1','28007','es',2,0\n`,
  'malformed rows': [
    HEADER,
    `1,C'1,'2','F','28007','M1','28007','es',1,0`,
    `2,'C2'x,'2','F','28007','M1','28007','es',1,0`,
    `3,'C3','2','F','28007','M1','28007','es',1`,
    `4,'C4','2','F','28007','M1','28007','es',1,0,9`,
    `5,'C5','2','F','28007','M1','28007','es',1,0`,
    `6,'C6,'2','F','28007','M1','28007','es',1,0`,
    `7,'C7','2','F','28007','M1','28007','es',1,0`,
  ].join('\n'),
  'empty values and bad amounts': `${HEADER}\n1,'','2','F','28007','M1','28007','es',1,0\n2,'C2','2','','28007','M1','28007','es',1,0\n3,'C3','2','F','28007','M1','28007','es',1e3,0\n4,'C4','2','F','28007','M1','28007','es',.5,0\n5,'C5','2','F','28007','M1','28007','es',5.,0\n6,'C6','2','U','28007','M1','28007','es',6,0\n`,
  'an unclosed quote': `${HEADER}\n1,'C1','2','F','28007','M1','28007','es',1,0\n2,'C2,'2','F','28007','M1','28007','es',1,0\n3,'C3','2','F','28007','M1','28007','es',1,0\n`,
};

test.each(Object.entries(CASES))('%s', async (_name, text) => {
  const bytes = new TextEncoder().encode(text);
  expect(await parseTransactions(bytes, 'chunk')).toEqual(await viaCsvReader(bytes));
});

test('invalid UTF-8 goes through the CSV reader, which rejects the row', async () => {
  const good = new TextEncoder().encode(`${HEADER}\n1,'C1','2','F','28007','M1','28007','es',1,0\n2,'C`);
  const bytes = new Uint8Array([...good, 0xff, ...new TextEncoder().encode(`2','2','F','28007','M1','28007','es',1,0\n`)]);
  const parsed = await parseTransactions(bytes, 'chunk');
  expect(parsed).toEqual(await viaCsvReader(bytes));
  expect(parsed).toMatchObject({ customer: ['C1'], rejected: 1 });
});

test('a chunk without a needed column is an input format error', async () => {
  await expect(parseTransactions(new TextEncoder().encode('step,customer\n1,C1\n'), 'chunk')).rejects.toMatchObject({ code: 'input_format' });
});
