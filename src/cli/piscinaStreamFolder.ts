// Folds pages of account streams on piscina worker threads (rebuild, verify). Small pages are
// folded in-process: posting them to a worker costs more than folding them. The workers run
// foldWorker.ts through a .cjs bootstrap that registers tsx inside each thread.
import path from 'node:path';
import { Piscina } from 'piscina';
import { AccountSummaryRow, StatementEntry } from '../ports/readModel';
import { accountStreamProjection } from '../projections/accounts/accountProjection';
import { FoldedRun, foldStreams, StreamRun } from '../projections/rebuild/foldStreams';
import { projectionLimits } from '../config/limits';
import { StreamFolder } from '../projections/rebuild/streamFolder';

type AccountRun = StreamRun<AccountSummaryRow>;
type FoldedAccountRun = FoldedRun<AccountSummaryRow, StatementEntry>;

export const foldWorkerFilename = path.join(__dirname, 'foldWorker.bootstrap.cjs');

export interface PiscinaFolderStats {
  workerTasks: number;
  inProcessPages: number;
}

export interface PiscinaStreamFolder extends StreamFolder<AccountSummaryRow, StatementEntry> {
  stats(): PiscinaFolderStats;
}

export function createPiscinaStreamFolder(threads: number = projectionLimits.foldWorkerThreadsMax): PiscinaStreamFolder {
  let pool: Piscina | null = null;
  const stats: PiscinaFolderStats = { workerTasks: 0, inProcessPages: 0 };
  // Tasks of one page at most are queued: the caller awaits each page before reading the next.
  const tasksPerPageMax = Math.ceil(projectionLimits.replayPageEvents / projectionLimits.foldTaskStreamsMax);

  return {
    async fold(runs: AccountRun[]): Promise<FoldedAccountRun[]> {
      const events = runs.reduce((sum, run) => sum + run.events.length, 0);
      if (events < projectionLimits.inProcessFoldEventsMax) {
        stats.inProcessPages += 1;
        return foldStreams(accountStreamProjection, runs);
      }
      pool ??= new Piscina({
        filename: foldWorkerFilename,
        minThreads: 1,
        maxThreads: threads,
        maxQueue: tasksPerPageMax,
        idleTimeout: projectionLimits.foldWorkerIdleMs,
        concurrentTasksPerWorker: 1,
      });
      const tasks: AccountRun[][] = [];
      for (let start = 0; start < runs.length; start += projectionLimits.foldTaskStreamsMax) {
        tasks.push(runs.slice(start, start + projectionLimits.foldTaskStreamsMax));
      }
      stats.workerTasks += tasks.length;
      const results = await Promise.all(tasks.map((task) => pool!.run(task) as Promise<FoldedAccountRun[]>));
      return results.flat();
    },
    async close(): Promise<void> {
      await pool?.destroy();
      pool = null;
    },
    stats: () => ({ ...stats }),
  };
}
