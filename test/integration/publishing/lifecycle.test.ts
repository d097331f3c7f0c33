/**
 * The publishing lifecycle against the ledger, on both backend pairs: versions recorded on grants, the
 * activation checks, rollback, the pause overlay and the audit log (issue 4 "Tests").
 */
import { createLogger } from '../../../src/observability/logger';
import { ActivationRefusedError } from '../../../src/publishing/activation-refused-error';
import { lockCampaigns } from '../../../src/publishing/lifecycle-lock';
import type { Pocket } from '../../../src/server';
import {
  createBackends,
  createTestPocket,
  describeEachBackend,
  type TestBackends,
} from '../../helpers/pocket';
import {
  AT,
  CAMPAIGN,
  createDefinitionsRepo,
  eventually,
  participate,
  publishOptions,
  type DefinitionsRepo,
  closePublishingPocket,
  publishingPocket,
} from './publishing-fixtures';

describeEachBackend('publishing lifecycle', (backend) => {
  let backends: TestBackends;
  let repo: DefinitionsRepo;
  let pocket: Pocket;

  beforeEach(async () => {
    backends = await createBackends(backend);
    repo = createDefinitionsRepo();
    pocket = await publishingPocket(backends, repo);
  });
  afterEach(() => closePublishingPocket(pocket, backends, repo));

  const db = () => backends.ledger.db;
  const publish = async (over: Parameters<typeof publishOptions>[0] = {}) =>
    pocket.lifecycle.publish(await repo.resolved(), publishOptions(over));
  const grantRows = () =>
    db()('grants').orderBy('user_id').select('user_id', 'campaign_version', 'reward_id');

  it('publish → participate → edit YAML → publish: the grants show version 1 and version 2', async () => {
    expect(await publish({ note: 'first' })).toEqual([
      {
        campaignId: CAMPAIGN,
        status: 'published',
        version: 1,
        previous: null,
        reactivated: false,
        warnings: [],
        paused: false,
      },
    ]);
    expect(await participate(pocket.app, 'u1')).toEqual({
      status: 201,
      outcome: 'granted',
      version: 1,
      rewardId: 'coin',
    });

    repo.write({ reward: 'thanks' });
    expect(await publish()).toEqual([
      {
        campaignId: CAMPAIGN,
        status: 'published',
        version: 2,
        previous: 1,
        reactivated: false,
        warnings: [],
        paused: false,
      },
    ]);
    expect(await participate(pocket.app, 'u2')).toEqual({
      status: 201,
      outcome: 'granted',
      version: 2,
      rewardId: 'thanks',
    });
    expect(await grantRows()).toEqual([
      { user_id: 'u1', campaign_version: 1, reward_id: 'coin' },
      { user_id: 'u2', campaign_version: 2, reward_id: 'thanks' },
    ]);
    const history = await pocket.lifecycle.versions(CAMPAIGN);
    expect(history).toMatchObject({ campaignId: CAMPAIGN, activeVersion: 2, paused: false });
    expect(history.versions.map((v) => [v.version, v.active, v.author, v.note])).toEqual([
      [2, true, 'tester', null],
      [1, false, 'tester', 'first'],
    ]);
  });

  it('publishing unchanged files is a no-op that says so and records nothing', async () => {
    await publish();
    expect(await publish()).toEqual([
      { campaignId: CAMPAIGN, status: 'unchanged', version: 1, warnings: [], paused: false },
    ]);
    expect((await pocket.lifecycle.versions(CAMPAIGN)).versions).toHaveLength(1);
    expect(await pocket.lifecycle.audit({})).toHaveLength(1);
  });

  it('refuses a stock cut below what is already granted, writes nothing, and --force allows it', async () => {
    await publish();
    for (const user of ['a', 'b', 'c']) expect((await participate(pocket.app, user)).rewardId).toBe('coin');
    repo.write({ stock: 2 });
    const refused = await publish().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ActivationRefusedError);
    expect((refused as ActivationRefusedError).status).toBe(409);
    expect((refused as ActivationRefusedError).refusals).toEqual([
      {
        campaignId: CAMPAIGN,
        code: 'stock_below_used',
        path: 'rewards[0].stock',
        forceable: true,
        message: 'rewards[0].stock (coin): 100 → 2 is below the 3 already granted',
      },
    ]);
    expect((await pocket.lifecycle.versions(CAMPAIGN)).versions.map((v) => v.version)).toEqual([1]);
    expect(await pocket.lifecycle.audit({})).toHaveLength(1);

    const forced = await publish({ force: true });
    expect(forced[0]).toMatchObject({ status: 'published', version: 2 });
    expect(forced[0]?.warnings.map((w) => w.code)).toEqual(['stock_below_used']);
    const [entry] = await pocket.lifecycle.audit({ campaignId: CAMPAIGN, limit: 1 });
    expect(entry?.details).toMatchObject({ force: true, warnings: [{ code: 'stock_below_used' }] });
    // The cut holds: the stock is gone, and the ledger fence agrees.
    expect(await participate(pocket.app)).toMatchObject({ status: 200, outcome: 'out_of_stock', version: 2 });
  });

  it('refuses a budget cut below what is already spent unless forced', async () => {
    await publish();
    for (const user of ['a', 'b']) await participate(pocket.app, user);
    repo.write({ budgetTotal: 19 });
    await expect(publish()).rejects.toMatchObject({
      code: 'activation_refused',
      refusals: [expect.objectContaining({ code: 'budget_total_below_spent' })],
    });
    await expect(publish({ force: true })).resolves.toMatchObject([{ status: 'published', version: 2 }]);
  });

  it('refuses to turn a served campaign with grants back into a draft, by publish or rollback, unless forced', async () => {
    repo.write({ status: 'draft' });
    await publish();
    repo.write({});
    await publish();
    await participate(pocket.app, 'a');
    repo.write({ status: 'draft' });
    await expect(publish()).rejects.toMatchObject({
      code: 'activation_refused',
      refusals: [expect.objectContaining({ code: 'served_to_draft', path: 'status', forceable: true })],
    });
    const options = { note: null, author: null, force: false };
    await expect(pocket.lifecycle.rollback(CAMPAIGN, 1, options)).rejects.toMatchObject({
      refusals: [expect.objectContaining({ code: 'served_to_draft' })],
    });
    // Nothing changed: still version 2, still served.
    expect(await participate(pocket.app, 'b')).toMatchObject({ outcome: 'granted', version: 2 });
    await expect(pocket.lifecycle.rollback(CAMPAIGN, 1, { ...options, force: true })).resolves.toMatchObject({
      warnings: [expect.objectContaining({ code: 'served_to_draft' })],
    });
    expect(await participate(pocket.app, 'c')).toMatchObject({ status: 200, outcome: 'not_started' });
  });

  // A year slipped in the window (2025 for 2026) answered every participation `ended`, with no word at publish.
  it('refuses a window that no longer holds the present for a live campaign with grants, unless forced', async () => {
    await publish();
    await participate(pocket.app, 'a');
    repo.write({ window: { start: '2025-11-01T00:00:00+08:00', end: '2025-12-01T00:00:00+08:00' } });
    await expect(publish()).rejects.toMatchObject({
      code: 'activation_refused',
      refusals: [
        expect.objectContaining({ code: 'window_excludes_now', path: 'window.end', forceable: true }),
      ],
    });
    expect(await participate(pocket.app, 'b')).toMatchObject({ outcome: 'granted', version: 1 });
    await expect(publish({ force: true })).resolves.toMatchObject([
      {
        status: 'published',
        version: 2,
        warnings: [expect.objectContaining({ code: 'window_excludes_now' })],
      },
    ]);
    expect(await participate(pocket.app, 'c')).toMatchObject({ status: 200, outcome: 'ended' });
  });

  it('a stock or budget added after launch counts the grants made before it (no second full allowance)', async () => {
    repo.remove();
    repo = createDefinitionsRepo({ stock: null, budgetTotal: null, budgetDaily: null });
    await publish();
    for (const user of ['a', 'b', 'c']) expect((await participate(pocket.app, user)).rewardId).toBe('coin');
    // 3 red packets of 10 given; now at most 5 in all, and 45 of budget (40 a day): room for one more.
    repo.write({ stock: 5, budgetTotal: 45, budgetDaily: 40 });
    expect(await publish()).toMatchObject([{ status: 'published', version: 2 }]);
    const [entry] = await pocket.lifecycle.audit({ campaignId: CAMPAIGN, limit: 1 });
    expect(entry?.details).toMatchObject({ fenced: { stockSlots: 3, budgetRanges: 3, dailyRanges: 3 } });
    // The hot counters learn it from the ledger's fence: 503 while they are rebuilt, then the real answers.
    const first = await eventually(
      () => participate(pocket.app, 'd'),
      (j) => j.status !== 503,
    );
    expect(first.outcome).toBe('granted');
    for (const user of ['e', 'f'])
      expect((await participate(pocket.app, user)).outcome).toBe('budget_exhausted');
    const rows = await db()('grants').where({ reward_id: 'coin' }).select('charge');
    expect(rows.reduce((sum, r) => sum + Number(r.charge), 0)).toBe(40);
  });

  it('a budget added below what was spent leaves nothing to spend: the range across the limit is held', async () => {
    repo.remove();
    repo = createDefinitionsRepo({ budgetTotal: null, budgetDaily: null });
    await publish();
    for (const user of ['a', 'b', 'c']) expect((await participate(pocket.app, user)).rewardId).toBe('coin');
    // 30 spent; a budget of 25 (forced: below what was spent) fits two grants of 10 and leaves 5, as much as a
    // red packet that may now go down to 4 would take.
    const exhausted = async (user: string) =>
      (
        await eventually(
          () => participate(pocket.app, user),
          (j) => j.status !== 503,
        )
      ).outcome;
    repo.write({ budgetTotal: null, budgetDaily: 25, minAmount: 4 });
    expect(await publish({ force: true })).toMatchObject([{ status: 'published', version: 2 }]);
    const [daily] = await pocket.lifecycle.audit({ campaignId: CAMPAIGN, limit: 1 });
    expect(daily?.details).toMatchObject({ fenced: { dailyRanges: 3 } });
    expect(await exhausted('d')).toBe('budget_exhausted');
    repo.write({ budgetTotal: 25, budgetDaily: null, minAmount: 4 });
    expect(await publish({ force: true })).toMatchObject([{ status: 'published', version: 3 }]);
    const [total] = await pocket.lifecycle.audit({ campaignId: CAMPAIGN, limit: 1 });
    expect(total?.details).toMatchObject({ fenced: { budgetRanges: 3 } });
    expect(await exhausted('e')).toBe('budget_exhausted');
    const spent = await db()('grants').where({ reward_id: 'coin' }).sum({ s: 'charge' }).first();
    expect(Number(spent?.['s'])).toBe(30);
    // The third grant holds [20, 30) under a limit of its own end; voiding it leaves 20 spent: 5 to give, to a
    // red packet drawn from 4 to 10 and cut to what is left (4 or 5).
    const across = (await db()('grants').orderBy('budget_start', 'desc').first()) as Record<string, unknown>;
    expect([across['budget_start'], across['budget_end'], across['budget_limit']].map(Number)).toEqual([
      20, 30, 30,
    ]);
    await pocket.delivery.voids.void(String(across['id']), {
      reason: 'over the new budget',
      actor: 'finance',
    });
    await backends.wipeHotState(); // the counters rebuilt from the ledger, whichever backend gives back later
    const after = await eventually(
      () => participate(pocket.app, 'f'),
      (j) => j.status !== 503,
    );
    expect(after.outcome).toBe('granted');
    const last = await db()('grants').where({ user_id: 'f' }).first('charge');
    expect([4, 5]).toContain(Number(last?.['charge']));
    const live = await db()('grants')
      .where({ reward_id: 'coin' })
      .whereNot({ status: 'void' })
      .sum({ s: 'charge' })
      .first();
    expect(Number(live?.['s'])).toBe(20 + Number(last?.['charge']));
  });

  it('a per-user limit added after launch counts the grants made before it, even with the hot counts lost', async () => {
    await publish();
    for (const user of ['heavy', 'heavy', 'heavy', 'light'])
      expect((await participate(pocket.app, user)).outcome).toBe('granted');
    repo.write({ perUser: { total: 2, daily: 2 } });
    expect(await publish()).toMatchObject([{ status: 'published', version: 2 }]);
    const [entry] = await pocket.lifecycle.audit({ campaignId: CAMPAIGN, limit: 1 });
    // heavy's third grant is over the new limit already: it keeps no number.
    expect(entry?.details).toMatchObject({ fenced: { userSeqs: 3, dailyUserSeqs: 3 } });
    // Without the hot per-user counts (a Redis restart), only the ledger's fence knows what each user has.
    await backends.wipeHotState();
    const heavy = await eventually(
      () => participate(pocket.app, 'heavy'),
      (j) => j.status !== 503,
    );
    expect(heavy.outcome).toBe('limit_reached');
    expect((await participate(pocket.app, 'light')).outcome).toBe('granted');
    expect((await participate(pocket.app, 'light')).outcome).toBe('limit_reached');
    const counts = (await db()('grants')
      .groupBy('user_id')
      .orderBy('user_id')
      .select('user_id')
      .count({ n: '*' })) as Array<{ user_id: string; n: number | string }>;
    expect(counts.map((r) => [r.user_id, Number(r.n)])).toEqual([
      ['heavy', 3],
      ['light', 2],
    ]);
  });

  it('refuses a timezone change once the campaign has grants, even with --force', async () => {
    repo.write({ testers: ['qa-zone'] });
    await publish();
    await expect(participate(pocket.app, 'qa-zone')).resolves.toMatchObject({ outcome: 'granted' });
    repo.write({ timezone: 'UTC', testers: ['qa-zone'] });
    // A tester's grant only, made while testing before launch: the zone may still be fixed.
    await expect(publish()).resolves.toMatchObject([{ status: 'published', version: 2 }]);
    await participate(pocket.app);
    repo.write({ timezone: 'Asia/Shanghai', testers: ['qa-zone'] });
    for (const force of [false, true]) {
      await expect(publish({ force })).rejects.toMatchObject({
        refusals: [expect.objectContaining({ code: 'timezone_changed', forceable: false })],
      });
    }
    expect((await pocket.lifecycle.versions(CAMPAIGN)).activeVersion).toBe(2);
  });

  it('is all or nothing across campaigns: one refusal publishes none', async () => {
    repo.write({ id: 'second-sale' });
    await publish();
    await participate(pocket.app, 'a');
    repo.write({ stock: 0 });
    repo.write({ id: 'second-sale', reward: 'thanks' });
    await expect(publish()).rejects.toBeInstanceOf(ActivationRefusedError);
    expect((await pocket.lifecycle.versions('second-sale')).activeVersion).toBe(1);
    expect((await pocket.lifecycle.versions(CAMPAIGN)).activeVersion).toBe(1);
  });

  it('rollback makes version N active again (no copy), refuses an unknown version, and re-publishing reactivates', async () => {
    await publish();
    repo.write({ reward: 'thanks' });
    await publish();
    const outcome = await pocket.lifecycle.rollback(CAMPAIGN, 1, {
      note: 'bad v2',
      author: 'ops',
      force: false,
    });
    expect(outcome).toEqual({
      campaignId: CAMPAIGN,
      action: 'rollback',
      changed: true,
      activeVersion: 1,
      previousVersion: 2,
      paused: false,
      warnings: [],
    });
    expect(pocket.registry.get(CAMPAIGN)?.version).toBe(1);
    expect(await participate(pocket.app)).toMatchObject({ version: 1, rewardId: 'coin' });
    expect((await pocket.lifecycle.versions(CAMPAIGN)).versions.map((v) => [v.version, v.active])).toEqual([
      [2, false],
      [1, true],
    ]);
    expect(
      await pocket.lifecycle.rollback(CAMPAIGN, 1, { note: null, author: null, force: false }),
    ).toMatchObject({
      changed: false,
    });
    await expect(
      pocket.lifecycle.rollback(CAMPAIGN, 7, { note: null, author: null, force: false }),
    ).rejects.toMatchObject({ status: 404, code: 'version_not_found' });
    await expect(
      pocket.lifecycle.rollback('no-such-campaign', 1, { note: null, author: null, force: false }),
    ).rejects.toMatchObject({ status: 404, code: 'campaign_not_found' });
    // The files still hold version 2's body: publishing makes version 2 active again instead of copying it.
    expect(await publish()).toMatchObject([
      { status: 'published', version: 2, previous: 1, reactivated: true },
    ]);
  });

  it('rollback runs the activation checks too', async () => {
    repo.write({ stock: 2 });
    await publish();
    repo.write({ stock: 100 });
    await publish();
    for (const user of ['a', 'b', 'c']) await participate(pocket.app, user);
    await expect(
      pocket.lifecycle.rollback(CAMPAIGN, 1, { note: null, author: null, force: false }),
    ).rejects.toMatchObject({ refusals: [expect.objectContaining({ code: 'stock_below_used' })] });
    await expect(
      pocket.lifecycle.rollback(CAMPAIGN, 1, { note: null, author: null, force: true }),
    ).resolves.toMatchObject({ changed: true, activeVersion: 1 });
  });

  it('pause is an overlay only resume clears: a publish or rollback keeps it', async () => {
    await publish();
    const none = { note: null, author: null };
    expect(await pocket.lifecycle.pause(CAMPAIGN, none)).toMatchObject({ changed: true, paused: true });
    expect(await pocket.lifecycle.pause(CAMPAIGN, none)).toMatchObject({ changed: false, paused: true });
    expect(await participate(pocket.app)).toMatchObject({ status: 200, outcome: 'paused' });
    repo.write({ reward: 'thanks' });
    expect(await publish()).toMatchObject([{ status: 'published', version: 2, paused: true }]);
    expect(await publish()).toMatchObject([{ status: 'unchanged', version: 2, paused: true }]);
    await pocket.lifecycle.rollback(CAMPAIGN, 1, { ...none, force: false });
    expect(await participate(pocket.app)).toMatchObject({ status: 200, outcome: 'paused', version: 1 });
    expect((await pocket.lifecycle.versions(CAMPAIGN)).paused).toBe(true);
    expect(await pocket.lifecycle.resume(CAMPAIGN, none)).toMatchObject({ changed: true, paused: false });
    expect(await participate(pocket.app)).toMatchObject({ status: 201, outcome: 'granted', version: 1 });
    await expect(pocket.lifecycle.pause('no-such-campaign', none)).rejects.toMatchObject({
      code: 'campaign_not_found',
    });
  });

  it('serializes concurrent changes of one campaign: one publish and one pause win, the rest see them', async () => {
    await publish();
    repo.write({ reward: 'thanks' });
    const resolved = await repo.resolved();
    const publishes = await Promise.all(
      Array.from({ length: 8 }, () => pocket.lifecycle.publish(resolved, publishOptions())),
    );
    expect(publishes.map(([o]) => `${o?.status}:${o?.version}`).sort()).toEqual([
      'published:2',
      ...Array.from({ length: 7 }, () => 'unchanged:2'),
    ]);
    const none = { note: null, author: null };
    const pauses = await Promise.all(Array.from({ length: 8 }, () => pocket.lifecycle.pause(CAMPAIGN, none)));
    expect(pauses.filter((p) => p.changed)).toHaveLength(1);
    expect((await pocket.lifecycle.audit({ campaignId: CAMPAIGN })).map((e) => e.action)).toEqual([
      'pause',
      'publish',
      'publish',
    ]);
  });

  /** Starts (and closes) another instance that publishes the local files on start; its warnings' messages. */
  async function boot(): Promise<string[]> {
    const lines: string[] = [];
    const logger = createLogger('warn', { write: (line: string) => lines.push(line) });
    const started = await createTestPocket(backends, {
      clock: () => AT,
      logger,
      config: { definitionsRoot: repo.root, publishOnStart: true },
    });
    await started.close();
    return lines.map((line) => (JSON.parse(line) as { msg: string }).msg);
  }

  it('a restart does not undo a rollback: publishing on start leaves a campaign rolled back from its files', async () => {
    await publish();
    repo.write({ reward: 'thanks' });
    await publish();
    await pocket.lifecycle.rollback(CAMPAIGN, 1, { note: null, author: 'ops', force: false });
    // The files still hold version 2: the boot leaves version 1 active and says why.
    expect(await boot()).toEqual([
      'local definition not published: the campaign runs version 1 (a rollback), older than version 2, which the local files hold; a restart does not undo a rollback: pocket publish makes them active again',
    ]);
    const history = await pocket.lifecycle.versions(CAMPAIGN);
    expect([history.activeVersion, history.versions.length]).toEqual([1, 2]);
    // Files edited after the rollback are a new version: the boot publishes them.
    repo.write({ reward: 'thanks', stock: 7 });
    expect(await boot()).toEqual([]);
    expect((await pocket.lifecycle.versions(CAMPAIGN)).activeVersion).toBe(3);
  });

  it('refuses dropping the budget, and a currency change, once the campaign has grants: they keep their currency', async () => {
    await publish();
    expect(await participate(pocket.app, 'u1')).toMatchObject({ outcome: 'granted', version: 1 });
    repo.write({ currency: null });
    // Without a budget the next grants would carry currency null, to the issuers and the report alike.
    const dropped = await publish({ force: true }).catch((error: unknown) => error);
    expect(dropped).toBeInstanceOf(ActivationRefusedError);
    expect((dropped as ActivationRefusedError).refusals).toEqual([
      expect.objectContaining({ code: 'currency_changed', path: 'budget' }),
    ]);
    expect((await pocket.lifecycle.versions(CAMPAIGN)).activeVersion).toBe(1);
    repo.write({ currency: 'USD' });
    const refused = await publish({ force: true }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ActivationRefusedError);
    expect((refused as ActivationRefusedError).refusals).toEqual([
      expect.objectContaining({
        code: 'currency_changed',
        message: expect.stringMatching(/^budget\.currency: CNY → USD is refused: .* 1 grant whose/),
      }),
    ]);
    expect((await pocket.lifecycle.versions(CAMPAIGN)).activeVersion).toBe(1);
  });

  it('keeps the currency once every grant is voided: the report gives their charge back in it', async () => {
    await publish();
    expect(await participate(pocket.app, 'u1')).toMatchObject({ outcome: 'granted', version: 1 });
    const { id } = (await db()('grants').first('id')) as { id: string };
    await pocket.delivery.voids.void(id, { reason: 'never paid', actor: 'finance' });
    // Allowed, the report printed the CNY given back as USD: `spend by delivery USD: …; void 0.10 given back`.
    repo.write({ currency: 'USD' });
    const refused = await publish({ force: true }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ActivationRefusedError);
    expect((refused as ActivationRefusedError).refusals).toEqual([
      expect.objectContaining({
        code: 'currency_changed',
        message: expect.stringMatching(/^budget\.currency: CNY → USD is refused: .* voided grants whose/),
      }),
    ]);
    expect((await pocket.lifecycle.versions(CAMPAIGN)).activeVersion).toBe(1);
    const report = await pocket.reports.report(CAMPAIGN);
    expect([report.budget.currency, report.delivery.spendByStatus]).toEqual(['CNY', { void: 10 }]);
  });

  it('a restart does not undo a publish made from other files: files holding an older version leave it active', async () => {
    await publish();
    // CI publishes edited files from its own checkout; this instance's files still hold version 1.
    repo.write({ reward: 'thanks' });
    await publish({ note: 'from CI' });
    repo.write({});
    expect(await boot()).toEqual([
      "local definition not published: the campaign runs version 2, the local files hold version 1, published before; a restart does not switch a campaign to another published version (a pocket publish or a rollback made version 2 active): pocket publish makes the files' version active again",
    ]);
    expect((await pocket.lifecycle.versions(CAMPAIGN)).activeVersion).toBe(2);
    expect(await participate(pocket.app, 'u1')).toMatchObject({ version: 2, rewardId: 'thanks' });
  });

  it('stamps a change when it takes the campaign lock, not when it starts waiting for it', async () => {
    let now = AT.getTime();
    const clocked = await createTestPocket(backends, {
      clock: () => new Date(now),
      config: { definitionsRoot: repo.root, publishOnStart: false },
    });
    try {
      await clocked.lifecycle.publish(await repo.resolved(), publishOptions());
      // Another change holds the campaign (PostgreSQL: its advisory lock; SQLite: the one writer).
      const holder = await db().transaction();
      await lockCampaigns(holder, [CAMPAIGN]);
      const paused = clocked.lifecycle.pause(CAMPAIGN, { note: null, author: null });
      await new Promise((resolve) => setTimeout(resolve, 200));
      now += 60_000;
      await holder.commit();
      await paused;
      const [entry] = await clocked.lifecycle.audit({ campaignId: CAMPAIGN, limit: 1 });
      // Stamped before the wait, it would sort before changes that committed while it waited.
      expect([entry?.action, entry?.at]).toEqual(['pause', new Date(now).toISOString()]);
    } finally {
      await clocked.close();
    }
  });

  it('records every lifecycle change in the audit log: who, what, when, from which version to which', async () => {
    await publish({ note: 'launch', gitCommit: 'abc123' });
    repo.write({ reward: 'thanks' });
    await publish();
    await pocket.lifecycle.rollback(CAMPAIGN, 1, {
      note: 'v2 gives only thanks',
      author: 'ops',
      force: false,
    });
    await pocket.lifecycle.pause(CAMPAIGN, { note: 'incident', author: 'ops' });
    await pocket.lifecycle.resume(CAMPAIGN, { note: null, author: 'ops' });
    const log = await pocket.lifecycle.audit({ campaignId: CAMPAIGN });
    expect(log.map((e) => [e.action, e.actor, e.fromVersion, e.toVersion])).toEqual([
      ['resume', 'pocket serve', 1, 1],
      ['pause', 'pocket serve', 1, 1],
      ['rollback', 'pocket serve', 2, 1],
      ['publish', 'pocket serve', 1, 2],
      ['publish', 'pocket serve', null, 1],
    ]);
    expect(log[4]?.details).toMatchObject({ note: 'launch', gitCommit: 'abc123', author: 'tester' });
    expect(log[2]?.details).toMatchObject({ note: 'v2 gives only thanks', author: 'ops' });
    expect(log.every((e) => e.at === AT.toISOString())).toBe(true);
    // A refused change is not a change: nothing is recorded.
    repo.write({ stock: 0 });
    await participate(pocket.app);
    await expect(publish()).rejects.toBeInstanceOf(ActivationRefusedError);
    expect(await pocket.lifecycle.audit({ campaignId: CAMPAIGN })).toHaveLength(5);
  });
});
