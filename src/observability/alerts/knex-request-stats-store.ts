import type { Executor } from '../../ledger/db';
import { toNumber } from '../../ledger/row-values';
import type { RequestCounts } from './error-spike';
import type { RequestStatsStore } from './request-stats-store';

type Row = Record<string, unknown>;
const count = (v: unknown): number => (v === null || v === undefined ? 0 : toNumber(v));

export class KnexRequestStatsStore implements RequestStatsStore {
  async add(q: Executor, minute: Date, instance: string, counts: RequestCounts): Promise<void> {
    await q('request_stats')
      .insert({ minute, instance, ...counts })
      .onConflict(['minute', 'instance'])
      .merge({
        total: q.raw('request_stats.total + excluded.total'),
        errors: q.raw('request_stats.errors + excluded.errors'),
        unavailable: q.raw('request_stats.unavailable + excluded.unavailable'),
      });
  }

  async since(q: Executor, since: Date): Promise<RequestCounts> {
    const row = (await q('request_stats')
      .where('minute', '>=', since)
      .sum({ total: 'total', errors: 'errors', unavailable: 'unavailable' })
      .first()) as Row | undefined;
    return { total: count(row?.total), errors: count(row?.errors), unavailable: count(row?.unavailable) };
  }

  async prune(q: Executor, before: Date): Promise<number> {
    return q('request_stats').where('minute', '<', before).delete();
  }
}
