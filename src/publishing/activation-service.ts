/**
 * Rollback and the pause overlay. A rollback makes an earlier version active again (the same immutable
 * version row, no copy) after the same activation checks as a publish; pause and resume flip the runtime
 * overlay, which only resume clears. Each change and its audit entry share one transaction; asking for the
 * state a campaign is already in changes and records nothing.
 */
import { resolvedFromCanonical } from '../definitions/resolve-campaign';
import { NotFoundError } from '../errors/app-error';
import type { AuditStore } from '../ledger/audit-store';
import type { CampaignVersionStore } from '../ledger/campaign-version-store';
import type { Db, Executor } from '../ledger/db';
import type { GrantStore } from '../ledger/grant-store';
import { ActivationRefusedError } from './activation-refused-error';
import { neverPublished } from './never-published';
import type { ActivationOutcome, ChangeOptions } from './lifecycle';
import { lockCampaigns } from './lifecycle-lock';
import { checkAgainstActive, fenceAddedLimits } from './publish-service';

export interface ActivationServiceDeps {
  db: Db;
  versions: CampaignVersionStore;
  grants: Pick<GrantStore, 'usage' | 'fenceUnpositioned'>;
  audit: AuditStore;
  clock: () => Date;
}

export interface ChangeRequest extends ChangeOptions {
  actor: string;
}

/** The ledger's version column is a 32-bit integer: no version is above this (PostgreSQL refuses to compare). */
const MAX_VERSION = 2_147_483_647;

function changeDetails(request: ChangeRequest): Record<string, unknown> {
  return { note: request.note, author: request.author };
}

export class ActivationService {
  constructor(private readonly deps: ActivationServiceDeps) {}

  async rollback(
    campaignId: string,
    to: number,
    request: ChangeRequest & { force: boolean },
  ): Promise<ActivationOutcome> {
    const { versions, audit } = this.deps;
    return this.deps.db.transaction(async (trx) => {
      await lockCampaigns(trx, [campaignId]);
      // Read after the lock: changes that waited for each other are stamped in the order they happened.
      const at = this.deps.clock();
      const target =
        Number.isSafeInteger(to) && to >= 1 && to <= MAX_VERSION
          ? await versions.get(trx, campaignId, to)
          : null;
      if (!target) {
        await this.requireCampaign(trx, campaignId);
        const latest = (await versions.latest(trx, campaignId))?.version ?? 1;
        const range = latest === 1 ? 'version 1 only' : `versions 1 to ${latest}`;
        throw new NotFoundError(
          'version_not_found',
          `campaign "${campaignId}" has no version ${to}: it has ${range} (pocket versions ${campaignId} lists them)`,
        );
      }
      const active = await versions.active(trx, campaignId);
      const paused = (await versions.pauseState(trx, campaignId)).paused;
      const base = { campaignId, action: 'rollback' as const, paused };
      if (active?.version === to) {
        return { ...base, changed: false, activeVersion: to, previousVersion: to, warnings: [] };
      }
      const next = resolvedFromCanonical(target.body).definition;
      const check = await checkAgainstActive(trx, this.deps, campaignId, active, next, at, request.force);
      if (check.refusals.length > 0) {
        throw new ActivationRefusedError(check.refusals.map((r) => ({ campaignId, ...r })));
      }
      await versions.activate(trx, campaignId, to);
      const fenced = await fenceAddedLimits(trx, this.deps, active, next, at);
      await audit.append(trx, {
        at,
        actor: request.actor,
        action: 'rollback',
        campaignId,
        fromVersion: active?.version ?? null,
        toVersion: to,
        details: {
          ...changeDetails(request),
          ...(check.warnings.length > 0
            ? { warnings: check.warnings.map(({ code, message }) => ({ code, message })) }
            : {}),
          ...(request.force ? { force: true } : {}),
          ...fenced,
        },
      });
      return {
        ...base,
        changed: true,
        activeVersion: to,
        previousVersion: active?.version ?? null,
        warnings: check.warnings,
      };
    });
  }

  pause(campaignId: string, request: ChangeRequest): Promise<ActivationOutcome> {
    return this.setPaused(campaignId, true, request);
  }

  resume(campaignId: string, request: ChangeRequest): Promise<ActivationOutcome> {
    return this.setPaused(campaignId, false, request);
  }

  private async setPaused(
    campaignId: string,
    paused: boolean,
    request: ChangeRequest,
  ): Promise<ActivationOutcome> {
    const { versions, audit } = this.deps;
    return this.deps.db.transaction(async (trx) => {
      await lockCampaigns(trx, [campaignId]);
      // Read after the lock: changes that waited for each other are stamped in the order they happened.
      const at = this.deps.clock();
      await this.requireCampaign(trx, campaignId);
      const activeVersion = (await versions.active(trx, campaignId))?.version ?? null;
      const state = await versions.pauseState(trx, campaignId);
      const base = {
        campaignId,
        action: paused ? ('pause' as const) : ('resume' as const),
        activeVersion,
        previousVersion: activeVersion,
        paused,
        warnings: [],
      };
      if (state.paused === paused) return { ...base, changed: false };
      await versions.setPaused(trx, campaignId, paused, request.actor, at);
      await audit.append(trx, {
        at,
        actor: request.actor,
        action: base.action,
        campaignId,
        fromVersion: activeVersion,
        toVersion: activeVersion,
        details: changeDetails(request),
      });
      return { ...base, changed: true };
    });
  }

  private async requireCampaign(q: Executor, campaignId: string): Promise<void> {
    if (!(await this.deps.versions.latest(q, campaignId))) {
      throw await neverPublished(q, this.deps.versions, campaignId);
    }
  }
}
