import type { Executor } from './db';

export interface CampaignVersionRecord {
  campaignId: string;
  version: number;
  /** sha256 of the canonical body. */
  fingerprint: string;
  /** Canonical JSON of the resolved definition, kept byte for byte. */
  body: string;
  active: boolean;
  createdAt: Date;
  author: string | null;
  gitCommit: string | null;
  note: string | null;
}

export interface ActiveVersionHead {
  campaignId: string;
  version: number;
  fingerprint: string;
}

/** A version is inserted inactive; `activate` makes it the live one. */
export type NewCampaignVersion = Omit<CampaignVersionRecord, 'active'>;

export interface PauseState {
  campaignId: string;
  paused: boolean;
  pausedAt: Date | null;
  pausedBy: string | null;
  /** null when the campaign was never paused or resumed. */
  updatedAt: Date | null;
}

/** Published versions and the pause overlay. Every method runs on the executor it is given. */
export interface CampaignVersionStore {
  /** The active versions without their bodies: what a registry poll reads every second. */
  activeHeads(q: Executor): Promise<ActiveVersionHead[]>;
  active(q: Executor, campaignId: string): Promise<CampaignVersionRecord | null>;
  get(q: Executor, campaignId: string, version: number): Promise<CampaignVersionRecord | null>;
  latest(q: Executor, campaignId: string): Promise<CampaignVersionRecord | null>;
  /** Newest first. */
  list(q: Executor, campaignId: string): Promise<CampaignVersionRecord[]>;
  insert(q: Executor, version: NewCampaignVersion): Promise<void>;
  /** Deactivates the campaign's other versions and activates this one; false when it does not exist. */
  activate(q: Executor, campaignId: string, version: number): Promise<boolean>;
  pauseState(q: Executor, campaignId: string): Promise<PauseState>;
  setPaused(q: Executor, campaignId: string, paused: boolean, by: string, at?: Date): Promise<void>;
  pausedCampaigns(q: Executor): Promise<string[]>;
}
