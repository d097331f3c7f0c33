/**
 * `pocket discrepancies list|resolve`: a person closes an open discrepancy that pocket cannot settle by itself
 * (a void grant the issuer still holds, a record unknown to the ledger, …) once it has been handled downstream:
 * revoked at the issuer, or the loss accepted. The note, who and when are kept on the discrepancy and appended to
 * the audit log (action `discrepancy.resolve`) in one transaction. Later runs that find the same difference again
 * leave it resolved (DiscrepancyStore.record); a different one opens a new discrepancy.
 */
import { ConflictError, NotFoundError, ValidationError } from '../errors/app-error';
import type { AuditStore } from '../ledger/audit-store';
import type { Db } from '../ledger/db';
import type {
  Discrepancy,
  DiscrepancyFilter,
  DiscrepancyStore,
  ListedDiscrepancy,
} from './discrepancy-store';

export interface ResolveRequest {
  /** Why it is closed: what was done downstream (required). */
  note: string;
  actor: string;
}

export interface DiscrepancyResolverDeps {
  db: Db;
  discrepancies: DiscrepancyStore;
  audit: AuditStore;
  clock: () => Date;
}

export class DiscrepancyResolver {
  constructor(private readonly deps: DiscrepancyResolverDeps) {}

  list(filter: DiscrepancyFilter = {}): Promise<ListedDiscrepancy[]> {
    return this.deps.discrepancies.list(this.deps.db, filter);
  }

  async resolve(id: string, request: ResolveRequest): Promise<Discrepancy> {
    const note = request.note.trim();
    if (note === '') throw new ValidationError('a note is required', [{ path: 'note', message: 'required' }]);
    const { db, discrepancies, audit } = this.deps;
    const at = this.deps.clock();
    return db.transaction(async (trx) => {
      const found = await discrepancies.get(trx, id);
      if (!found) throw new NotFoundError('discrepancy_not_found', `discrepancy ${id} does not exist`);
      if (found.status !== 'open' || !(await discrepancies.resolve(trx, id, at, note, request.actor))) {
        throw new ConflictError('discrepancy_resolved', `discrepancy ${id} is already resolved`);
      }
      await audit.append(trx, {
        at,
        actor: request.actor,
        action: 'discrepancy.resolve',
        campaignId: found.campaignId,
        subject: id,
        details: { note, kind: found.kind, grantId: found.grantId, difference: found.details },
      });
      return { ...found, status: 'resolved', resolution: note, resolvedAt: at, resolvedBy: request.actor };
    });
  }
}
