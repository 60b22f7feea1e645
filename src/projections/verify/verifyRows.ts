// The steps every projection's verify shares: compare the read model's rows, page by page, with
// the rows folded from the log (collecting suspects, cheap), then re-check each suspect against a
// fresh read of its stream and its rows, so a projector applying events while verify runs is not
// reported as drift; what still differs is drift.
import { Drift } from './drift';
import { StreamPoison } from '../rebuild/foldStreams';
import { projectionLimits } from '../../config/limits';
import { ReplayState } from '../rebuild/replayStreams';
import { ProjectedRow, StreamProjection } from '../streamProjection';

/** What verify found in one projection. */
export interface ProjectionVerifyReport {
  streams: number;
  events: number;
  /** Streams the projection stops in (dead-lettered live as well): reported, not drift. */
  poisoned: StreamPoison[];
  /** Confirmed drifts, at most projectionLimits.driftsListedMax. */
  drifts: Drift[];
  /** Rows (accounts, transfers) with confirmed drift. */
  drifted: number;
  /** Suspects beyond the re-check bound: not confirmed, but not known to be fine either. */
  uncheckedSuspects: number;
}

/** The folded rows by key (streams whose first event was poison have none). */
export function foldedRows<Row extends ProjectedRow, Entry>(projection: StreamProjection<Row, Entry>, state: ReplayState<Row>): Map<string, Row> {
  const rows = new Map<string, Row>();
  for (const [streamId, row] of state.rows) if (row) rows.set(projection.keyOfStream(streamId), row);
  return rows;
}

/**
 * Pages through the read model's rows in key order: a row that differs from its fold, a row with no
 * fold, and a folded row the read model lacks all become suspects.
 */
export async function suspectRows<Row>(
  rowsAfter: (after: string | null, limit: number) => Promise<Row[]>,
  keyOf: (row: Row) => string,
  differs: (expected: Row | null, actual: Row) => boolean,
  expected: ReadonlyMap<string, Row>,
  suspects: Set<string>,
): Promise<void> {
  const unseen = new Set(expected.keys());
  let after: string | null = null;
  for (;;) {
    const page = await rowsAfter(after, projectionLimits.verifyReadRowsMax);
    if (page.length === 0) break;
    after = keyOf(page[page.length - 1]!);
    for (const actual of page) {
      const key = keyOf(actual);
      unseen.delete(key);
      if (differs(expected.get(key) ?? null, actual)) suspects.add(key);
    }
  }
  for (const key of unseen) suspects.add(key);
}

/**
 * Re-checks the suspects (at most driftsListedMax of them). `recheck` must read the rows first and
 * the stream second: the store is never behind what the read model shows, so a projector that
 * advances in between cannot make the read model look ahead of the fold. A projector that is
 * behind does show as drift: run verify once the projectors have caught up.
 */
export async function confirmSuspects(
  state: ReplayState<unknown>,
  suspects: ReadonlySet<string>,
  recheck: (key: string) => Promise<Drift[]>,
): Promise<ProjectionVerifyReport> {
  const report: ProjectionVerifyReport = {
    streams: state.rows.size,
    events: state.events,
    poisoned: [...state.poisoned.values()],
    drifts: [],
    drifted: 0,
    uncheckedSuspects: Math.max(0, suspects.size - projectionLimits.driftsListedMax),
  };
  for (const key of [...suspects].slice(0, projectionLimits.driftsListedMax)) {
    const drifts = await recheck(key);
    if (drifts.length === 0) continue;
    report.drifted += 1;
    report.drifts.push(...drifts.slice(0, projectionLimits.driftsListedMax - report.drifts.length));
  }
  return report;
}
