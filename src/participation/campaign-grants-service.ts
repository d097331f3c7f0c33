/**
 * A campaign's grants for finance (`pocket grants list`, `GET /admin/campaigns/{id}/grants`): oldest first, a
 * page at a time with a keyset cursor (grants-cursor.ts; `nextCursor` sent back as `after`), test and void grants
 * included and flagged. Money in integer minor units of `currency`, each grant's below 2^53.
 */
import { ValidationError, type FieldError } from '../errors/app-error';
import { integerQuery } from '../http/query-params';
import type { CampaignVersionStore } from '../ledger/campaign-version-store';
import type { Db } from '../ledger/db';
import type { CampaignGrantsFilter, GrantRecord, GrantStatus, GrantStore } from '../ledger/grant-store';
import { neverPublished } from '../publishing/never-published';
import { DATE_TIME_HINT, parseDateTime, queryDateTimeProblem } from '../shared/date-time';
import { decodeGrantCursor, encodeGrantCursor } from './grants-cursor';
import { budgetCharge } from '../reconciliation/money-at-stake';

export const GRANT_STATUSES: readonly GrantStatus[] = ['pending', 'delivered', 'failed', 'dead', 'void'];
/** Grants per page: 100 unless asked, at most 1,000. */
export const GRANTS_PAGE = { default: 100, max: 1000 } as const;

export interface CampaignGrantView {
  id: string;
  createdAt: string;
  userId: string;
  campaignVersion: number;
  segmentId: string | null;
  rewardId: string;
  type: string;
  status: GrantStatus;
  /** What the user got (red packet amount, coupon face value), minor units. */
  amount: number;
  /**
   * What the budget was charged, minor units: 0 for a test grant, which no budget counts (as `reconcile` and
   * `discrepancies list` give it). It showed the cost the grant would have had, and a sum over the list was above
   * the budget's `used`.
   */
  charge: number;
  currency: string | null;
  businessDate: string;
  test: boolean;
  deliveredAt: string | null;
  voidedAt: string | null;
  /** The issuer the relay handed it to (its base URL, or `sandbox`); null before any answer and for older grants. */
  issuer: string | null;
}

export interface CampaignGrantsPage {
  campaignId: string;
  /** Where this page ended; sent back as `after` for the next one; null on the last page. */
  nextCursor: string | null;
  grants: CampaignGrantView[];
}

/** The query as text (CLI options or query parameters), each value's name as the caller spells it. */
export interface GrantsQueryText {
  from?: unknown;
  to?: unknown;
  status?: unknown;
  limit?: unknown;
  after?: unknown;
}

/**
 * The filter a query asks for, or a ValidationError naming every bad value (`name` spells each key; `timeProblem`
 * says what is wrong with a time: a URL's by default, whose `+` arrives as a space).
 */
export function readGrantsQuery(
  text: GrantsQueryText,
  name: (key: keyof GrantsQueryText) => string,
  timeProblem: (value: string) => string = queryDateTimeProblem,
): CampaignGrantsFilter {
  const fields: FieldError[] = [];
  const time = (key: 'from' | 'to'): Date | undefined => {
    const value = text[key];
    if (value === undefined || value === '') return undefined;
    const at = typeof value === 'string' ? parseDateTime(value) : null;
    if (!at)
      fields.push({
        path: name(key),
        message: typeof value === 'string' ? timeProblem(value) : DATE_TIME_HINT,
      });
    return at ?? undefined;
  };
  const from = time('from');
  const to = time('to');
  if (from && to && from >= to) fields.push({ path: name('from'), message: `must be before ${name('to')}` });
  const status = text.status;
  if (status !== undefined && !GRANT_STATUSES.includes(status as GrantStatus))
    fields.push({ path: name('status'), message: `must be one of ${GRANT_STATUSES.join(', ')}` });
  const limit = integerQuery(text.limit, GRANTS_PAGE.default);
  if (!Number.isInteger(limit) || limit < 1 || limit > GRANTS_PAGE.max)
    fields.push({ path: name('limit'), message: `must be an integer from 1 to ${GRANTS_PAGE.max}` });
  const after = typeof text.after === 'string' ? decodeGrantCursor(text.after) : null;
  if (text.after !== undefined && after === null)
    fields.push({ path: name('after'), message: 'must be the nextCursor of an earlier page' });
  if (fields.length > 0) throw new ValidationError('invalid request', fields);
  return {
    limit,
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    ...(status !== undefined ? { status: status as GrantStatus } : {}),
    ...(after ? { after } : {}),
  };
}

function view(g: GrantRecord): CampaignGrantView {
  return {
    id: g.id,
    createdAt: g.createdAt.toISOString(),
    userId: g.userId,
    campaignVersion: g.campaignVersion,
    segmentId: g.segmentId,
    rewardId: g.rewardId,
    type: g.rewardType,
    status: g.status,
    amount: g.amount,
    charge: budgetCharge(g),
    currency: g.currency,
    businessDate: g.businessDate,
    test: g.test,
    deliveredAt: g.deliveredAt?.toISOString() ?? null,
    voidedAt: g.voidedAt?.toISOString() ?? null,
    issuer: g.issuer,
  };
}

export class CampaignGrantsService {
  constructor(
    private readonly deps: {
      db: Db;
      grants: Pick<GrantStore, 'listByCampaign'>;
      versions: Pick<CampaignVersionStore, 'latest' | 'activeHeads'>;
    },
  ) {}

  /** One page; a campaign never published is campaign_not_found (404), not an empty list. */
  async page(campaignId: string, filter: CampaignGrantsFilter): Promise<CampaignGrantsPage> {
    const { db, grants, versions } = this.deps;
    if (!(await versions.latest(db, campaignId))) throw await neverPublished(db, versions, campaignId);
    // One more than the page: whether another follows, without a count.
    const found = await grants.listByCampaign(db, campaignId, { ...filter, limit: filter.limit + 1 });
    const page = found.slice(0, filter.limit);
    const last = page[page.length - 1];
    return {
      campaignId,
      nextCursor: found.length > filter.limit && last ? encodeGrantCursor(last) : null,
      grants: page.map(view),
    };
  }
}
