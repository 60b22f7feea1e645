// The shadow copies a full rebuild fills (account_summary_next, transfer_summary_next, ...) and
// the short transaction that swaps them in. Shadows are created unlogged (cheap to fill, nothing to
// replay after a crash: a crashed rebuild just starts over) and made logged before the swap, so the
// slow rewrite happens while readers still use the live tables.
import type { PoolClient } from 'pg';

export interface TablePair {
  live: string;
  shadow: string;
}

/** Drops leftovers of a crashed rebuild and creates empty shadows shaped exactly like the live tables. */
export async function createShadowTables(client: PoolClient, pairs: readonly TablePair[]): Promise<void> {
  await dropShadowTables(client, pairs);
  for (const { live, shadow } of pairs) {
    await client.query(`create unlogged table ${shadow} (like ${live} including all)`);
  }
}

export async function dropShadowTables(client: PoolClient, pairs: readonly TablePair[]): Promise<void> {
  await client.query(`drop table if exists ${pairs.map((pair) => pair.shadow).join(', ')}`);
}

export async function makeShadowTablesLogged(client: PoolClient, pairs: readonly TablePair[]): Promise<void> {
  for (const { shadow } of pairs) await client.query(`alter table ${shadow} set logged`);
}

/**
 * Inside the caller's transaction: blocks readers and writers of the live tables until commit.
 * Gives up after lockTimeoutMs (Postgres 55P03) instead of queueing every reader behind a long wait.
 */
export async function lockLiveTables(client: PoolClient, pairs: readonly TablePair[], lockTimeoutMs: number): Promise<void> {
  await client.query(`set local lock_timeout = ${Math.trunc(lockTimeoutMs)}`);
  await client.query(`lock table ${pairs.map((pair) => pair.live).join(', ')} in access exclusive mode`);
}

/**
 * Inside the caller's transaction, with the live tables locked: the shadows take the live names,
 * and each shadow index (and so the constraint it backs) takes the name of the live index with the
 * same definition, so the schema after a rebuild is exactly the migrated one.
 */
export async function swapInShadowTables(client: PoolClient, pairs: readonly TablePair[]): Promise<void> {
  for (const { live, shadow } of pairs) {
    const liveIndexes = await indexesOf(client, live);
    const shadowIndexes = await indexesOf(client, shadow);
    await client.query(`drop table ${live}`);
    await client.query(`alter table ${shadow} rename to ${live}`);
    for (const [definition, shadowName] of shadowIndexes) {
      const liveName = liveIndexes.get(definition) ?? live + shadowName.slice(shadow.length);
      if (liveName !== shadowName) await client.query(`alter index ${quoteIdent(shadowName)} rename to ${quoteIdent(liveName)}`);
    }
  }
}

/** Index names by definition, with the index and table names taken out of the definition. */
async function indexesOf(client: PoolClient, table: string): Promise<Map<string, string>> {
  const { rows } = await client.query<{ indexname: string; indexdef: string }>(
    'select indexname, indexdef from pg_indexes where schemaname = current_schema() and tablename = $1',
    [table],
  );
  return new Map(rows.map((row) => [row.indexdef.replace(/^(CREATE (?:UNIQUE )?INDEX )\S+ ON \S+/, '$1'), row.indexname]));
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
