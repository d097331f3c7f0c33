import { describeEachLedger, useLedger } from '../../helpers/ledger';
import { at, grants, insertGrant, rejection, uniqueViolation, type GrantOverrides } from './ledger-fixtures';
import type { CampaignGrantsFilter, GrantRecord } from '../../../src/ledger/grant-store';

describeEachLedger('grant store', (kind) => {
  const ledger = useLedger(kind);
  const db = () => ledger.current.db;

  it('returns what it stored, with the ledger-derived sequences', async () => {
    const inserted = await insertGrant(db(), {
      amount: 188,
      charge: 188,
      fences: {
        stockSlot: 7,
        stockLimit: 10,
        budgetRange: [1000, 1188],
        budgetLimit: 5000,
        dailyRange: [0, 188],
        dailyLimit: 2000,
        userLimit: 3,
        dailyUserLimit: 1,
      },
    });
    expect(inserted).toMatchObject({ status: 'pending', userSeq: 1, dailySeq: 1, voided: null });
    expect(await grants.get(db(), inserted.id)).toEqual(inserted);
    expect(await grants.findByReservation(db(), inserted.reservationId ?? '')).toEqual(inserted);
    expect(await grants.get(db(), 'nope')).toBeNull();
    expect(await grants.findByReservation(db(), 'nope')).toBeNull();
  });

  it('refuses a second grant for a participation or a reservation', async () => {
    const g = await insertGrant(db());
    expect(await rejection(insertGrant(db(), { reservationId: g.reservationId }))).toMatch(uniqueViolation);
    const again = db().transaction((trx) => grants.insertWithFences(trx, { ...g, id: 'other' }));
    expect(await rejection(again)).toMatch(uniqueViolation);
  });

  it('lists a user’s grants newest first, optionally per campaign', async () => {
    const t = (m: number) => new Date(at.getTime() + m * 60_000);
    const a = await insertGrant(db(), { createdAt: t(1) });
    const b = await insertGrant(db(), { createdAt: t(3), campaignId: 'c2' });
    const c = await insertGrant(db(), { createdAt: t(2) });
    await insertGrant(db(), { createdAt: t(4), userId: 'u2' });
    expect((await grants.listByUser(db(), 'u1', { limit: 10 })).map((g) => g.id)).toEqual([b.id, c.id, a.id]);
    expect((await grants.listByUser(db(), 'u1', { limit: 2 })).map((g) => g.id)).toEqual([b.id, c.id]);
    expect((await grants.listByUser(db(), 'u1', { campaignId: 'c1', limit: 10 })).map((g) => g.id)).toEqual([
      c.id,
      a.id,
    ]); // Keyset paging: older than a position, by created_at and then id (two grants of one instant).
    const d = await insertGrant(db(), { createdAt: t(2), id: `${c.id}~` });
    const page = (before: GrantRecord) => grants.listByUser(db(), 'u1', { limit: 10, before });
    expect((await page(b)).map((g) => g.id)).toEqual([d.id, c.id, a.id]);
    expect((await page(d)).map((g) => g.id)).toEqual([c.id, a.id]);
    expect(await page(a)).toEqual([]);
  });

  it("lists a campaign's grants oldest first, bounded by time and status, paged after a position", async () => {
    const t = (m: number) => new Date(at.getTime() + m * 60_000);
    const a = await insertGrant(db(), { createdAt: t(1), userId: 'u1' });
    const b = await insertGrant(db(), { createdAt: t(2), userId: 'u2' });
    // Two grants of one instant: by id after created_at.
    const c = await insertGrant(db(), { createdAt: t(2), userId: 'u3', id: `${b.id}~` });
    const d = await insertGrant(db(), { createdAt: t(3), userId: 'u4' });
    await insertGrant(db(), { createdAt: t(2), userId: 'u5', campaignId: 'c2' });
    await grants.void(db(), d.id, 'x', t(4));
    const ids = (gs: GrantRecord[]) => gs.map((g) => g.id);
    const list = (opts: Partial<CampaignGrantsFilter> = {}) =>
      grants.listByCampaign(db(), 'c1', { limit: 10, ...opts });
    expect(ids(await list())).toEqual([a.id, b.id, c.id, d.id]);
    expect(ids(await list({ limit: 2 }))).toEqual([a.id, b.id]);
    expect(ids(await list({ after: b }))).toEqual([c.id, d.id]);
    expect(ids(await list({ after: c }))).toEqual([d.id]);
    expect(await list({ after: d })).toEqual([]);
    expect(ids(await list({ from: t(2), to: t(3) }))).toEqual([b.id, c.id]);
    expect(ids(await list({ status: 'void' }))).toEqual([d.id]);
  });

  it('moves delivery status forward but never out of void', async () => {
    const g = await insertGrant(db());
    const delivered = new Date(at.getTime() + 5000);
    expect(await grants.setStatus(db(), g.id, 'delivered', delivered)).toBe(true);
    expect(await grants.get(db(), g.id)).toMatchObject({
      status: 'delivered',
      deliveredAt: delivered,
      updatedAt: delivered,
    });
    expect(await grants.setStatus(db(), 'nope', 'failed', delivered)).toBe(false);
    await grants.void(db(), g.id, 'compensated', delivered);
    expect(await grants.setStatus(db(), g.id, 'dead', delivered)).toBe(false);
    expect((await grants.get(db(), g.id))?.status).toBe('void');
  });

  it('gives history facts per user: participations, grants (test included, void excluded), today, per reward', async () => {
    await insertGrant(db(), { rewardId: 'rp' });
    await insertGrant(db(), { rewardId: 'rp', businessDate: '2026-11-10' });
    await insertGrant(db(), { rewardId: 'thanks', rewardType: 'none', charge: 0, test: true });
    const voided = await insertGrant(db(), { rewardId: 'coupon' });
    await grants.void(db(), voided.id, 'fraud', at);
    await insertGrant(db(), { userId: 'u2' });
    expect(await grants.history(db(), 'c1', 'u1', '2026-11-11')).toEqual({
      participations: 4,
      grants: 3,
      grantsToday: 2,
      rewards: { rp: 2, thanks: 1 },
    });
    expect(await grants.history(db(), 'c1', 'nobody', '2026-11-11')).toEqual({
      participations: 0,
      grants: 0,
      grantsToday: 0,
      rewards: {},
    });
    expect(await grants.userCounters(db(), 'c1', 'u1')).toEqual({
      total: 3,
      daily: { '2026-11-10': 1, '2026-11-11': 2 },
    });
  });

  it('derives the hot-state counters: top positions and the gaps left by voids', async () => {
    const g = (
      slot: number,
      start: number,
      end: number,
      date = '2026-11-11',
      rewardId = 'rp',
    ): GrantOverrides => ({
      rewardId,
      businessDate: date,
      charge: end - start,
      fences: {
        stockSlot: slot,
        stockLimit: 100,
        budgetRange: [start, end],
        budgetLimit: 10_000,
        dailyRange: [start, end],
        dailyLimit: 10_000,
      },
    });
    expect(await grants.campaignCounters(db(), 'c1')).toEqual({
      stock: {},
      budget: { top: 0, free: [] },
      daily: {},
    });
    const all = [
      await insertGrant(db(), g(1, 0, 100)),
      await insertGrant(db(), g(2, 100, 250)),
      await insertGrant(db(), g(3, 250, 300)),
      await insertGrant(db(), g(4, 300, 400)),
      await insertGrant(db(), g(5, 400, 450, '2026-11-12')),
      await insertGrant(db(), g(1, 450, 460, '2026-11-12', 'coupon')),
    ];
    await insertGrant(db(), { test: true, fences: { userLimit: 5 } });
    for (const i of [0, 2]) await grants.void(db(), all[i]?.id ?? '', 'test', at);
    expect(await grants.campaignCounters(db(), 'c1')).toEqual({
      stock: { rp: { top: 5, free: [1, 3] }, coupon: { top: 1, free: [] } },
      budget: {
        top: 460,
        free: [
          [0, 100],
          [250, 300],
        ],
      },
      daily: {
        '2026-11-11': {
          top: 400,
          free: [
            [0, 100],
            [250, 300],
          ],
        },
        '2026-11-12': { top: 460, free: [[0, 400]] },
      },
    });
  });

  it('reports real usage (non-test, non-void) for the public view and publish checks', async () => {
    await insertGrant(db(), { charge: 100 });
    await insertGrant(db(), { charge: 250, businessDate: '2026-11-12' });
    await insertGrant(db(), { rewardId: 'thanks', rewardType: 'none', charge: 0 });
    await insertGrant(db(), { charge: 999, test: true });
    const voided = await insertGrant(db(), { charge: 500 });
    await grants.void(db(), voided.id, 'x', at);
    const usage = await grants.usage(db(), 'c1');
    expect(usage).toEqual({
      stockUsed: { rp: 2, thanks: 1 },
      spent: 350n,
      dailySpent: { '2026-11-11': 100n, '2026-11-12': 250n },
      grants: 3,
      currencies: ['CNY'],
    });
    expect(await grants.usage(db(), 'empty')).toEqual({
      stockUsed: {},
      spent: 0n,
      dailySpent: {},
      grants: 0,
    });
  });

  it('names the currency of voided grants, which count for nothing else', async () => {
    const voided = await insertGrant(db(), { campaignId: 'c2', charge: 500 });
    await grants.void(db(), voided.id, 'x', at);
    expect(await grants.usage(db(), 'c2')).toEqual({
      stockUsed: {},
      spent: 0n,
      dailySpent: {},
      grants: 0,
      currencies: ['CNY'],
    });
  });

  it("returns a grant's money as a number, exactly up to Number.MAX_SAFE_INTEGER, and sums as bigints", async () => {
    const big = Number.MAX_SAFE_INTEGER;
    const g = await insertGrant(db(), { amount: big, charge: 0 });
    const read = await grants.get(db(), g.id);
    expect(read?.amount).toBe(big);
    expect(typeof read?.amount).toBe('number');
    const usage = await grants.usage(db(), 'c1');
    expect(usage.grants).toBe(1);
    expect(typeof usage.spent).toBe('bigint');
  });
});
