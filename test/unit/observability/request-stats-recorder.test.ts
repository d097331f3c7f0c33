/**
 * RequestStatsRecorder's classification, which the error-spike alert reads: every answer counts in `total`,
 * a 503 is `unavailable`, any other 5xx is `errors`, and 2xx/4xx are neither; counts land in their minute.
 */
import type { Db } from '../../../src/ledger/db';
import type { RequestCounts } from '../../../src/observability/alerts/error-spike';
import { RequestStatsRecorder } from '../../../src/observability/alerts/request-stats-recorder';
import type { RequestStatsStore } from '../../../src/observability/alerts/request-stats-store';
import { silentLogger } from '../../../src/observability/logger';

/** Keeps what the recorder adds, per minute. */
class RecordingStatsStore implements RequestStatsStore {
  readonly rows = new Map<string, RequestCounts>();

  add(_q: unknown, minute: Date, _instance: string, counts: RequestCounts): Promise<void> {
    const row = this.rows.get(minute.toISOString()) ?? { total: 0, errors: 0, unavailable: 0 };
    this.rows.set(minute.toISOString(), {
      total: row.total + counts.total,
      errors: row.errors + counts.errors,
      unavailable: row.unavailable + counts.unavailable,
    });
    return Promise.resolve();
  }

  since(): Promise<RequestCounts> {
    return Promise.reject(new Error('not used'));
  }

  prune(): Promise<number> {
    return Promise.reject(new Error('not used'));
  }
}

describe('RequestStatsRecorder', () => {
  let now = new Date('2026-11-11T02:00:30Z');
  let store: RecordingStatsStore;
  let recorder: RequestStatsRecorder;

  beforeEach(() => {
    now = new Date('2026-11-11T02:00:30Z');
    store = new RecordingStatsStore();
    recorder = new RequestStatsRecorder({
      db: {} as Db,
      store,
      clock: () => now,
      logger: silentLogger(),
    });
  });

  const countsOf = async (...statuses: number[]): Promise<RequestCounts | undefined> => {
    for (const status of statuses) recorder.record(status);
    await recorder.flush();
    return store.rows.get('2026-11-11T02:00:00.000Z');
  };

  it.each([
    [200, { total: 1, errors: 0, unavailable: 0 }],
    [201, { total: 1, errors: 0, unavailable: 0 }],
    [400, { total: 1, errors: 0, unavailable: 0 }],
    [429, { total: 1, errors: 0, unavailable: 0 }],
    [499, { total: 1, errors: 0, unavailable: 0 }],
    [500, { total: 1, errors: 1, unavailable: 0 }],
    [502, { total: 1, errors: 1, unavailable: 0 }],
    [504, { total: 1, errors: 1, unavailable: 0 }],
    [503, { total: 1, errors: 0, unavailable: 1 }],
  ])('counts a %i as %o', async (status, expected) => {
    expect(await countsOf(status)).toEqual(expected);
  });

  it('adds a mixed minute up, and puts the next minute in its own row', async () => {
    expect(await countsOf(200, 201, 404, 500, 500, 503, 502, 503, 503)).toEqual({
      total: 9,
      errors: 3,
      unavailable: 3,
    });
    now = new Date('2026-11-11T02:01:00Z');
    recorder.record(500);
    await recorder.flush();
    expect(store.rows.get('2026-11-11T02:01:00.000Z')).toEqual({ total: 1, errors: 1, unavailable: 0 });
    expect(store.rows.get('2026-11-11T02:00:00.000Z')?.total).toBe(9);
  });
});
