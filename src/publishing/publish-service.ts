/**
 * Publishing: each resolved campaign whose fingerprint differs from its active version becomes version N+1
 * (or, when its body equals an earlier version, that version is made active again) after the activation
 * checks. All campaigns of one publish share one transaction with their audit entries: all or nothing.
 * Versions are immutable; a publish never touches the pause overlay.
 */
import { businessDate } from '../decision/business-date';
import type { CampaignDefinition } from '../definitions/campaign-types';
import { resolvedFromCanonical, type ResolvedCampaign } from '../definitions/resolve-campaign';
import { ConflictError, ValidationError } from '../errors/app-error';
import type { AuditStore } from '../ledger/audit-store';
import type { CampaignVersionRecord, CampaignVersionStore } from '../ledger/campaign-version-store';
import type { Db, Executor } from '../ledger/db';
import type { FenceLimits } from '../ledger/fence-unpositioned-grants';
import type { CampaignUsage, GrantStore } from '../ledger/grant-store';
import { isUniqueViolation } from '../ledger/unique-violation';
import { getCompiledCampaign } from '../rules/compiled-campaign-cache';
import { checkActivation, type ActivationCheck, type ActivationIssue } from './activation-checks';
import { ActivationRefusedError, type CampaignRefusal } from './activation-refused-error';
import type { PublishOptions, PublishOutcome } from './lifecycle';
import { lockCampaigns } from './lifecycle-lock';

export interface PublishServiceDeps {
  db: Db;
  versions: CampaignVersionStore;
  grants: Pick<GrantStore, 'usage' | 'fenceUnpositioned'>;
  audit: AuditStore;
  clock: () => Date;
}

export interface PublishRequest extends PublishOptions {
  /** Who is recorded in the audit log. */
  actor: string;
}

interface Plan {
  resolved: ResolvedCampaign;
  active: CampaignVersionRecord | null;
  check: ActivationCheck;
}

const NO_USAGE: CampaignUsage = { stockUsed: {}, spent: 0n, dailySpent: {}, grants: 0 };

function issueSummary(issues: readonly ActivationIssue[]): Array<{ code: string; message: string }> {
  return issues.map(({ code, message }) => ({ code, message }));
}

/**
 * The checks of `next` against the active version: shared by publish and rollback. `today` is the business
 * date in the active version's time zone (its daily counters are keyed by it).
 */
export async function checkAgainstActive(
  q: Executor,
  deps: { grants: Pick<GrantStore, 'usage'> },
  campaignId: string,
  active: CampaignVersionRecord | null,
  next: CampaignDefinition,
  at: Date,
  force: boolean,
): Promise<ActivationCheck> {
  const current = active ? resolvedFromCanonical(active.body).definition : null;
  const usage = active ? await deps.grants.usage(q, campaignId) : NO_USAGE;
  const today = businessDate(at, current?.timezone ?? next.timezone);
  return checkActivation({ current, next, usage, today, now: at }, force);
}

/** The limits `next` sets that `current` did not: the ones whose earlier grants hold no fence position. */
function addedLimits(current: CampaignDefinition | null, next: CampaignDefinition): FenceLimits {
  const stock: Record<string, number> = {};
  for (const reward of next.rewards) {
    if (reward.type === 'none' || reward.stock === undefined) continue;
    const before = current?.rewards.find((r) => r.id === reward.id);
    if (before === undefined || before.type === 'none' || before.stock === undefined)
      stock[reward.id] = reward.stock;
  }
  const added = (limit: number | undefined, before: number | undefined): number | null =>
    limit !== undefined && before === undefined ? limit : null;
  const perUser = next.limits?.perUser;
  const perUserBefore = current?.limits?.perUser;
  return {
    stock,
    budgetTotal: added(next.budget?.total, current?.budget?.total),
    budgetDaily: added(next.budget?.daily, current?.budget?.daily),
    perUserTotal: added(perUser?.total, perUserBefore?.total),
    perUserDaily: added(perUser?.daily, perUserBefore?.daily),
  };
}

/**
 * After `next` became active in place of `active`: the grants made while a limit it adds did not exist get their
 * fence positions, so the limit counts them (fence-unpositioned-grants.ts). What was done, for the audit entry.
 */
