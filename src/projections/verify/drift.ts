// A difference between a read model and a fold of the event store, as verify reports it.
import { StatementEntry } from '../../ports/readModel';

export type DriftTable = 'account_summary' | 'account_statement' | 'transfer_summary';

export interface Drift {
  /** missing: the fold has a row the read model lacks; extra: the reverse; different: both, unequal. */
  kind: 'missing' | 'extra' | 'different';
  table: DriftTable;
  /** The row's key: the account id (account tables) or the transfer id (transfer_summary). */
  key: string;
  streamVersion?: number;
  /** For `different`: the fields that disagree. */
  fields?: string[];
  expected?: object;
  actual?: object;
}

/** Field names whose values differ (a field present on one side only counts). */
export function differentFields(expected: object, actual: object): string[] {
  const left = expected as Record<string, unknown>;
  const right = actual as Record<string, unknown>;
  const keys = new Set([...Object.keys(left), ...Object.keys(right)]);
  return [...keys].filter((key) => left[key] !== right[key]).sort();
}

/** The drift of one keyed row (a summary row), null when the fold and the read model agree. */
export function rowDrift(table: DriftTable, key: string, expected: object | null, actual: object | null): Drift | null {
  if (expected === null && actual === null) return null;
  if (actual === null) return { kind: 'missing', table, key, expected: expected! };
  if (expected === null) return { kind: 'extra', table, key, actual };
  const fields = differentFields(expected, actual);
  return fields.length === 0 ? null : { kind: 'different', table, key, fields, expected, actual };
}

export function statementDrifts(accountId: string, expected: readonly StatementEntry[], actual: readonly StatementEntry[]): Drift[] {
  const actualByVersion = new Map(actual.map((entry) => [entry.streamVersion, entry]));
  const drifts: Drift[] = [];
  const table = 'account_statement';
  for (const entry of expected) {
    const found = actualByVersion.get(entry.streamVersion);
    actualByVersion.delete(entry.streamVersion);
    if (!found) {
      drifts.push({ kind: 'missing', table, key: accountId, streamVersion: entry.streamVersion, expected: entry });
      continue;
    }
    const fields = differentFields(entry, found);
    if (fields.length > 0) drifts.push({ kind: 'different', table, key: accountId, streamVersion: entry.streamVersion, fields, expected: entry, actual: found });
  }
  for (const extra of actualByVersion.values()) {
    drifts.push({ kind: 'extra', table, key: accountId, streamVersion: extra.streamVersion, actual: extra });
  }
  return drifts;
}
