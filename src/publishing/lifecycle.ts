/**
 * The lifecycle verbs (publish, versions, rollback, pause, resume, audit) as one interface, so the CLI works
 * the same against the ledger (LedgerLifecycle) and against a running service's /admin endpoints. Results
 * are plain JSON (times as ISO strings): exactly what the admin endpoints answer.
 */
import type { ResolvedCampaign } from '../definitions/resolve-campaign';
import type { ActivationIssue } from './activation-checks';

/** The longest note, author or commit a change records over the admin endpoints; the CLI holds `--note` to it. */
export const MAX_CHANGE_TEXT = 1000;

/** A note's length as a person counts it: characters (code points), so `🚀` is one, not JavaScript's two. */
export const changeTextLength = (text: string): number => [...text].length;

export interface PublishOptions {
  note: string | null;
  /**
   * Accept forceable refusals (stock or budget cut below what is used, a served campaign with grants turned into a
   * draft), recorded as warnings.
   */
  force: boolean;
  /** Who asked (git author, CI actor); the audit actor is the authenticated caller when there is one. */
  author: string | null;
  gitCommit: string | null;
}

export type PublishOutcome =
  | {
      campaignId: string;
      status: 'published';
      version: number;
      previous: number | null;
      /** The body equals an existing version, which was made active again instead of copied. */
      reactivated: boolean;
      warnings: ActivationIssue[];
      /** The pause overlay, which a publish never clears (only resume does). */
      paused: boolean;
    }
  | {
      campaignId: string;
      status: 'unchanged';
      version: number;
      warnings: ActivationIssue[];
      paused: boolean;
    };

export interface VersionSummary {
  version: number;
  fingerprint: string;
  active: boolean;
  createdAt: string;
  author: string | null;
  gitCommit: string | null;
  note: string | null;
}

export interface VersionDetail extends VersionSummary {
  campaignId: string;
  /** Canonical JSON of `{ definition, rules }`. */
  body: string;
}

export interface VersionHistory {
  campaignId: string;
  activeVersion: number | null;
  paused: boolean;
  /** Newest first. */
  versions: VersionSummary[];
}

export interface ChangeOptions {
  note: string | null;
  author: string | null;
}

export interface ActivationOutcome {
  campaignId: string;
  action: 'rollback' | 'pause' | 'resume';
  /** False when the campaign was already in the asked state (nothing written, nothing audited). */
  changed: boolean;
  activeVersion: number | null;
  previousVersion: number | null;
  paused: boolean;
  warnings: ActivationIssue[];
}

export interface AuditView {
  id: number;
  at: string;
  actor: string;
  action: string;
  campaignId: string | null;
  subject: string | null;
  fromVersion: number | null;
  toVersion: number | null;
  details: Record<string, unknown> | null;
}

export interface Lifecycle {
  /** All or nothing: when one campaign is refused, nothing is written. */
  publish(campaigns: readonly ResolvedCampaign[], options: PublishOptions): Promise<PublishOutcome[]>;
  versions(campaignId: string): Promise<VersionHistory>;
  /** The active version with its body, or null when the campaign was never published. */
  activeVersion(campaignId: string): Promise<VersionDetail | null>;
  rollback(
    campaignId: string,
    to: number,
    options: ChangeOptions & { force: boolean },
  ): Promise<ActivationOutcome>;
  pause(campaignId: string, options: ChangeOptions): Promise<ActivationOutcome>;
  resume(campaignId: string, options: ChangeOptions): Promise<ActivationOutcome>;
  audit(query: { campaignId?: string; limit?: number }): Promise<AuditView[]>;
  close(): Promise<void>;
}
