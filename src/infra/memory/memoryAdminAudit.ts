// In-memory admin audit log, bounded (oldest entries dropped first).
import { AdminAudit, AdminAuditEntry } from '../../ports/adminAudit';

const entriesMax = 10_000;

export class MemoryAdminAudit implements AdminAudit {
  private readonly entries: Array<AdminAuditEntry & { at: string }> = [];

  async record(entry: AdminAuditEntry): Promise<void> {
    this.entries.push({ ...entry, at: new Date().toISOString() });
    if (this.entries.length > entriesMax) this.entries.shift();
  }

  async recent(limit: number): Promise<Array<AdminAuditEntry & { at: string }>> {
    return this.entries.slice(-limit).reverse();
  }
}
