import type {
  ActiveVersionHead,
  CampaignVersionRecord,
  CampaignVersionStore,
  NewCampaignVersion,
  PauseState,
} from './campaign-version-store';
import type { Executor } from './db';
import { toBool, toDate, toNullableDate, toNullableString, toNumber } from './row-values';

type Row = Record<string, unknown>;

function toVersion(row: Row): CampaignVersionRecord {
  return {
    campaignId: String(row.campaign_id),
    version: toNumber(row.version),
    fingerprint: String(row.fingerprint),
    body: String(row.body),
    active: toBool(row.active),
    createdAt: toDate(row.created_at),
    author: toNullableString(row.author),
    gitCommit: toNullableString(row.git_commit),
    note: toNullableString(row.note),
  };
}

export class KnexCampaignVersionStore implements CampaignVersionStore {
  async activeHeads(q: Executor): Promise<ActiveVersionHead[]> {
    const rows = await q<Row>('campaign_versions')
      .where({ active: true })
      .orderBy('campaign_id')
      .select('campaign_id', 'version', 'fingerprint');
    return rows.map((row) => ({
      campaignId: String(row.campaign_id),
      version: toNumber(row.version),
      fingerprint: String(row.fingerprint),
    }));
  }

  async active(q: Executor, campaignId: string): Promise<CampaignVersionRecord | null> {
    const row = await q<Row>('campaign_versions').where({ campaign_id: campaignId, active: true }).first();
    return row ? toVersion(row) : null;
  }

  async get(q: Executor, campaignId: string, version: number): Promise<CampaignVersionRecord | null> {
    const row = await q<Row>('campaign_versions').where({ campaign_id: campaignId, version }).first();
    return row ? toVersion(row) : null;
  }

  async latest(q: Executor, campaignId: string): Promise<CampaignVersionRecord | null> {
    const row = await q<Row>('campaign_versions')
      .where({ campaign_id: campaignId })
      .orderBy('version', 'desc')
      .first();
    return row ? toVersion(row) : null;
  }

  async list(q: Executor, campaignId: string): Promise<CampaignVersionRecord[]> {
    const rows = await q<Row>('campaign_versions')
      .where({ campaign_id: campaignId })
      .orderBy('version', 'desc');
    return rows.map(toVersion);
  }

  async insert(q: Executor, v: NewCampaignVersion): Promise<void> {
    await q('campaign_versions').insert({
      campaign_id: v.campaignId,
      version: v.version,
      fingerprint: v.fingerprint,
      body: v.body,
      active: false,
      created_at: v.createdAt,
      author: v.author,
      git_commit: v.gitCommit,
      note: v.note,
    });
  }

  async activate(q: Executor, campaignId: string, version: number): Promise<boolean> {
    if (!(await q('campaign_versions').where({ campaign_id: campaignId, version }).first('version')))
      return false;
    // Deactivate first: the partial unique index refuses a second active row at every statement boundary.
    await q('campaign_versions')
      .where({ campaign_id: campaignId, active: true })
      .whereNot({ version })
      .update({ active: false });
    const changed = await q('campaign_versions')
      .where({ campaign_id: campaignId, version })
      .update({ active: true });
    return changed > 0;
  }

  async pauseState(q: Executor, campaignId: string): Promise<PauseState> {
    const row = await q<Row>('campaign_state').where({ campaign_id: campaignId }).first();
    if (!row) return { campaignId, paused: false, pausedAt: null, pausedBy: null, updatedAt: null };
    return {
      campaignId,
      paused: toBool(row.paused),
      pausedAt: toNullableDate(row.paused_at),
      pausedBy: toNullableString(row.paused_by),
      updatedAt: toNullableDate(row.updated_at),
    };
  }

  async setPaused(
    q: Executor,
    campaignId: string,
    paused: boolean,
    by: string,
    at = new Date(),
  ): Promise<void> {
    await q('campaign_state')
      .insert({
        campaign_id: campaignId,
        paused,
        paused_at: paused ? at : null,
        paused_by: paused ? by : null,
        updated_at: at,
      })
      .onConflict('campaign_id')
      .merge();
  }

  async pausedCampaigns(q: Executor): Promise<string[]> {
    const rows = await q<Row>('campaign_state')
      .where({ paused: true })
      .orderBy('campaign_id')
      .select('campaign_id');
    return rows.map((r) => String(r.campaign_id));
  }
}
