/**
 * The budget range fences when one statement writes many grants (the batched grant write) and when such
 * statements race (DESIGN.md "Redis is the gate; the ledger is the fence"). On PostgreSQL the fence is a
 * statement trigger: a per-campaign advisory lock, then a probe of each new range's predecessor; these cases
 * are the ones a per-row check never meets: overlaps among the statement's own rows, and several of them
 * nested in one range granted before.
 */
import { isPostgres, type Executor } from '../../../src/ledger/db';
import { grantColumns } from '../../../src/ledger/grant-insert-statement';
import { GRANT_WRITE, grantWriteValues } from '../../../src/ledger/grant-write-statement';
import { grantRangeFenceTriggersMigration as triggers } from '../../../src/ledger/migrations/20261126000100_grant_range_fence_triggers';
import { runPrepared } from '../../../src/ledger/pg-prepared';
import { describeEachLedger, useLedger } from '../../helpers/ledger';
import {
  insertGrant,
  newGrant,
  outcome,
  participation,
  participations,
  type GrantOverrides,
} from './ledger-fixtures';

const LIMIT = 1000;

function budget(start: number, end: number, userId = `u${start}`): GrantOverrides {
  return { userId, charge: end - start, fences: { budgetRange: [start, end], budgetLimit: LIMIT } };
}

/** Participations first (one statement each), then all the grants in ONE multi-row INSERT. */
async function insertInOneStatement(q: Executor, grants: readonly GrantOverrides[]): Promise<void> {
  const rows = [];
  for (const over of grants) {
    const p = participation({ userId: over.userId ?? 'u1' });
    await participations.insert(q, p);
    rows.push(Object.fromEntries(grantColumns(newGrant(p.id, over)).map(([name, value]) => [name, value])));
  }
  await q('grants').insert(rows);
}

