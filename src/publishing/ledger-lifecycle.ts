/**
 * The lifecycle verbs against the ledger itself: used by the CLI with DATABASE_URL (or the embedded SQLite
 * file) and, behind the /admin endpoints, by the service. Every change is announced after its commit.
 */
import type { ResolvedCampaign } from '../definitions/resolve-campaign';
import type { AuditEntry, AuditStore } from '../ledger/audit-store';
import type { CampaignVersionRecord, CampaignVersionStore } from '../ledger/campaign-version-store';
import type { Db } from '../ledger/db';
import type { GrantStore } from '../ledger/grant-store';
import { ActivationService } from './activation-service';
import type { ChangeNotifier } from './change-notifier';
import type {
  ActivationOutcome,
  AuditView,
  ChangeOptions,
  Lifecycle,
  PublishOptions,
  PublishOutcome,
  VersionDetail,
  VersionHistory,
  VersionSummary,
} from './lifecycle';
import { neverPublished } from './never-published';
import { PublishService } from './publish-service';

export interface LedgerLifecycleDeps {
  db: Db;
  versions: CampaignVersionStore;
  grants: Pick<GrantStore, 'usage' | 'fenceUnpositioned'>;
  audit: AuditStore;
  notifier: ChangeNotifier;
  clock: () => Date;
  /** Closes what the lifecycle owns (the CLI's pool); the service passes none. */
  close?: () => Promise<void>;
}

function summary(v: CampaignVersionRecord): VersionSummary {
  return {
    version: v.version,
    fingerprint: v.fingerprint,
    active: v.active,
    createdAt: v.createdAt.toISOString(),
    author: v.author,
    gitCommit: v.gitCommit,
    note: v.note,
  };
}

function auditView(e: AuditEntry): AuditView {
  return { ...e, at: e.at.toISOString() };
}

export class LedgerLifecycle implements Lifecycle {
  private readonly publisher: PublishService;
  private readonly activations: ActivationService;

  constructor(
    private readonly deps: LedgerLifecycleDeps,
    /** Recorded as the audit actor of every change made through this instance. */
    private readonly actor: string,
  ) {
    this.publisher = new PublishService(deps);
    this.activations = new ActivationService(deps);
  }

  /** The same lifecycle acting for someone else (the service: one per authenticated admin call). */
  as(actor: string): LedgerLifecycle {
    return new LedgerLifecycle(this.deps, actor);
  }

  async publish(campaigns: readonly ResolvedCampaign[], options: PublishOptions): Promise<PublishOutcome[]> {
    const outcomes = await this.publisher.publish(campaigns, { ...options, actor: this.actor });
    for (const o of outcomes)
      if (o.status === 'published') await this.announce(o.campaignId, 'publish', o.version);
    return outcomes;
  }

  async versions(campaignId: string): Promise<VersionHistory> {
    const { db, versions } = this.deps;
    const list = await versions.list(db, campaignId);
    if (list.length === 0) {
      throw await neverPublished(db, versions, campaignId);
    }
    const paused = (await versions.pauseState(db, campaignId)).paused;
    return {
      campaignId,
      activeVersion: list.find((v) => v.active)?.version ?? null,
      paused,
      versions: list.map(summary),
    };
  }

  async activeVersion(campaignId: string): Promise<VersionDetail | null> {
    const active = await this.deps.versions.active(this.deps.db, campaignId);
    return active ? { ...summary(active), campaignId, body: active.body } : null;
  }

  async rollback(
    campaignId: string,
    to: number,
    options: ChangeOptions & { force: boolean },
  ): Promise<ActivationOutcome> {
    const outcome = await this.activations.rollback(campaignId, to, { ...options, actor: this.actor });
    if (outcome.changed) await this.announce(campaignId, 'rollback', outcome.activeVersion);
    return outcome;
  }

  async pause(campaignId: string, options: ChangeOptions): Promise<ActivationOutcome> {
    const outcome = await this.activations.pause(campaignId, { ...options, actor: this.actor });
    if (outcome.changed) await this.announce(campaignId, 'pause', outcome.activeVersion);
    return outcome;
  }

  async resume(campaignId: string, options: ChangeOptions): Promise<ActivationOutcome> {
    const outcome = await this.activations.resume(campaignId, { ...options, actor: this.actor });
    if (outcome.changed) await this.announce(campaignId, 'resume', outcome.activeVersion);
    return outcome;
  }

  async audit(query: { campaignId?: string; limit?: number }): Promise<AuditView[]> {
    const { db, versions, audit } = this.deps;
    // A typo must not pass as a campaign with a clean history: every other verb says it was never published.
    if (query.campaignId !== undefined && (await versions.list(db, query.campaignId)).length === 0) {
      throw await neverPublished(db, versions, query.campaignId);
    }
    return (await audit.list(db, query)).map(auditView);
  }

  async close(): Promise<void> {
    await this.deps.close?.();
  }

  private announce(campaignId: string, action: string, version: number | null): Promise<void> {
    return this.deps.notifier
      .notify({ campaignId, action, version, at: this.deps.clock().toISOString() })
      .catch(() => undefined);
  }
}
