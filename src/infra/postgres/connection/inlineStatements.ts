// Statements sent together as ONE simple-query string, so a projector batch costs one round trip
// for its whole write (rows, entries, dead letters, checkpoint, commit) instead of one per
// statement. A simple query takes no parameters: each `$n` is replaced by its value as an escaped
// literal (arrays as Postgres array literals), and the statements' own `$n::type[]` casts stay.
// Postgres runs the string's statements in order and stops at the first error, so a failed write
// never reaches the commit (the caller's transaction client rolls back).
import assert from 'node:assert/strict';
import type { PoolClient } from 'pg';

/** What the read-model writers need of a connection: one statement with positional values. */
export interface SqlClient {
  query(text: string, values?: unknown[]): Promise<unknown>;
}

/** Collects statements instead of running them; `flush` sends them all, in order, in one string. */
export class StatementBatch implements SqlClient {
  private readonly statements: string[] = [];

  constructor(private readonly client: PoolClient) {}

  async query(text: string, values: unknown[] = []): Promise<unknown> {
    this.statements.push(inlineValues(this.client, text, values));
    return undefined;
  }

  add(statement: string): void {
    this.statements.push(statement);
  }

  async flush(): Promise<void> {
    if (this.statements.length === 0) return;
    await this.client.query(this.statements.join(';\n'));
    this.statements.length = 0;
  }
}

/** `text` with `$1 … $n` replaced by escaped literals of `values` (one pass: a value's own text is never searched). */
export function inlineValues(client: PoolClient, text: string, values: readonly unknown[]): string {
  return text.replace(/\$(\d+)/g, (_match, digits: string) => {
    const index = Number(digits) - 1;
    assert.ok(index >= 0 && index < values.length, `statement refers to $${digits} but has ${values.length} values`);
    return literal(client, values[index]);
  });
}

function literal(client: PoolClient, value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return client.escapeLiteral(`{${value.map(arrayElement).join(',')}}`);
  return client.escapeLiteral(scalarText(value));
}

function arrayElement(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  assert.ok(!Array.isArray(value), 'nested arrays are not inlined');
  return `"${scalarText(value).replace(/[\\"]/g, (character) => `\\${character}`)}"`;
}

function scalarText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') {
    assert.ok(Number.isFinite(value), `cannot inline ${value}`);
    return String(value);
  }
  if (typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString();
  assert.fail(`cannot inline a value of type ${typeof value}`);
}