describeEachLedger('budget range fences, many grants per statement', (kind) => {
  const ledger = useLedger(kind, { pool: { min: 0, max: 20 } });
  const db = () => ledger.current.db;
  const oneStatement = (grants: readonly GrantOverrides[]) =>
    outcome(db().transaction((trx) => insertInOneStatement(trx, grants)));

  async function grantedRanges(): Promise<Array<[number, number]>> {
    const rows = await db()('grants')
      .whereNotNull('budget_start')
      .orderBy('budget_start')
      .select('budget_start', 'budget_end');
    return (rows as Array<{ budget_start: string | number; budget_end: string | number }>).map((r) => [
      Number(r.budget_start),
      Number(r.budget_end),
    ]);
  }

  it('accepts adjacent ranges written together and refuses two that overlap each other', async () => {
    expect(await oneStatement([budget(0, 10), budget(10, 20), budget(20, 30)])).toBe('ok');
    expect(await oneStatement([budget(100, 110), budget(105, 115)])).toBe('budget');
    expect(await oneStatement([budget(200, 210), budget(200, 210, 'u-twin')])).toBe('budget');
    // Nothing of a refused statement stays.
    expect(await grantedRanges()).toEqual([
      [0, 10],
      [10, 20],
      [20, 30],
    ]);
  });

  it('refuses new ranges nested in one granted before, however many the statement holds', async () => {
    await insertGrant(db(), budget(500, 600));
    // Each new range's predecessor is the one before it in the statement, which it does not overlap; the chain
    // still reaches the granted range.
    expect(await oneStatement([budget(510, 520), budget(530, 540), budget(550, 560)])).toBe('budget');
    expect(await oneStatement([budget(450, 460), budget(470, 480), budget(490, 510)])).toBe('budget');
    expect(await oneStatement([budget(450, 460), budget(470, 480), budget(600, 610)])).toBe('ok');
  });

  it('20 statements of 5 grants at once, over overlapping ranges: what commits never overlaps', async () => {
    // Statement s writes [s*30 + 50k, s*30 + 50k + 40) for k = 0..4: each range overlaps ranges of the
    // statements next to it, so the commit order decides which survive.
    const statements = Array.from({ length: 20 }, (_, s) =>
      Array.from({ length: 5 }, (_, k) => budget(s * 30 + 50 * k, s * 30 + 50 * k + 40, `u${s}-${k}`)),
    );
    const tally: Record<string, number> = {};
    for (const o of await Promise.all(statements.map((grants) => oneStatement(grants)))) {
      tally[o] = (tally[o] ?? 0) + 1;
    }
    // One lock per campaign, taken before the check: losers are refused, never deadlocked.
    expect(Object.keys(tally).every((o) => o === 'ok' || o === 'budget')).toBe(true);
    expect(tally.ok).toBeGreaterThanOrEqual(1);
    const ranges = await grantedRanges();
    expect(ranges).toHaveLength(5 * (tally.ok ?? 0));
    for (let i = 1; i < ranges.length; i++) expect(ranges[i]![0]).toBeGreaterThanOrEqual(ranges[i - 1]![1]);
    expect(ranges.at(-1)![1]).toBeLessThanOrEqual(LIMIT);
  });

  if (kind === 'postgres') {
    it('refuses to fence ranges in a transaction that would not see the ones committed meanwhile', async () => {
      const refused = db().transaction((trx) => insertInOneStatement(trx, [budget(0, 10)]), {
        isolationLevel: 'repeatable read',
      });
      await expect(refused).rejects.toThrow(/need READ COMMITTED/);
      expect(await grantedRanges()).toEqual([]);
      // A grant without a range has nothing to fence: any isolation level writes it.
      const unfenced = db().transaction((trx) => insertInOneStatement(trx, [{ charge: 0 }]), {
        isolationLevel: 'repeatable read',
      });
      await expect(unfenced).resolves.toBeUndefined();
    });

    it('a ledger created with the GiST exclusion constraints moves to the triggers, and can move back', async () => {
      const constraints = async () =>
        (
          await db().raw<{ rows: Array<{ conname: string }> }>(
            "SELECT conname FROM pg_constraint WHERE conrelid = 'grants'::regclass AND contype = 'x' ORDER BY 1",
          )
        ).rows.map((r) => r.conname);
      await db().transaction(async (trx) => {
        await triggers.down!(trx); // the ledger as it was before the triggers
      });
      expect(await constraints()).toEqual(['grants_budget_no_overlap', 'grants_daily_no_overlap']);
      await insertGrant(db(), budget(0, 100));
      expect(await oneStatement([budget(50, 60)])).toBe('budget');
      await db().transaction(async (trx) => {
        await triggers.up(trx);
      });
      expect(await constraints()).toEqual([]);
      expect(await oneStatement([budget(50, 60)])).toBe('budget');
      expect(await oneStatement([budget(100, 110)])).toBe('ok');
    });

    it('plans the per-user numbering and the range probes without sorts, so only their own indexes serve them', async () => {
      // Under statistics that say the campaign has few grants (a fresh ledger, a new campaign), the campaign's
      // reporting indexes tie on cost with the per-user one; a plan that picked one scanned the whole campaign for
      // every grant. With sorts disabled, the ordered read of the user's numbers has one plan left.
      expect(isPostgres(db())).toBe(true);
      const p = participation();
      const grant = newGrant(p.id, { fences: { userLimit: 3, dailyUserLimit: 1 } });
      const explain = { name: 'explain_grant_write', text: `EXPLAIN VERBOSE ${GRANT_WRITE.text}` };
      const plan = await runPrepared<{ 'QUERY PLAN': string }>(
        db(),
        explain,
        grantWriteValues([{ participation: { ...p, grantId: grant.id }, grant, outbox: null }]),
      );
      const text = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
      expect(text).toContain('grants_next_seqs(');
      const config = await db().raw<{ rows: Array<{ proname: string; proconfig: string[] }> }>(
        "SELECT proname, proconfig FROM pg_proc WHERE proname LIKE 'grants\\_%' AND pronamespace = current_schema()::regnamespace ORDER BY 1",
      );
      // The range fences' probes are ordered reads of the range indexes: the same holds for them.
      expect(config.rows.map((r) => r.proname)).toEqual([
        'grants_next_seqs',
        'grants_range_fence_row',
        'grants_range_fence_statement',
      ]);
      for (const r of config.rows)
        expect(r.proconfig).toEqual(expect.arrayContaining(['enable_sort=off', 'jit=off']));
      // What they answer: the lowest free number, a voided grant's number first.
      const seqs = [1, 2, 4].map((n) => ({ userId: 'numbered', fences: { userLimit: 9 }, n }));
      for (const s of seqs) {
        const row = await insertGrant(db(), { userId: s.userId, fences: s.fences });
        if (s.n === 4) await db()('grants').where({ id: row.id }).update({ user_seq: 4 });
      }
      const next = await db().raw<{ rows: Array<{ n: number }> }>(
        "SELECT next_user_seq AS n FROM grants_next_seqs(ARRAY['c1'], ARRAY['numbered'], ARRAY['2026-11-11'], ARRAY[9], ARRAY[NULL::integer])",
      );
      expect(next.rows[0]?.n).toBe(3);
    });
  }
});
