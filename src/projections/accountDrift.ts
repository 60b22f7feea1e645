// A difference between the account read model and a fold of the event store, as verify reports it.
import { AccountSummaryRow, StatementEntry } from '../ports/readModel';

export interface Drift {
  /** missing: the fold has a row the read model lacks; extra: the reverse; different: both, unequal. */
  kind: 'missing' | 'extra' | 'different';
  table: 'account_summary' | 'account_statement';
  accountId: string;
  streamVersion?: number;
  /** For `different`: the fields that disagree. */
  fields?: string[];
  expected?: AccountSummaryRow | StatementEntry;
  actual?: AccountSummaryRow | StatementEntry;
}

/** Field names whose values differ (a field present on one side only counts). */
export function differentFields(expected: object, actual: object): string[] {
  const left = expected as Record<string, unknown>;
  const right = actual as Record<string, unknown>;
  const keys = new Set([...Object.keys(left), ...Object.keys(right)]);
  return [...keys].filter((key) => left[key] !== right[key]).sort();
}

export function summaryDrift(accountId: string, expected: AccountSummaryRow | null, actual: AccountSummaryRow | null): Drift | null {
  if (expected === null && actual === null) return null;
  if (actual === null) return { kind: 'missing', table: 'account_summary', accountId, expected: expected! };
  if (expected === null) return { kind: 'extra', table: 'account_summary', accountId, actual };
  const fields = differentFields(expected, actual);
  return fields.length === 0 ? null : { kind: 'different', table: 'account_summary', accountId, fields, expected, actual };
}

export function statementDrifts(accountId: string, expected: readonly StatementEntry[], actual: readonly StatementEntry[]): Drift[] {
  const actualByVersion = new Map(actual.map((entry) => [entry.streamVersion, entry]));
  const drifts: Drift[] = [];
  for (const entry of expected) {
    const found = actualByVersion.get(entry.streamVersion);
    actualByVersion.delete(entry.streamVersion);
    const table = 'account_statement';
    if (!found) {
      drifts.push({ kind: 'missing', table, accountId, streamVersion: entry.streamVersion, expected: entry });
      continue;
    }
    const fields = differentFields(entry, found);
    if (fields.length > 0) drifts.push({ kind: 'different', table, accountId, streamVersion: entry.streamVersion, fields, expected: entry, actual: found });
  }
  for (const extra of actualByVersion.values()) {
    drifts.push({ kind: 'extra', table: 'account_statement', accountId, streamVersion: extra.streamVersion, actual: extra });
  }
  return drifts;
}
