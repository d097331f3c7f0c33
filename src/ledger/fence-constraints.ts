/**
 * Names of the ledger constraints that fence counted resources. The migrations create them under these
 * names and classifyFenceViolation maps them back, on PostgreSQL (constraint name) and SQLite (constraint
 * name, trigger message, or the unique index's column list).
 */
export type FenceResource =
  'stock' | 'budget' | 'daily_budget' | 'user_total' | 'user_daily' | 'idempotency' | 'activity_code';

export const fenceConstraints = {
  stockUnique: 'grants_stock_slot_unique',
  stockCheck: 'grants_stock_check',
  budgetCheck: 'grants_budget_check',
  budgetNoOverlap: 'grants_budget_no_overlap',
  dailyCheck: 'grants_daily_check',
  dailyNoOverlap: 'grants_daily_no_overlap',
  userSeqUnique: 'grants_user_seq_unique',
  userSeqCheck: 'grants_user_seq_check',
  dailySeqUnique: 'grants_daily_seq_unique',
  dailySeqCheck: 'grants_daily_seq_check',
  participationScopeUnique: 'participations_scope_unique',
  participationCodeUnique: 'participations_code_nonce_unique',
} as const;

export const fenceResourceByConstraint: Readonly<Record<string, FenceResource>> = {
  [fenceConstraints.stockUnique]: 'stock',
  [fenceConstraints.stockCheck]: 'stock',
  [fenceConstraints.budgetCheck]: 'budget',
  [fenceConstraints.budgetNoOverlap]: 'budget',
  [fenceConstraints.dailyCheck]: 'daily_budget',
  [fenceConstraints.dailyNoOverlap]: 'daily_budget',
  [fenceConstraints.userSeqUnique]: 'user_total',
  [fenceConstraints.userSeqCheck]: 'user_total',
  [fenceConstraints.dailySeqUnique]: 'user_daily',
  [fenceConstraints.dailySeqCheck]: 'user_daily',
  [fenceConstraints.participationScopeUnique]: 'idempotency',
  [fenceConstraints.participationCodeUnique]: 'activity_code',
};

/** SQLite names a unique violation by its columns ("grants.campaign_id, grants.reward_id, …"). */
export const fenceResourceBySqliteUniqueColumns: Readonly<Record<string, FenceResource>> = {
  'grants.campaign_id, grants.reward_id, grants.stock_slot': 'stock',
  'grants.campaign_id, grants.user_id, grants.user_seq': 'user_total',
  'grants.campaign_id, grants.user_id, grants.business_date, grants.daily_seq': 'user_daily',
  'participations.campaign_id, participations.user_id, participations.idem_key': 'idempotency',
  'participations.campaign_id, participations.code_nonce': 'activity_code',
};
