/**
 * Pure checks of a version about to become active against the active one and what the campaign has
 * already used (issue 4): a time zone and a budget currency are fixed once a campaign has grants; stock and budget may not be cut
 * below what is already used, nor a served campaign with grants turned into a draft or given a window that no
 * longer holds the present, unless forced; removing a reward that has grants is allowed but warned about.
 */
import { checkLive } from '../decision/liveness';
import { localTime } from '../shared/local-time';
import { sameTimeZone } from '../definitions/check-time-zone';
import type { CampaignDefinition, RewardDefinition } from '../definitions/campaign-types';
import type { CampaignUsage } from '../ledger/grant-store';
import { formatMoney, majorUnits } from '../shared/money';

export interface ActivationIssue {
  code:
    | 'timezone_changed'
    | 'currency_changed'
    | 'stock_below_used'
    | 'budget_total_below_spent'
    | 'budget_daily_below_spent'
    | 'served_to_draft'
    | 'window_excludes_now'
    | 'reward_removed';
  /** Where in the definition, e.g. `rewards[1].stock`. */
  path: string;
  message: string;
  /** `--force` turns this refusal into an accepted, recorded warning. */
  forceable: boolean;
}

export interface ActivationCheck {
  /** Issues that stop the activation (the forceable ones only without --force). */
  refusals: ActivationIssue[];
  warnings: ActivationIssue[];
}

export interface ActivationInput {
  current: CampaignDefinition | null;
  next: CampaignDefinition;
  usage: CampaignUsage;
  /** Today's business date in the campaign's (current) time zone. */
  today: string;
  /** The time of the activation. */
  now: Date;
}

function stockOf(reward: RewardDefinition | undefined): number | undefined {
  return reward && reward.type !== 'none' ? reward.stock : undefined;
}

function checkTimezone({ current, next, usage }: ActivationInput): ActivationIssue[] {
  // Renaming the zone to its IANA name (CST, which validate now refuses, to America/Chicago) changes nothing.
  if (!current || sameTimeZone(current.timezone, next.timezone) || usage.grants === 0) return [];
  return [
    {
      code: 'timezone_changed',
      path: 'timezone',
      message: `timezone: ${current.timezone} → ${next.timezone} is refused: the campaign already has ${grantCount(usage.grants)} whose business dates and daily counters are in ${current.timezone}; a campaign's timezone is fixed once it has grants`,
      forceable: false,
    },
  ];
}

/** "1 grant", "12 grants". */
const grantCount = (n: number): string => `${n} grant${n === 1 ? '' : 's'}`;

/** "12 grants", or, when every one was voided, "voided grants" (still grants, in the ledger and the report). */
const grantsIn = (usage: CampaignUsage): string =>
  usage.grants > 0 ? grantCount(usage.grants) : 'voided grants';

/**
 * Budgets, spend and every grant's amount are minor units of one currency: relabelling them is not a conversion,
 * and dropping the budget is not either: a version without one makes money grants with currency null (the issuer
 * is told to pay 1681 of nothing), while the report adds them to the earlier ones' currency.
 */
function checkCurrency({ current, next, usage }: ActivationInput): ActivationIssue[] {
  // Voided grants too: they stay in the ledger, the grants list and the report's "void … given back" in theirs.
  if (usage.grants === 0 && (usage.currencies ?? []).length === 0) return [];
  const after = next.budget?.currency;
  // The grants' own currencies too: CNY → a version without a budget → USD would otherwise pass.
  const before = [current?.budget?.currency, ...(usage.currencies ?? [])].find(
    (c) => c !== undefined && c !== after,
  );
  if (before === undefined) return [];
  if (after === undefined)
    return next.rewards.some((r) => r.type !== 'none') ? [budgetDropped(before, usage)] : [];
  return [
    {
      code: 'currency_changed',
      path: 'budget.currency',
      message: `budget.currency: ${before} → ${after} is refused: the campaign already has ${grantsIn(usage)} whose amounts and spend are in ${before}; a campaign's currency is fixed once it has grants (start a new campaign for ${after})`,
      forceable: false,
    },
  ];
}

function budgetDropped(before: string, usage: CampaignUsage): ActivationIssue {
  return {
    code: 'currency_changed',
    path: 'budget',
    message: `budget: ${before} → none is refused: the campaign already has ${grantsIn(usage)} in ${before}, and without a budget its new grants would carry no currency (the issuers get currency null); a campaign's currency is fixed once it has grants: to lift the limits, keep budget: { currency: ${before} }`,
    forceable: false,
  };
}

function checkStock({ current, next, usage }: ActivationInput): ActivationIssue[] {
  const issues: ActivationIssue[] = [];
  next.rewards.forEach((reward, index) => {
    const stock = stockOf(reward);
    const used = usage.stockUsed[reward.id] ?? 0;
    const before = stockOf(current?.rewards.find((r) => r.id === reward.id));
    if (stock === undefined || stock >= used || stock === before) return;
    issues.push({
      code: 'stock_below_used',
      path: `rewards[${index}].stock`,
      message: `rewards[${index}].stock (${reward.id}): ${before ?? 'unlimited'} → ${stock} is below the ${used} already granted`,
      forceable: true,
    });
  });
  return issues;
}

