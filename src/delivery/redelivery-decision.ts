/**
 * Whether `pocket grants redeliver` may put a grant's delivery back in the queue (pure). Only a delivery that
 * pocket gave up on — its outbox entry dead: dead-lettered after the last retry, or refused by the issuer — of
 * a grant that is neither void nor delivered. Everything else is refused with one line saying why.
 */
import { ConflictError, NotFoundError, type AppError } from '../errors/app-error';
import type { GrantStatus } from '../ledger/grant-store';
import type { OutboxStatus } from '../ledger/outbox-store';

interface GrantState {
  status: GrantStatus;
}

interface EntryState {
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: Date;
  lockedUntil: Date | null;
  lockedBy: string | null;
}

export type RedeliveryDecision<G, E> = { ok: true; grant: G; entry: E } | { ok: false; error: AppError };

export function decideRedelivery<G extends GrantState, E extends EntryState>(
  grantId: string,
  grant: G | null,
  entry: E | null,
  now: Date,
): RedeliveryDecision<G, E> {
  const refuse = (code: string, why: string): RedeliveryDecision<G, E> => ({
    ok: false,
    error: new ConflictError(code, `grant ${grantId} ${why}`),
  });
  if (grant === null)
    return { ok: false, error: new NotFoundError('grant_not_found', `grant ${grantId} does not exist`) };
  if (grant.status === 'void') return refuse('grant_void', 'is void: there is nothing to redeliver');
  if (grant.status === 'delivered')
    return refuse('grant_delivered', 'was already delivered: the issuer has it');
  if (entry === null)
    return refuse('no_delivery', 'has no delivery to redeliver (consolations are never sent)');
  if (entry.status === 'done') return refuse('delivery_closed', 'has no open delivery: it was completed');
  if (entry.status === 'pending') {
    if (entry.lockedUntil !== null && entry.lockedUntil > now) {
      return refuse(
        'delivery_in_flight',
        `is being delivered right now (claimed by ${entry.lockedBy ?? 'a relay'} until ${entry.lockedUntil.toISOString()})`,
      );
    }
    return refuse(
      'delivery_pending',
      `is still pending delivery (${entry.attempts} attempts so far, next at ${entry.nextAttemptAt.toISOString()}): the relay retries it by itself`,
    );
  }
  return { ok: true, grant, entry };
}
