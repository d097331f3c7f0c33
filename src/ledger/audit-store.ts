import type { Executor } from './db';

export type AuditAction = 'publish' | 'rollback' | 'pause' | 'resume' | (string & {});

export interface NewAuditEntry {
  at: Date;
  /** Who: the author (CLI against the ledger) or the admin token (via the service). */
  actor: string;
  action: AuditAction;
  campaignId: string | null;
  /** What the action is about when it is not the campaign itself (e.g. a grant id). */
  subject?: string | null;
  fromVersion?: number | null;
  toVersion?: number | null;
  details?: Record<string, unknown> | null;
}

export interface AuditEntry extends Required<NewAuditEntry> {
  id: number;
}

export interface AuditQuery {
  campaignId?: string;
  /** Newest first; default 100. */
  limit?: number;
}

/** The append-only audit log. Callers append in the transaction of the change they record. */
export interface AuditStore {
  append(q: Executor, entry: NewAuditEntry): Promise<void>;
  /** Newest first. */
  list(q: Executor, query?: AuditQuery): Promise<AuditEntry[]>;
}
