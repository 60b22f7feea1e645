// What verify reports over every projection, and whether that is a failure (the CLI's exit 1).
import { Drift } from './drift';
import { StreamPoison } from '../rebuild/foldStreams';
import { projectionLimits } from '../../config/limits';
import { ProjectionVerifyReport } from './verifyRows';

export interface VerifyReport {
  /** Streams of every projection folded. */
  streams: number;
  /** Events of the log walked (each projection walks the same log). */
  events: number;
  /** Streams a projection stops in (dead-lettered live as well): reported, not drift. */
  poisoned: StreamPoison[];
  /** Confirmed drifts, at most projectionLimits.driftsListedMax. */
  drifts: Drift[];
  driftedAccounts: number;
  driftedTransfers: number;
  /** Suspects beyond the re-check bound: not confirmed, but not known to be fine either. */
  uncheckedSuspects: number;
}

export function verifyReport(accounts: ProjectionVerifyReport, transfers: ProjectionVerifyReport): VerifyReport {
  return {
    streams: accounts.streams + transfers.streams,
    events: Math.max(accounts.events, transfers.events),
    poisoned: [...accounts.poisoned, ...transfers.poisoned],
    drifts: [...accounts.drifts, ...transfers.drifts].slice(0, projectionLimits.driftsListedMax),
    driftedAccounts: accounts.drifted,
    driftedTransfers: transfers.drifted,
    uncheckedSuspects: accounts.uncheckedSuspects + transfers.uncheckedSuspects,
  };
}

export function verifyFailed(report: VerifyReport): boolean {
  return report.drifts.length > 0 || report.uncheckedSuspects > 0;
}
