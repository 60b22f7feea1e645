// What a migration is, and the order rules every list of them keeps.
import assert from 'node:assert/strict';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Versions strictly increase (gaps allowed: each side of the schema owns a range) and names are unique. */
export function assertMigrationOrder(list: readonly Migration[]): void {
  list.forEach((migration, index) => {
    assert.ok(Number.isSafeInteger(migration.version) && migration.version >= 1, 'migration versions are integers >= 1');
    assert.ok(index === 0 || migration.version > (list[index - 1] as Migration).version, 'migration versions must increase');
  });
  assert.equal(new Set(list.map((migration) => migration.name)).size, list.length, 'migration names must be unique');
}
