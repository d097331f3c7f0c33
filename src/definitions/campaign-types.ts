/**
 * The user contract of campaigns/*.yaml, rules/*.yaml and campaigns/*.test.yaml, as TypeScript types.
 * schemas/*.schema.json is the source of truth for validation; test/unit/definitions/schema-types.test.ts
 * checks that the two agree. Money is always an integer number of minor units (fen, cents).
 */

export type CampaignStatus = 'draft' | 'active' | 'ended';
export type RewardType = 'red_packet' | 'coupon' | 'voucher' | 'none';

export interface RedPacketReward {
  id: string;
  type: 'red_packet';
  name?: string;
  /** Uniform random integer in [min, max], charged to the budget as drawn. */
  amount: { min: number; max: number };
  /** Absent means unlimited (the budget still limits it). */
  stock?: number;
}

export interface CouponReward {
  id: string;
  type: 'coupon' | 'voucher';
  name?: string;
  /** Face value. */
  value: number;
  minSpend?: number;
  /** Expected cost, charged to the budget. */
  cost: number;
  validDays?: number;
  stock?: number;
}

export interface ConsolationReward {
  id: string;
  type: 'none';
  name?: string;
}

export type RewardDefinition = RedPacketReward | CouponReward | ConsolationReward;

export interface SegmentReward {
  reward: string;
  weight: number;
  /** Used by the efficiency strategy; defaults to 1. */
  score?: number;
}

export interface SegmentDefinition {
  id: string;
  /** A rule id from rules/. Absent: the segment matches everyone. */
  when?: string;
  rewards: SegmentReward[];
}

export interface Tester {
  userId: string;
  profile: Record<string, unknown>;
}

export interface ProtectionDefinition {
  /** Each value is "<count>/<s|sec|min|h|hour|day>", e.g. "5/min". */
  rateLimit?: { perUser?: string; perDevice?: string; perIp?: string; campaign?: string };
  velocity?: { maxAccountsPerDevice?: number; minAccountAgeDays?: number; requireDeviceId?: boolean };
  risk?: { maxScore: number; action: 'deny' | 'soft'; onError: 'deny' | 'allow' };
}

export type NotifyEvent =
  | 'budget.50pct'
  | 'budget.80pct'
  | 'budget.100pct'
  | 'budget.burn_rate'
  | 'stock.exhausted'
  | 'reconcile.discrepancy'
  | 'grant.dead_lettered'
  | 'errors.spike';

export interface CampaignDefinition {
  id: string;
  name: string;
  owner: string;
  status: CampaignStatus;
  description?: string;
  /** ISO 8601 date-times with offsets; start is inclusive, end exclusive. */
  window: { start: string; end: string };
  /** IANA zone: the business day for daily limits and budgets. */
  timezone: string;
  entry: { activityCode: 'none' | 'signed'; channels?: string[] };
  limits?: { perUser?: { total?: number; daily?: number } };
  budget?: { currency: string; total?: number; daily?: number };
  rewards: RewardDefinition[];
  segments: SegmentDefinition[];
  decision: { strategy: 'weighted' | 'efficiency'; fallback?: string };
  protection?: ProtectionDefinition;
  testers?: Tester[];
  observability?: { trace?: 'testers' | 'none'; log?: 'coarse' | 'fine' };
  notify?: { on: NotifyEvent[] };
}

/** json-rules-engine condition tree, restricted to what pocket accepts. */
export interface LeafCondition {
  fact: string;
  path?: string;
  operator: string;
  value: unknown;
  params?: Record<string, unknown>;
}
export interface AllCondition {
  all: Condition[];
}
export interface AnyCondition {
  any: Condition[];
}
export interface NotCondition {
  not: Condition;
}
export type Condition = LeafCondition | AllCondition | AnyCondition | NotCondition;

export interface RuleDefinition {
  id: string;
  description?: string;
  conditions: Condition;
}

export interface RulesFile {
  rules: RuleDefinition[];
}

export type CaseOutcome =
  | 'granted'
  | 'not_eligible'
  | 'limit_reached'
  | 'out_of_stock'
  | 'budget_exhausted'
  | 'not_started'
  | 'ended'
  | 'paused'
  | 'channel_not_allowed'
  /** 403 velocity from the account-age check (minAccountAgeDays), the one anti-fraud check cases run. */
  | 'velocity';

/** A case's `history` fact (the shape src/rules/facts.ts builds): counts, and grants by reward id. */
export interface CaseHistory {
  participations?: number;
  grants?: number;
  grantsToday?: number;
  rewards?: Record<string, number>;
}

/** A hand-written context (cases.schema.json `$defs/context`): the request context, plus the ip the service adds. */
export interface CaseContext {
  channel?: string;
  deviceId?: string;
  appVersion?: string;
  platform?: string;
  locale?: string;
  ip?: string;
}

export interface CaseDefinition {
  name: string;
  userId?: string;
  profile?: Record<string, unknown>;
  context?: CaseContext;
  history?: CaseHistory;
  /** ISO 8601 time the case is evaluated at; defaults to the middle of the window. */
  at?: string;
  expect: {
    outcome?: CaseOutcome;
    /** Segment id, or null for "matches no segment". */
    segment?: string | null;
    reward?: string;
    /** Any one of these rewards. */
    rewards?: string[];
  };
}

export interface CasesFile {
  campaign: string;
  cases: CaseDefinition[];
}
