import type { CampaignCounters, Range } from '../hot-state/hot-state';
import type { Executor } from './db';
import { rawRows, toNumber } from './row-values';

/**
 * Reads only the boundary rows: each position whose predecessor leaves a gap, and the last one (the top).
 * The window functions walk the (campaign, …, position) indexes; nothing else leaves the database.
 */
async function stock(q: Executor, campaignId: string): Promise<CampaignCounters['stock']> {
  const result = await q.raw(
    `SELECT reward_id, prev, pos, nxt FROM (
       SELECT reward_id, stock_slot AS pos,
              LAG(stock_slot, 1, 0) OVER (PARTITION BY reward_id ORDER BY stock_slot) AS prev,
              LEAD(stock_slot) OVER (PARTITION BY reward_id ORDER BY stock_slot) AS nxt
       FROM grants WHERE campaign_id = ? AND stock_slot IS NOT NULL) t
     WHERE pos - prev > 1 OR nxt IS NULL`,
    [campaignId],
  );
  const out: CampaignCounters['stock'] = {};
  for (const r of rawRows(result)) {
    const entry = (out[String(r.reward_id)] ??= { top: 0, free: [] });
    const pos = toNumber(r.pos);
    for (let s = toNumber(r.prev) + 1; s < pos; s++) entry.free.push(s);
    if (r.nxt === null || r.nxt === undefined) entry.top = pos;
  }
  for (const entry of Object.values(out)) entry.free.sort((a, b) => a - b);
  return out;
}

/** Budget (one partition) or daily (per business_date) ranges: gaps and top per partition. */
async function ranges(
  q: Executor,
  campaignId: string,
  kind: 'budget' | 'daily',
): Promise<Record<string, { top: number; free: Range[] }>> {
  const part = kind === 'daily' ? 'business_date' : 'campaign_id';
  const result = await q.raw(
    `SELECT part, prev, pos, top, nxt FROM (
       SELECT ${part} AS part, ${kind}_start AS pos, ${kind}_end AS top,
              LAG(${kind}_end, 1, 0) OVER (PARTITION BY ${part} ORDER BY ${kind}_start) AS prev,
              LEAD(${kind}_start) OVER (PARTITION BY ${part} ORDER BY ${kind}_start) AS nxt
       FROM grants WHERE campaign_id = ? AND ${kind}_start IS NOT NULL) t
     WHERE pos > prev OR nxt IS NULL`,
    [campaignId],
  );
  const out: Record<string, { top: number; free: Range[] }> = {};
  for (const r of rawRows(result)) {
    const entry = (out[String(r.part)] ??= { top: 0, free: [] });
    const start = toNumber(r.pos);
    const prev = toNumber(r.prev);
    if (start > prev) entry.free.push([prev, start]);
    if (r.nxt === null || r.nxt === undefined) entry.top = toNumber(r.top);
  }
  for (const entry of Object.values(out)) entry.free.sort((a, b) => a[0] - b[0]);
  return out;
}

/** The hot-state counters the ledger implies for a campaign (void and test grants hold no positions). */
export async function queryCampaignCounters(q: Executor, campaignId: string): Promise<CampaignCounters> {
  const stockCounters = await stock(q, campaignId);
  const budget = await ranges(q, campaignId, 'budget');
  const daily = await ranges(q, campaignId, 'daily');
  return { stock: stockCounters, budget: budget[campaignId] ?? { top: 0, free: [] }, daily };
}
