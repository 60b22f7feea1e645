// The bench's /proc sampler: parsing, the bookkeeping of processes and threads that come and go, and
// the real /proc of the machine running the suite (CI is Linux with Postgres on 127.0.0.1:5432; on
// another OS the sampler must answer null, not throw). Structure and monotonicity only, no speed.
import { expect } from 'chai';
import { Worker } from 'node:worker_threads';
import {
  PostgresSnapshot,
  boxCpuSince,
  clockTicks,
  markBoxCpu,
  ownClusters,
  parseProcStat,
  postgresTicksBetween,
  snapshotPostgres,
  snapshotThreads,
  splitThreads,
} from '../../load/bench/boxCpu';

const linux = process.platform === 'linux';

/** Keeps a core busy for `ms` of wall time, so the calling thread's CPU grows. */
function spin(ms: number): number {
  const until = Date.now() + ms;
  let turns = 0;
  while (Date.now() < until) turns += 1;
  return turns;
}

function proc(ticks: number, ppid: number, postmaster = false) {
  return { ticks, ppid, postmaster };
}

describe('box CPU sampler: bookkeeping', () => {
  it('parses /proc/<pid>/stat after the last parenthesis, whatever the comm holds', () => {
    const fields = ['S', '42', '1', '1', '0', '-1', '4194304', '10', '0', '0', '0', '250', '50', '7', '3', '20', '0', '1'];
    expect(parseProcStat(`123 (post gres) (x)) ${fields.join(' ')}\n`)).to.deep.equal({ comm: 'post gres) (x)', ppid: 42, ownTicks: 300, reapedChildTicks: 10 });
    expect(parseProcStat('garbage')).to.equal(null);
    expect(parseProcStat('1 (short) S 0 1')).to.equal(null);
  });

  it('counts a new process from 0 and a surviving one by its difference', () => {
    const start: PostgresSnapshot = new Map([[10, proc(100, 1, true)], [11, proc(50, 10)]]);
    const end: PostgresSnapshot = new Map([[10, proc(130, 1, true)], [11, proc(70, 10)], [12, proc(5, 10)]]);
    expect(postgresTicksBetween(start, end)).to.equal(30 + 20 + 5);
  });

  it('does not count twice a backend its postmaster reaped during the window', () => {
    // Backend 11 had 50 ticks at the start and ends at 80; the postmaster's reaped-children total
    // (inside its ticks) grows by the backend's whole life, 80, so only 30 of it belong to the window.
    const start: PostgresSnapshot = new Map([[10, proc(100, 1, true)], [11, proc(50, 10)]]);
    const end: PostgresSnapshot = new Map([[10, proc(100 + 80, 1, true)]]);
    expect(postgresTicksBetween(start, end)).to.equal(30);
  });

  it('keeps the last sighting of a process whose parent went too, and never goes negative', () => {
    const start: PostgresSnapshot = new Map([[10, proc(100, 1, true)], [11, proc(50, 10)]]);
    expect(postgresTicksBetween(start, new Map())).to.equal(0);
    expect(postgresTicksBetween(new Map(), new Map())).to.equal(0);
  });

  it('bills only the clusters this process started when there are any', () => {
    const self = 500;
    const box: PostgresSnapshot = new Map([
      [10, proc(1, 1, true)],
      [11, proc(1, 10)],
      [20, proc(1, self, true)],
      [21, proc(1, 20)],
    ]);
    expect([...ownClusters(box, self).keys()]).to.deep.equal([20, 21]);
    expect([...ownClusters(box, 999).keys()]).to.deep.equal([10, 11, 20, 21]);
  });

  it('splits the threads beside the main one into those alive throughout and the rest (the client)', () => {
    const start = new Map([[1, 0], [2, 1e6], [3, 0]]);
    // Thread 3 ended, thread 4 was born; 2 ms on persistent thread 2, 10 ms on the main thread, 20 ms in all.
    const end = new Map([[1, 10e6], [2, 3e6], [4, 5e6]]);
    expect(splitThreads(start, end, 20, 1)).to.deep.equal({ clientMs: 8, otherThreadsMs: 2 });
    expect(splitThreads(null, end, 20, 1)).to.deep.equal({ clientMs: null, otherThreadsMs: null });
    expect(splitThreads(start, new Map([[2, 3e6]]), 20, 1)).to.deep.equal({ clientMs: null, otherThreadsMs: null });
    // Readings taken a moment apart may disagree slightly; nothing goes below zero.
    expect(splitThreads(start, end, 5, 1)).to.deep.equal({ clientMs: 0, otherThreadsMs: 0 });
  });
});

describe('box CPU sampler: this machine', () => {
  it('sees this thread CPU grow after a busy loop', () => {
    const before = snapshotThreads();
    spin(50);
    const after = snapshotThreads();
    if (!linux) {
      expect(before).to.equal(null);
      return;
    }
    const main = process.pid;
    expect(before?.get(main)).to.be.a('number');
    expect(after?.get(main)).to.be.greaterThan(before?.get(main) as number);
  });

  it('bills a worker thread born during the window to the client', async () => {
    const mark = markBoxCpu();
    const worker = new Worker('const until = Date.now() + 100; while (Date.now() < until);', { eval: true });
    await new Promise((resolve, reject) => worker.once('exit', resolve).once('error', reject));
    const usage = boxCpuSince(mark);
    if (!linux) {
      expect(usage).to.deep.equal({ clientMs: null, otherThreadsMs: null, pgMs: null });
      return;
    }
    expect(usage.clientMs).to.be.greaterThan(0);
    expect(usage.otherThreadsMs).to.be.at.least(0);
    expect(usage.pgMs).to.be.at.least(0);
  });

  it('finds the suite’s Postgres processes, with a postmaster, and their CPU never shrinks', () => {
    const first = snapshotPostgres();
    if (!linux) {
      expect(first).to.equal(null);
      return;
    }
    expect(clockTicks()).to.be.a('number').and.to.be.greaterThan(0);
    const snapshot = first as PostgresSnapshot;
    expect(snapshot.size).to.be.greaterThan(0);
    expect([...snapshot.values()].some((process) => process.postmaster)).to.equal(true);
    for (const process of snapshot.values()) expect(process.ticks).to.be.at.least(0);
    expect(postgresTicksBetween(snapshot, snapshotPostgres() as PostgresSnapshot)).to.be.at.least(0);
  });
});
