// Every admin action (rebuild, passivate, restart) is recorded: who, what, when, result.
export interface AdminAuditEntry {
  actor: string;
  action: string;
  target: string;
  result: 'ok' | 'error' | 'denied';
  detail?: Record<string, unknown>;
}

export interface AdminAudit {
  record(entry: AdminAuditEntry): Promise<void>;
  recent(limit: number): Promise<Array<AdminAuditEntry & { at: string }>>;
}
