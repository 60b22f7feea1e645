// A fresh database for one run of the Emmett peer, on the Postgres server the bench already uses
// (Acta's embedded cluster, or DATABASE_URL's server), so both stacks share one server and one
// Postgres CPU measurement but never each other's tables. Dropped again when the peer closes.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadLimits } from '../../shared/limits';

export interface PeerDatabase {
  url: string;
  drop(): Promise<void>;
}

async function onServer<T>(serverUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: loadLimits.peerConnectTimeoutMs, statement_timeout: loadLimits.peerStatementTimeoutMs });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates `load_emmett_<pid>_<random>` next to the database of `serverUrl` and returns its URL. */
export async function createPeerDatabase(serverUrl: string): Promise<PeerDatabase> {
  const name = `load_emmett_${process.pid}_${randomBytes(4).toString('hex')}`;
  await onServer(serverUrl, (client) => client.query(`create database ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    // `with (force)` ends connections a closed pool may still be releasing.
    drop: async () => {
      await onServer(serverUrl, (client) => client.query(`drop database if exists ${name} with (force)`));
    },
  };
}
