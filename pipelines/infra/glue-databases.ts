/** The Glue databases the pipelines register their tables in, one per distinct database name. */
import { Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import { Construct } from 'constructs';

/** Glue databases by name. */
export class GlueDatabases extends Construct {
  /** The databases, by name. */
  readonly byName: ReadonlyMap<string, glue.CfnDatabase>;

  constructor(scope: Construct, id: string, names: readonly string[]) {
    super(scope, id);
    const stack = Stack.of(this);
    const byName = new Map<string, glue.CfnDatabase>();
    for (const name of [...new Set(names)].sort()) {
      byName.set(
        name,
        new glue.CfnDatabase(this, name, {
          catalogId: stack.account,
          databaseInput: { name, description: `lakehouse-etl tables of ${name} (Delta Lake / Iceberg, written by the pipeline Lambda)` },
        }),
      );
    }
    this.byName = byName;
  }

  /** IAM resources for `database`: the catalog, the database and every table in it. */
  arnsFor(database: string): [catalog: string, database: string, tables: string] {
    const stack = Stack.of(this);
    return [
      stack.formatArn({ service: 'glue', resource: 'catalog' }),
      stack.formatArn({ service: 'glue', resource: 'database', resourceName: database }),
      stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${database}/*` }),
    ];
  }
}
