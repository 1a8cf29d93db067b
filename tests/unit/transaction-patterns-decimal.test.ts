/** Exact decimal sums of the pattern state: the number fast path and the bigint fallback agree with exact arithmetic. */
import { DecimalSum } from '../../pipelines/transaction-patterns/decimal-sum.js';

test('sums decimals of any scale exactly and prints them as numeric text', () => {
  const d = new DecimalSum();
  for (const t of ['0.10', '0.20', '3', '-1.005', '12.3']) d.addText(t);
  expect(d.toString()).toBe('14.595');
  expect(DecimalSum.parse('-0.50').toString()).toBe('-0.50');
  expect(DecimalSum.parse('7').toString()).toBe('7');
});

test('falls back to bigint beyond 2^53 units and comes back below it', () => {
  const d = DecimalSum.parse('90071992547409.91');
  d.addText('0.10');
  expect(d.toString()).toBe('90071992547410.01');
  d.addText('123456789012345678901234.5');
  expect(d.toString()).toBe('123456789102417671448644.51');
  d.add(DecimalSum.parse('-123456789102417671448644.00'));
  expect(d.toString()).toBe('0.51');
  expect(d.minus(DecimalSum.parse('0.01')).toString()).toBe('0.50');
});

test('below compares with limit * count exactly, at the boundary', () => {
  const sum = new DecimalSum();
  for (let i = 0; i < 80; i++) sum.addText('23.00');
  expect(sum.below(23, 80)).toBe(false);
  sum.addText('-0.01');
  expect(sum.below(23, 80)).toBe(true);
  const big = DecimalSum.parse('1839.9999999999999999999');
  expect(big.below(23, 80)).toBe(true);
  big.addText('0.0000000000000000001');
  expect(big.below(23, 80)).toBe(false);
});

test('rejects text that is not a decimal number', () => {
  for (const t of ['', '-', '1.', '.5', '1e3', '1,5', 'NaN']) expect(() => DecimalSum.parse(t)).toThrow(/not a decimal number/);
});
