// A listen error is a start-up failure like any other: with its HTTP port already held, the server
// (on its embedded default) starts its Postgres, fails to listen, prints the cause on stderr, stops
// that Postgres and exits non-zero within a bound, instead of staying alive without serving.
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { expect } from 'chai';
import { Server, killGroup, spawnEmbeddedServer } from '../support/serverProcess';
import { ClusterFolder, alive, lockPid, makeClusterFolder, portAnswers, removeCluster, within } from './embeddedCluster';

const pgPort = 27_410;
/** First start: initdb, Postgres start, migrations, then the failed listen and the stop. */
const exitBoundMs = 90_000;

describe('start-up with the HTTP port already in use (embedded default)', function () {
  this.timeout(exitBoundMs + 30_000);
  let folder: ClusterFolder;
  let holder: net.Server;
  let server: Server | null = null;

  before(async () => {
    folder = await makeClusterFolder('port-in-use');
    holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  });
  after(async () => {
    if (server) killGroup(server.child, 'SIGKILL');
    await new Promise((resolve) => holder.close(resolve));
    await removeCluster(folder);
  });

  it('exits non-zero naming EADDRINUSE, having stopped the Postgres it started', async () => {
    const httpPort = (holder.address() as net.AddressInfo).port;
    const spawnedAt = Date.now();
    server = await spawnEmbeddedServer({ dataDir: folder.dataDir, pgPort, httpPort });
    const exit = await within(server.exited, exitBoundMs, 'the server exits after failing to listen');
    const stderr = server.stderr();
    expect(exit.signal, stderr).to.equal(null);
    expect(exit.code, stderr).to.be.a('number').and.not.equal(0);
    expect(stderr).to.include('Acta failed to start').and.include('EADDRINUSE');
    // It did start a postmaster (each start writes postmaster.opts)...
    const opts = await fs.stat(path.join(folder.dataDir, 'postmaster.opts'));
    expect(opts.mtimeMs, 'a postmaster was started by this run').to.be.at.least(spawnedAt - 1_000);
    // ...and stopped it: nothing answers on its port and no live pid holds the folder.
    expect(await portAnswers(pgPort), 'the embedded Postgres port is closed').to.equal(false);
    const pid = await lockPid(folder.dataDir);
    expect(pid === null || !alive(pid), `postmaster ${pid} is gone`).to.equal(true);
    process.stdout.write(`      exited ${exit.code} after ${Date.now() - spawnedAt} ms\n`);
  });
});
