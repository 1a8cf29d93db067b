/**
 * The customer-transactions dataset (pipe-delimited `transactionId|custId|transactionDate|productSold|unitsSold`).
 *
 * Decisions beyond the issue:
 * - `transactionId` is not unique per row (one id per customer and day), so the primary key is the
 *   whole row: an exact copy of a kept row is `duplicate_row`, and re-ingesting a file merges onto the
 *   same keys instead of appending twice.
 * - `unitsSold` must be at least 1 (`range`); `custId` and `productSold` are strings (leading zeros kept).
 */
import { z } from 'zod';
import { date, int32, string } from '../column.js';
import { defineDataset } from '../define-dataset.js';

/** One line of a transaction file: a customer bought units of a product on a day. */
export const transactions = defineDataset({
  name: 'transactions',
  columns: {
    transactionId: string().required(),
    custId: string().required(),
    transactionDate: date().required(),
    productSold: string().required(),
    unitsSold: int32().required().check(z.number().min(1)),
  },
  primaryKey: ['transactionId', 'custId', 'transactionDate', 'productSold', 'unitsSold'],
  csv: { delimiter: '|' },
});
