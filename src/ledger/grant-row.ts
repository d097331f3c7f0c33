import type { Range } from '../hot-state/hot-state';
import type { GrantRecord, GrantStatus } from './grant-store';
import { toBool, toDate, toNullableDate, toNullableNumber, toNullableString, toNumber } from './row-values';

type Row = Record<string, unknown>;

function range(start: unknown, end: unknown): Range | null {
  const s = toNullableNumber(start);
  const e = toNullableNumber(end);
  return s === null || e === null ? null : [s, e];
}

/** grants row → GrantRecord (the only place that knows the column names on the read side). */
export function toGrantRecord(row: Row): GrantRecord {
  const status = String(row.status) as GrantStatus;
  return {
    id: String(row.id),
    participationId: String(row.participation_id),
    reservationId: toNullableString(row.reservation_id),
    campaignId: String(row.campaign_id),
    campaignVersion: toNumber(row.campaign_version),
    userId: String(row.user_id),
    rewardId: String(row.reward_id),
    rewardType: String(row.reward_type),
    segmentId: toNullableString(row.segment_id),
    amount: toNumber(row.amount),
    charge: toNumber(row.charge),
    currency: toNullableString(row.currency),
    businessDate: String(row.business_date),
    test: toBool(row.test),
    createdAt: toDate(row.created_at),
    fences: {
      stockSlot: toNullableNumber(row.stock_slot),
      stockLimit: toNullableNumber(row.stock_limit),
      budgetRange: range(row.budget_start, row.budget_end),
      budgetLimit: toNullableNumber(row.budget_limit),
      dailyRange: range(row.daily_start, row.daily_end),
      dailyLimit: toNullableNumber(row.daily_limit),
      userLimit: toNullableNumber(row.user_limit),
      dailyUserLimit: toNullableNumber(row.daily_user_limit),
    },
    status,
    userSeq: toNullableNumber(row.user_seq),
    dailySeq: toNullableNumber(row.daily_seq),
    updatedAt: toDate(row.updated_at),
    deliveredAt: toNullableDate(row.delivered_at),
    voidReason: toNullableString(row.void_reason),
    voidedAt: toNullableDate(row.voided_at),
    voided:
      status === 'void'
        ? {
            stockSlot: toNullableNumber(row.void_stock_slot),
            budgetRange: range(row.void_budget_start, row.void_budget_end),
            dailyRange: range(row.void_daily_start, row.void_daily_end),
            userSeq: toNullableNumber(row.void_user_seq),
            dailySeq: toNullableNumber(row.void_daily_seq),
          }
        : null,
    issuer: toNullableString(row.issuer),
  };
}
