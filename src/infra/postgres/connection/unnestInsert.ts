// Multi-row inserts as one statement per chunk: each column travels as one array parameter and
// unnest() zips them back into rows, so a thousand rows cost one round trip and one plan.
import { projectionLimits } from '../../../config/limits';
import { SqlClient } from './inlineStatements';

export interface Column<Row> {
  name: string;
  /** The Postgres type of the column's array parameter, without the brackets ('text', 'bigint'). */
  type: string;
  value(row: Row): unknown;
}

/** Inserts rows in chunks of insertRowsMax; `conflict` is the statement's on-conflict clause. */
export async function insertUnnest<Row>(client: SqlClient, table: string, columns: readonly Column<Row>[], rows: readonly Row[], conflict: string): Promise<void> {
  const names = columns.map((column) => column.name).join(', ');
  const arrays = columns.map((column, index) => `$${index + 1}::${column.type}[]`).join(', ');
  for (let start = 0; start < rows.length; start += projectionLimits.insertRowsMax) {
    const chunk = rows.slice(start, start + projectionLimits.insertRowsMax);
    await client.query(
      `insert into ${table} as current (${names}) select * from unnest(${arrays}) ${conflict}`,
      columns.map((column) => chunk.map((row) => column.value(row))),
    );
  }
}

/**
 * The conflict clause of a row that only ever moves forward: a writer holding an older fold of the
 * stream (a rebalanced consumer, a concurrent rebuild of one stream) never overwrites a newer row.
 */
export function forwardOnly<Row>(key: string, columns: readonly Column<Row>[]): string {
  const updates = columns.filter((column) => column.name !== key).map((column) => `${column.name} = excluded.${column.name}`);
  return `on conflict (${key}) do update set ${updates.join(', ')} where current.version < excluded.version`;
}
