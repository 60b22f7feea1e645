import { expect } from 'chai';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../../src/infra/postgres/embedded/embeddedPostgres';
import { createPool } from '../../src/infra/postgres/connection/pool';

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function query<T>(connectionString: string, sql: string): Promise<T[]> {
  const pool = createPool(connectionString, { max: 1, applicationName: 'acta-embedded-test' });
  try {
    return (await pool.query(sql)).rows as T[];
  } finally {
    await pool.end();
  }
}

describe('startEmbeddedPostgres', function () {
  // initdb and two server starts: seconds, not milliseconds.
  this.timeout(120_000);
  let parent: string;

  before(async () => {
    parent = await fs.mkdtemp(path.join(os.tmpdir(), 'acta-embedded-'));
    // When run as root the server runs as the `postgres` user, who must be able to reach the folder.
    await fs.chmod(parent, 0o755);
  });
  after(async () => {
    await fs.rm(parent, { recursive: true, force: true });
  });

  it('initialises a cluster once, creates the acta database, and keeps data across restarts', async () => {
    const dataDir = path.join(parent, 'data');
    const port = await freePort();
    const first = await startEmbeddedPostgres({ dataDir, port });
    try {
      expect(first.connectionString).to.match(/\/acta$/);
      await query(first.connectionString, 'create table kept (value text); insert into kept values (\'survives\')');
    } finally {
      await first.stop();
    }
    const versionFile = await fs.stat(path.join(dataDir, 'PG_VERSION'));
    const second = await startEmbeddedPostgres({ dataDir, port });
    try {
      expect(await query<{ value: string }>(second.connectionString, 'select value from kept')).to.deep.equal([{ value: 'survives' }]);
      // Not initialised again: the cluster's files are the first run's.
      expect((await fs.stat(path.join(dataDir, 'PG_VERSION'))).mtimeMs).to.equal(versionFile.mtimeMs);
      // A second start on the running cluster (the replay CLI next to the server) shares it, and its
      // stop leaves the owner's server running.
      const shared = await startEmbeddedPostgres({ dataDir, port });
      expect(shared.connectionString).to.equal(second.connectionString);
      await shared.stop();
      expect(await query<{ value: string }>(second.connectionString, 'select value from kept')).to.deep.equal([{ value: 'survives' }]);
    } finally {
      await second.stop();
    }
  });
});
