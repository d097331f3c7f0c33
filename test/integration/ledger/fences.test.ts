import { describeEachLedger, useLedger } from '../../helpers/ledger';
import { grants, insertGrant, outcome, participation, participations } from './ledger-fixtures';

/**
 * The ledger alone refuses to exceed a counted resource, whatever the hot state handed out
 * (DESIGN.md "Redis is the gate; the ledger is the fence").
 */
describeEachLedger('ledger fences', (kind) => {
  const ledger = useLedger(kind);
  const db = () => ledger.current.db;

  describe('stock: unique (campaign, reward, slot) and 1 <= slot <= stock_limit', () => {
    const slot = (stockSlot: number, stockLimit: number | null = 100) => ({
      fences: { stockSlot, stockLimit },
    });

    it('refuses a slot handed out twice (e.g. by a hot state that lost its counters)', async () => {
      await insertGrant(db(), slot(1));
      expect(await outcome(insertGrant(db(), { userId: 'u2', ...slot(1) }))).toBe('stock');
      expect(await outcome(insertGrant(db(), { userId: 'u2', rewardId: 'coupon', ...slot(1) }))).toBe('ok');
      expect(await outcome(insertGrant(db(), { userId: 'u2', campaignId: 'c2', ...slot(1) }))).toBe('ok');
    });

    it('refuses slots outside 1..stock_limit, and a stock limit without a slot', async () => {
      expect(await outcome(insertGrant(db(), slot(100)))).toBe('ok');
      expect(await outcome(insertGrant(db(), slot(101)))).toBe('stock');
      expect(await outcome(insertGrant(db(), slot(0)))).toBe('stock');
      expect(await outcome(insertGrant(db(), slot(5, null)))).toBe('stock');
      expect(await outcome(insertGrant(db(), { fences: { stockLimit: 100 } }))).toBe('stock');
    });
  });

  describe('budget total: [start, end) ranges per campaign never overlap and end <= budget_limit', () => {
    const range = (start: number, end: number, budgetLimit = 1000, campaignId = 'c1') => ({
      campaignId,
      charge: end - start,
      fences: { budgetRange: [start, end] as const, budgetLimit },
    });

    it('refuses overlapping ranges and accepts adjacent ones', async () => {
      await insertGrant(db(), range(300, 400));
      await insertGrant(db(), range(0, 100));
      expect(await outcome(insertGrant(db(), range(50, 150)))).toBe('budget');
      expect(await outcome(insertGrant(db(), range(250, 350)))).toBe('budget');
      expect(await outcome(insertGrant(db(), range(350, 360)))).toBe('budget');
      expect(await outcome(insertGrant(db(), range(0, 1000)))).toBe('budget');
      expect(await outcome(insertGrant(db(), range(100, 300)))).toBe('ok');
      expect(await outcome(insertGrant(db(), range(400, 410)))).toBe('ok');
      expect(await outcome(insertGrant(db(), range(399, 401)))).toBe('budget');
      expect(await outcome(insertGrant(db(), range(0, 100, 1000, 'c2')))).toBe('ok');
    });

    it('refuses an update that moves a range onto another one', async () => {
      await insertGrant(db(), range(0, 100));
      const moved = await insertGrant(db(), range(200, 300));
      const update = db()('grants').where({ id: moved.id }).update({ budget_start: 50, budget_end: 150 });
      expect(await outcome(update)).toBe('budget');
      expect(
        await outcome(db()('grants').where({ id: moved.id }).update({ budget_start: 100, budget_end: 200 })),
      ).toBe('ok');
    });

    it('refuses an end above the limit, a negative start, and a length other than the charge', async () => {
      expect(await outcome(insertGrant(db(), range(900, 1001)))).toBe('budget');
      expect(await outcome(insertGrant(db(), range(900, 1000)))).toBe('ok');
      expect(await outcome(insertGrant(db(), range(-10, 10)))).toBe('budget');
      expect(await outcome(insertGrant(db(), { ...range(0, 10), charge: 11 }))).toBe('budget');
      expect(await outcome(insertGrant(db(), { charge: 10, fences: { budgetLimit: 1000 } }))).toBe('budget');
      // A charge of 0 takes no range, even under a budget.
      expect(await outcome(insertGrant(db(), { charge: 0, fences: { budgetLimit: 1000 } }))).toBe('ok');
    });
  });

  describe('budget daily: ranges per (campaign, business date)', () => {
    const daily = (start: number, end: number, businessDate = '2026-11-11', dailyLimit = 500) => ({
      businessDate,
      charge: end - start,
      fences: { dailyRange: [start, end] as const, dailyLimit },
    });

    it('refuses overlap on one date, accepts the same range on another date', async () => {
      await insertGrant(db(), daily(0, 100));
      expect(await outcome(insertGrant(db(), daily(99, 199)))).toBe('daily_budget');
      expect(await outcome(insertGrant(db(), daily(100, 200)))).toBe('ok');
      expect(await outcome(insertGrant(db(), daily(0, 100, '2026-11-12')))).toBe('ok');
      expect(await outcome(insertGrant(db(), daily(450, 501)))).toBe('daily_budget');
      expect(await outcome(insertGrant(db(), daily(450, 500)))).toBe('ok');
    });
  });

  describe('per user: the ledger derives user_seq / daily_seq itself', () => {
    const limits = (userLimit: number | null, dailyUserLimit: number | null = null) => ({
      fences: { userLimit, dailyUserLimit },
    });

    it('refuses the (total + 1)th grant of a user, consolations and test grants included', async () => {
      const first = await insertGrant(db(), limits(3));
      const thanks = await insertGrant(db(), {
        rewardId: 'thanks',
        rewardType: 'none',
        charge: 0,
        ...limits(3),
      });
      const tested = await insertGrant(db(), { test: true, ...limits(3) });
      expect([first.userSeq, thanks.userSeq, tested.userSeq]).toEqual([1, 2, 3]);
      expect(await outcome(insertGrant(db(), limits(3)))).toBe('user_total');
      expect(await outcome(insertGrant(db(), { userId: 'u2', ...limits(3) }))).toBe('ok');
      expect(await outcome(insertGrant(db(), { campaignId: 'c2', ...limits(3) }))).toBe('ok');
      expect(await grants.userCounters(db(), 'c1', 'u1')).toEqual({ total: 3, daily: { '2026-11-11': 3 } });
    });

    it('refuses the (daily + 1)th grant on one date, allows it the next date', async () => {
      const day1 = await insertGrant(db(), limits(5, 2));
      await insertGrant(db(), limits(5, 2));
      expect(await outcome(insertGrant(db(), limits(5, 2)))).toBe('user_daily');
      const day2 = await insertGrant(db(), { businessDate: '2026-11-12', ...limits(5, 2) });
      expect([day1.dailySeq, day2.userSeq, day2.dailySeq]).toEqual([1, 3, 1]);
    });

    it('stores no sequence where the version has no such limit', async () => {
      const g = await insertGrant(db(), limits(null, null));
      expect([g.userSeq, g.dailySeq]).toEqual([null, null]);
      expect(await grants.get(db(), g.id)).toMatchObject({ userSeq: null, dailySeq: null });
    });
  });

  describe('participations: idempotency scope and activity codes', () => {
    it('refuses a second participation with the same (campaign, user, key)', async () => {
      await participations.insert(db(), participation({ idemKey: 'k1' }));
      expect(await outcome(participations.insert(db(), participation({ idemKey: 'k1' })))).toBe(
        'idempotency',
      );
      expect(await outcome(participations.insert(db(), participation({ idemKey: 'k1', userId: 'u2' })))).toBe(
        'ok',
      );
      expect(
        await outcome(participations.insert(db(), participation({ idemKey: 'k1', campaignId: 'c2' }))),
      ).toBe('ok');
    });

    it('refuses a reused code nonce in the same campaign', async () => {
      await participations.insert(db(), participation({ codeNonce: 'n1' }));
      expect(
        await outcome(participations.insert(db(), participation({ codeNonce: 'n1', userId: 'u2' }))),
      ).toBe('activity_code');
      expect(
        await outcome(participations.insert(db(), participation({ codeNonce: 'n1', campaignId: 'c2' }))),
      ).toBe('ok');
      expect(await outcome(participations.insert(db(), participation({ codeNonce: null })))).toBe('ok');
      expect(await outcome(participations.insert(db(), participation({ codeNonce: null })))).toBe('ok');
    });
  });

  describe('testers', () => {
    it('refuses a test grant that carries stock or budget positions', async () => {
      const refused = await outcome(
        insertGrant(db(), { test: true, fences: { stockSlot: 1, stockLimit: 10 } }),
      );
      expect(refused).toMatch(/^unclassified: .*grants_test_spends_nothing_check/);
    });
  });

  describe('void frees the fence positions', () => {
    it('lets the slot, the ranges and the user sequence be taken again', async () => {
      const fences = {
        stockSlot: 1,
        stockLimit: 1,
        budgetRange: [0, 100] as const,
        budgetLimit: 100,
        dailyRange: [0, 100] as const,
        dailyLimit: 100,
        userLimit: 1,
        dailyUserLimit: 1,
      };
      const g = await insertGrant(db(), { fences });
      expect(await outcome(insertGrant(db(), { fences }))).not.toBe('ok');
      expect(await grants.void(db(), g.id, 'issuer refused', new Date('2026-11-11T03:00:00Z'))).toBe(true);
      expect(await grants.void(db(), g.id, 'again', new Date())).toBe(false);
      const again = await insertGrant(db(), { fences });
      expect(again).toMatchObject({ userSeq: 1, dailySeq: 1 });
      const voided = await grants.get(db(), g.id);
      expect(voided).toMatchObject({
        status: 'void',
        voidReason: 'issuer refused',
        voidedAt: new Date('2026-11-11T03:00:00Z'),
        userSeq: null,
        dailySeq: null,
        fences: { stockSlot: null, budgetRange: null, dailyRange: null, stockLimit: 1 },
        voided: { stockSlot: 1, budgetRange: [0, 100], dailyRange: [0, 100], userSeq: 1, dailySeq: 1 },
      });
    });

    it('reuses the lowest freed user sequence number, not MAX + 1', async () => {
      const limit = { fences: { userLimit: 3 } };
      await insertGrant(db(), limit);
      const second = await insertGrant(db(), limit);
      await insertGrant(db(), limit);
      await grants.void(db(), second.id, 'fraud', new Date());
      expect((await insertGrant(db(), limit)).userSeq).toBe(2);
      expect(await outcome(insertGrant(db(), limit))).toBe('user_total');
    });
  });
});