/**
 * A budget cut below the spend, in the YAML's minor units (what the operator edits), then in major units (what
 * finance reads): `budget.total: 100000 → 8999 is below the 9000 already spent (1,000.00 → 89.99 CNY; 90.00 CNY
 * spent)`.
 */
function budgetCut(
  path: 'budget.total' | 'budget.daily',
  before: number | undefined,
  after: number,
  spent: number | bigint,
  currency: string,
  when = '',
): string {
  const major = `${before === undefined ? 'unlimited' : majorUnits(before, currency)} → ${formatMoney(after, currency)}`;
  return (
    `${path}: ${before ?? 'unlimited'} → ${after} is below the ${spent} already spent${when} ` +
    `(${major}; ${formatMoney(spent, currency)} spent)`
  );
}

function checkBudget({ current, next, usage, today }: ActivationInput): ActivationIssue[] {
  const issues: ActivationIssue[] = [];
  const currency = next.budget?.currency ?? '';
  const total = next.budget?.total;
  const before = current?.budget;
  if (total !== undefined && total < usage.spent && total !== before?.total) {
    issues.push({
      code: 'budget_total_below_spent',
      path: 'budget.total',
      message: budgetCut('budget.total', before?.total, total, usage.spent, currency),
      forceable: true,
    });
  }
  const daily = next.budget?.daily;
  const spentToday = usage.dailySpent[today] ?? 0;
  if (daily !== undefined && daily < spentToday && daily !== before?.daily) {
    issues.push({
      code: 'budget_daily_below_spent',
      path: 'budget.daily',
      message: budgetCut('budget.daily', before?.daily, daily, spentToday, currency, ` today, ${today}`),
      forceable: true,
    });
  }
  return issues;
}

/**
 * An active campaign with grants turned back into a draft (an edit of `status`, a rollback to a draft version): it
 * stops being served at once, every user answered `not_started`, and leaves the public list. A one-line slip does
 * that, so it takes --force; pausing (`pocket pause`) or `status: ended` say what is meant instead.
 */
function checkWithdrawn({ current, next, usage }: ActivationInput): ActivationIssue[] {
  if (current?.status !== 'active' || next.status !== 'draft' || usage.grants === 0) return [];
  return [
    {
      code: 'served_to_draft',
      path: 'status',
      message: `status: active → draft takes a campaign that has ${grantCount(usage.grants)} off the public list, and every participation in it is answered not_started; pocket pause stops it for now, status: ended closes it`,
      forceable: true,
    },
  ];
}

/**
 * A live campaign with grants whose new window no longer holds the present: a one-character slip in a year
 * (2025 for 2026) answered every participation `ended`, or `not_started`, with no word at publish. An end meant
 * to be now is forced; `pocket pause` and `status: ended` say what they mean without --force.
 */
function checkWindowTurnsAway({ current, next, usage, now }: ActivationInput): ActivationIssue[] {
  if (!current || next.status !== 'active' || usage.grants === 0) return [];
  if (checkLive(current, now, false) !== 'live') return [];
  const after = checkLive(next, now, false);
  if (after === 'live') return [];
  const { start, end } = next.window;
  // On the campaign's clock, as its window is written (and paused or not: the overlay is not the window).
  const at = localTime(now.toISOString(), current.timezone);
  const [path, what] =
    after === 'ended' ? ['window.end', `ends at ${end}`] : ['window.start', `starts at ${start}`];
  return [
    {
      code: 'window_excludes_now',
      path,
      message: `window: the campaign's window holds now (${at}) and it has ${grantCount(usage.grants)}, but the version to activate ${what}: every participation would be answered ${after}; pocket pause stops it for now, status: ended closes it`,
      forceable: true,
    },
  ];
}

function checkRemovedRewards({ current, next, usage }: ActivationInput): ActivationIssue[] {
  if (!current) return [];
  const kept = new Set(next.rewards.map((r) => r.id));
  return current.rewards.flatMap((reward, index) => {
    const granted = usage.stockUsed[reward.id] ?? 0;
    if (kept.has(reward.id) || granted === 0) return [];
    return [
      {
        code: 'reward_removed' as const,
        path: `rewards[${index}]`,
        message: `reward ${reward.id} is removed but has ${grantCount(granted)}: they stay valid, keep their charge on the budget and are still delivered`,
        forceable: false,
      },
    ];
  });
}

/** Checks `next` against the active definition `current` (null for a first publish). */
export function checkActivation(input: ActivationInput, force: boolean): ActivationCheck {
  const blocking = [
    ...checkTimezone(input),
    ...checkCurrency(input),
    ...checkStock(input),
    ...checkBudget(input),
    ...checkWithdrawn(input),
    ...checkWindowTurnsAway(input),
  ];
  const warnings = checkRemovedRewards(input);
  const refusals = blocking.filter((issue) => !issue.forceable || !force);
  warnings.push(...blocking.filter((issue) => issue.forceable && force));
  return { refusals, warnings };
}
