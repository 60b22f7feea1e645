// A projection's tables on Postgres, described once for the live projector's batch writes and for
// the rebuild: the row table (one row per stream, keyed by keyColumn) first, then any entry tables
// keyed by the same column, each with the shadow copy a full rebuild fills.
import type { PoolClient, QueryResultRow } from 'pg';
import { ProjectedRow, StreamProjection } from '../../../projections/streamProjection';
import { SqlClient } from '../connection/inlineStatements';
import { TablePair } from './shadowTables';

/** The live tables, or the rebuild's shadow copies. */
export type TableSet = keyof TablePair;

export interface PostgresProjectionTables<Row extends ProjectedRow, Entry> {
  projection: StreamProjection<Row, Entry>;
  /** The row table first. */
  pairs: readonly TablePair[];
  keyColumn: string;
  /** The row table's columns, as select lists them. */
  rowColumns: string;
  toRow(row: QueryResultRow): Row;
  /** Writes rows (forward only) and entries (never overwritten) into one set of tables. */
  write(client: SqlClient, set: TableSet, rows: readonly Row[], entries: readonly Entry[]): Promise<void>;
}

/**
 * The live rows of these keys, locked (in key order, so two writers cannot deadlock) for the rest of
 * the transaction: a concurrent writer of the same stream waits and then sees our rows. $1 is the
 * keys (text[]); applyProjectionBatch sends it together with its begin.
 */
export function lockedRowsText<Row extends ProjectedRow, Entry>(tables: PostgresProjectionTables<Row, Entry>): string {
  return `select ${tables.rowColumns} from ${tables.pairs[0]!.live} where ${tables.keyColumn} = any($1::text[]) order by ${tables.keyColumn} for update`;
}

/** Deletes every row of one key, in every table of the set. */
export async function removeKey<Row extends ProjectedRow, Entry>(client: PoolClient, tables: PostgresProjectionTables<Row, Entry>, set: TableSet, key: string): Promise<void> {
  for (const pair of tables.pairs) await client.query(`delete from ${pair[set]} where ${tables.keyColumn} = $1`, [key]);
}

/** Keys whose live row the shadow lacks or holds at an older version (the live projector moved on). */
export async function keysAheadOfShadow<Row extends ProjectedRow, Entry>(client: PoolClient, tables: PostgresProjectionTables<Row, Entry>): Promise<string[]> {
  const { live, shadow } = tables.pairs[0]!;
  const key = tables.keyColumn;
  const { rows } = await client.query<{ key: string }>(
    `select live.${key} as key from ${live} live
     left join ${shadow} shadow on shadow.${key} = live.${key}
     where shadow.${key} is null or shadow.version < live.version`,
  );
  return rows.map((row) => row.key);
}
