import type { IssuedRecord } from '../integrations/issuer';
import type { GrantRecord } from '../ledger/grant-store';

/** Pure: how an issuer's record differs from the ledger's grant (empty when they agree). */
export function recordMismatch(
  grant: Pick<GrantRecord, 'rewardId' | 'amount'>,
  record: Pick<IssuedRecord, 'rewardId' | 'amount'>,
): Record<string, { ledger: string | number; issuer: string | number }> {
  const out: Record<string, { ledger: string | number; issuer: string | number }> = {};
  if (grant.rewardId !== record.rewardId) out.rewardId = { ledger: grant.rewardId, issuer: record.rewardId };
  if (grant.amount !== record.amount) out.amount = { ledger: grant.amount, issuer: record.amount };
  return out;
}