export async function fenceAddedLimits(
  q: Executor,
  deps: { grants: Pick<GrantStore, 'fenceUnpositioned'> },
  active: CampaignVersionRecord | null,
  next: CampaignDefinition,
  at: Date,
): Promise<Record<string, unknown>> {
  if (!active) return {};
  const limits = addedLimits(resolvedFromCanonical(active.body).definition, next);
  const { stock, ...others } = limits;
  if (Object.keys(stock).length === 0 && Object.values(others).every((l) => l === null)) return {};
  const today = businessDate(at, next.timezone);
  const fenced = await deps.grants.fenceUnpositioned(q, next.id, limits, today);
  return Object.values(fenced).some((n) => n > 0) ? { fenced } : {};
}

export class PublishService {
  constructor(private readonly deps: PublishServiceDeps) {}

  async publish(campaigns: readonly ResolvedCampaign[], request: PublishRequest): Promise<PublishOutcome[]> {
    const ids = campaigns.map((c) => c.definition.id);
    const twice = ids.find((id, i) => ids.indexOf(id) !== i);
    if (twice !== undefined) throw new ValidationError(`campaign "${twice}" is given twice`);
    for (const campaign of campaigns) this.compile(campaign);
    try {
      return await this.deps.db.transaction(async (trx) => {
        await lockCampaigns(trx, ids);
        // Read after the lock: changes that waited for each other are stamped in the order they happened.
        const at = this.deps.clock();
        const plans: Plan[] = [];
        for (const resolved of campaigns) plans.push(await this.plan(trx, resolved, request.force, at));
        const refusals: CampaignRefusal[] = plans.flatMap((p) =>
          p.check.refusals.map((r) => ({ campaignId: p.resolved.definition.id, ...r })),
        );
        if (refusals.length > 0) throw new ActivationRefusedError(refusals);
        const outcomes: PublishOutcome[] = [];
        for (const plan of plans) outcomes.push(await this.apply(trx, plan, request, at));
        return outcomes;
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      throw new ConflictError(
        'publish_conflict',
        `another publish of ${ids.join(', ')} committed at the same time; run publish again`,
      );
    }
  }

  /** Publishing uses the same compile step as server start: a campaign that cannot compile is refused. */
  private compile(resolved: ResolvedCampaign): void {
    try {
      getCompiledCampaign(resolved);
    } catch (error) {
      throw new ValidationError(
        `campaign "${resolved.definition.id}" does not compile: ${(error as Error).message}`,
        [],
        'invalid_definition',
      );
    }
  }

  private async plan(trx: Executor, resolved: ResolvedCampaign, force: boolean, at: Date): Promise<Plan> {
    const campaignId = resolved.definition.id;
    const active = await this.deps.versions.active(trx, campaignId);
    if (active?.fingerprint === resolved.fingerprint) {
      return { resolved, active, check: { refusals: [], warnings: [] } };
    }
    const check = await checkAgainstActive(
      trx,
      this.deps,
      campaignId,
      active,
      resolved.definition,
      at,
      force,
    );
    return { resolved, active, check };
  }

  private async apply(trx: Executor, plan: Plan, request: PublishRequest, at: Date): Promise<PublishOutcome> {
    const { resolved, active, check } = plan;
    const campaignId = resolved.definition.id;
    const { versions } = this.deps;
    const { paused } = await versions.pauseState(trx, campaignId);
    if (active?.fingerprint === resolved.fingerprint) {
      return { campaignId, status: 'unchanged', version: active.version, warnings: [], paused };
    }
    const existing = (await versions.list(trx, campaignId)).find(
      (v) => v.fingerprint === resolved.fingerprint,
    );
    const version = existing?.version ?? ((await versions.latest(trx, campaignId))?.version ?? 0) + 1;
    if (!existing) {
      await versions.insert(trx, {
        campaignId,
        version,
        fingerprint: resolved.fingerprint,
        body: resolved.canonical,
        createdAt: at,
        author: request.author ?? request.actor,
        gitCommit: request.gitCommit,
        note: request.note,
      });
    }
    await versions.activate(trx, campaignId, version);
    const fenced = await fenceAddedLimits(trx, this.deps, active, resolved.definition, at);
    await this.deps.audit.append(trx, {
      at,
      actor: request.actor,
      action: 'publish',
      campaignId,
      fromVersion: active?.version ?? null,
      toVersion: version,
      details: {
        fingerprint: resolved.fingerprint,
        reactivated: existing !== undefined,
        note: request.note,
        author: request.author,
        gitCommit: request.gitCommit,
        ...(check.warnings.length > 0 ? { warnings: issueSummary(check.warnings) } : {}),
        ...(request.force ? { force: true } : {}),
        ...fenced,
      },
    });
    return {
      campaignId,
      status: 'published',
      version,
      previous: active?.version ?? null,
      reactivated: existing !== undefined,
      warnings: check.warnings,
      paused,
    };
  }
}
