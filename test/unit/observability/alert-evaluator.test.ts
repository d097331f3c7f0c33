/**
 * The alert evaluator over fakes (the ledger-backed run is test/integration/observability/alerts.test.ts): a
 * daily budget episode belongs to one business day, so the next day closes it.
 */
import type { Db } from '../../../src/ledger/db';
import type { CampaignUsage } from '../../../src/ledger/grant-store';
import type { Alert, AlertOutcome } from '../../../src/integrations/alert-service';
import type { EpisodeState } from '../../../src/observability/alerts/alert-episode';
import { episodeKey, type EpisodeKey } from '../../../src/observability/alerts/alert-episode-store';
import { AlertEvaluator } from '../../../src/observability/alerts/alert-evaluator';
import { silentLogger } from '../../../src/observability/logger';
import type { CampaignSnapshot } from '../../../src/publishing/campaign-snapshot';
import { campaignWith } from '../decision/decision-fixtures';

describe('AlertEvaluator: daily budget burn', () => {
  const definition = campaignWith({
    timezone: 'Asia/Shanghai',
    window: { start: '2026-11-01T00:00:00+08:00', end: '2026-12-01T00:00:00+08:00' },
    budget: { currency: 'CNY', daily: 10_000 },
    notify: { on: ['budget.burn_rate'] },
  });
  const snapshot = { campaignId: definition.id, definition } as unknown as CampaignSnapshot;

  function evaluator(state: { now: Date; usage: CampaignUsage; recent: number; sent: Alert[] }) {
    const episodes = new Map<string, EpisodeState>();
    return new AlertEvaluator({
      db: {} as Db,
      registry: { list: () => [snapshot] },
      alerts: {
        raise: (alert: Alert) => {
          state.sent.push(alert);
          return Promise.resolve({ sent: true } as unknown as AlertOutcome);
        },
      },
      episodes: {
        all: () => Promise.resolve(new Map(episodes)),
        save: (_q: unknown, key: EpisodeKey, s: EpisodeState) => {
          episodes.set(episodeKey(key), { ...s });
          return Promise.resolve();
        },
      },
      stats: {
        add: () => Promise.resolve(),
        since: () => Promise.resolve({ total: 0, errors: 0, unavailable: 0 }),
        prune: () => Promise.resolve(0),
      },
      spend: { spendSince: () => Promise.resolve(state.recent) },
      grants: { usage: () => Promise.resolve(state.usage) },
      clock: () => state.now,
      logger: silentLogger(),
    });
  }

  const usage = (dailySpent: Record<string, number>): CampaignUsage => ({
    stockUsed: {},
    spent: 0n,
    dailySpent: Object.fromEntries(Object.entries(dailySpent).map(([date, n]) => [date, BigInt(n)])),
    grants: 1,
  });
  const seen = (sent: Alert[]) => sent.map((a) => [a.occurrence, a.details['status']]);

  /** 22:00 on 2026-11-11, 9,960 of the day's 10,000 spent: 40 left, under the cheapest red packet (50). */
  const nearlySpent = () => ({
    now: new Date('2026-11-11T22:00:00+08:00'),
    usage: usage({ '2026-11-11': 9_960 }),
    recent: 0,
    sent: [] as Alert[],
  });

  /** The daily budget spent by 22:00 on 2026-11-11: one run fires that day's episode; then `nextDay` runs. */
  async function exhaustedYesterday(nextDay: {
    at: string;
    spent: number;
    recent: number;
  }): Promise<Alert[]> {
    const state = {
      now: new Date('2026-11-11T22:00:00+08:00'),
      usage: usage({ '2026-11-11': 10_000 }),
      recent: 0,
      sent: [] as Alert[],
    };
    const alerts = evaluator(state);
    await alerts.run();
    expect(seen(state.sent)).toEqual([['burn:daily:2026-11-11#1', 'firing']]);
    state.now = new Date(nextDay.at);
    state.usage = usage({ '2026-11-11': 10_000, '2026-11-12': nextDay.spent });
    state.recent = nextDay.recent;
    await alerts.run();
    return state.sent;
  }

  it('ends yesterday’s episode at the new business day, and opens today’s when today burns too fast', async () => {
    // Ten minutes into the next day: 1,000 spent, at 6,000/h, out long before the day ends.
    const sent = await exhaustedYesterday({ at: '2026-11-12T00:10:00+08:00', spent: 1_000, recent: 1_000 });
    expect(seen(sent)).toEqual([
      ['burn:daily:2026-11-11#1', 'firing'],
      ['burn:daily:2026-11-11#1/resolved', 'resolved'],
      ['burn:daily:2026-11-12#2', 'firing'],
    ]);
  });

  it('keeps a day whose remainder pays for no reward firing, though nothing is spent any more', async () => {
    // 9,960 of 10,000 spent: 40 left, under the cheapest red packet (50). Every participant is refused, so the last
    // hour spent nothing, which alone would read as "not burning".
    const state = nearlySpent();
    await evaluator(state).run();
    expect(seen(state.sent)).toEqual([['burn:daily:2026-11-11#1', 'firing']]);
    expect(state.sent[0]?.details).toMatchObject({ spent: 9_960, remaining: 40 });
  });

  it('raises nothing once its worker lost the scheduler lease, leaving the episode to the next run', async () => {
    const state = nearlySpent();
    const alerts = evaluator(state);
    expect(await alerts.run(() => false)).toMatchObject({ fired: [], recovered: [] });
    expect(state.sent).toEqual([]);
    expect((await alerts.run()).fired).toHaveLength(1);
    expect(seen(state.sent)).toEqual([['burn:daily:2026-11-11#1', 'firing']]);
  });

  it('ends yesterday’s episode even when today cannot be judged yet (its first minutes hold)', async () => {
    const sent = await exhaustedYesterday({ at: '2026-11-12T00:02:00+08:00', spent: 100, recent: 100 });
    expect(seen(sent)).toEqual([
      ['burn:daily:2026-11-11#1', 'firing'],
      ['burn:daily:2026-11-11#1/resolved', 'resolved'],
    ]);
  });
});
