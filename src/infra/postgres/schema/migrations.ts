// Every versioned SQL migration, applied in order by migrate.ts, each in its own transaction and
// recorded in schema_migrations: the write side's (1..99) then the read side's (100..).
import { assertMigrationOrder, Migration } from './migration';
import { readModelMigrations } from './readModelMigrations';
import { writeSideMigrations } from './writeSideMigrations';

export const migrations: readonly Migration[] = [...writeSideMigrations, ...readModelMigrations];

assertMigrationOrder(migrations);
