// Admin audit log in the admin_audit table.
import type { Pool } from 'pg';
import { AdminAudit, AdminAuditEntry } from '../../../ports/adminAudit';

export class PostgresAdminAudit implements AdminAudit {
  constructor(private readonly pool: Pool) {}

  async record(entry: AdminAuditEntry): Promise<void> {
    await this.pool.query('insert into admin_audit (actor, action, target, result, detail) values ($1, $2, $3, $4, $5)', [
      entry.actor,
      entry.action,
      entry.target,
      entry.result,
      JSON.stringify(entry.detail ?? {}),
    ]);
  }

  async recent(limit: number): Promise<Array<AdminAuditEntry & { at: string }>> {
    const result = await this.pool.query(
      'select actor, action, target, result, detail, at from admin_audit order by id desc limit $1',
      [limit],
    );
    return result.rows.map((row) => ({
      actor: row.actor as string,
      action: row.action as string,
      target: row.target as string,
      result: row.result as AdminAuditEntry['result'],
      detail: row.detail as Record<string, unknown>,
      at: (row.at as Date).toISOString(),
    }));
  }
}
