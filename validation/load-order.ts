/** Dependency order of datasets: a dataset comes after every dataset its foreign keys reference. */
import type { DatasetContract } from './define-dataset.js';
import { ContractError } from './errors.js';

/**
 * `contracts` ordered so that referenced datasets come first (products, orders, order_items); otherwise
 * the given order is kept. References to datasets not in the list are ignored. Throws `ContractError` on a cycle.
 */
export function loadOrder(contracts: readonly DatasetContract[]): DatasetContract[] {
  const byName = new Map(contracts.map((c) => [c.name, c]));
  if (byName.size !== contracts.length) throw new ContractError('two contracts have the same dataset name');
  const done = new Set<string>();
  const visiting = new Set<string>();
  const out: DatasetContract[] = [];
  const visit = (c: DatasetContract, path: string[]): void => {
    if (done.has(c.name)) return;
    if (visiting.has(c.name)) throw new ContractError(`foreign keys form a cycle: ${[...path, c.name].join(' -> ')}`);
    visiting.add(c.name);
    for (const fk of c.foreignKeys) {
      const parent = byName.get(fk.references.name);
      if (parent !== undefined) visit(parent, [...path, c.name]);
    }
    visiting.delete(c.name);
    done.add(c.name);
    out.push(c);
  };
  for (const c of contracts) visit(c, []);
  return out;
}
