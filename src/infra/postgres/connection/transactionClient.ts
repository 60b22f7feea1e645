// Runs work that opens its own transaction on one pooled connection. On failure the transaction is
// rolled back before the connection goes back to the pool; if even the rollback fails the connection
// is in an unknown state and is destroyed instead. The work's error is what the caller sees.
import type { Pool, PoolClient } from 'pg';

export async function withTransactionClient<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let brokenConnection: Error | undefined;
  try {
    return await work(client);
  } catch (error) {
    brokenConnection = await rollback(client);
    throw error;
  } finally {
    client.release(brokenConnection);
  }
}

async function rollback(client: PoolClient): Promise<Error | undefined> {
  try {
    // Harmless when the failure came after commit or before begin: Postgres only warns.
    await client.query('rollback');
    return undefined;
  } catch (rollbackError) {
    return rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
  }
}
