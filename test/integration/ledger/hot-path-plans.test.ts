/**
 * How the participation hot path's SQL is planned on PostgreSQL (pg-prepared.ts). The batched grant write is a
 * named statement, and what it runs (the statement, its triggers' queries, the foreign-key checks, the per-user
 * numbering) keeps its plans for the session; the idempotency lookup is planned for its own values on every
 * call, because a plan kept from when the table was small scanned a whole campaign per lookup.
 */
import { describeWithServices } from '../../helpers/services';
import { useLedger } from '../../helpers/ledger';
import { grantWrite, participationLedgerOn } from './ledger-fixtures';

interface PreparedRow {
  name: string;
  generic_plans: string | number;
  custom_plans: string | number;
}

describeWithServices(['DATABASE_URL'], 'PostgreSQL plans of the participation hot path', () => {
  // One connection: the session whose prepared statements and settings are read below.
  const ledger = useLedger('postgres', { pool: { min: 1, max: 1 } });
  const db = () => ledger.current.db;
  const participationLedger = () => participationLedgerOn(db());

  async function prepared(): Promise<PreparedRow[]> {
    const result = await db().raw<{ rows: PreparedRow[] }>(
      'SELECT name, generic_plans, custom_plans FROM pg_prepared_statements ORDER BY name',
    );
    return result.rows;
  }

  it('keeps the grant write prepared with the server default plan mode, and sends the lookup unnamed', async () => {
    const l = participationLedger();
    // One write at a time: twelve statements on the one connection.
    for (let n = 1; n <= 12; n++) {
      const w = grantWrite(n);
      await expect(l.recordGrant(w.record, w.draft)).resolves.toEqual({ kind: 'committed' });
      await expect(
        l.findStored(w.record.campaignId, w.record.userId, w.record.idempotencyKey),
      ).resolves.toMatchObject({ status: 201 });
    }
    // Nothing on the session forces a plan per execution (that re-planned every trigger query and foreign-key
    // check of every grant batch).
    const mode = await db().raw<{ rows: Array<{ plan_cache_mode: string }> }>('SHOW plan_cache_mode');
    expect(mode.rows[0]?.plan_cache_mode).toBe('auto');
    const statements = await prepared();
    expect(statements.map((s) => s.name)).toEqual(['pocket_grant_write_v1']);
    const write = statements[0];
    expect(Number(write?.generic_plans) + Number(write?.custom_plans)).toBe(12);
  });

  /** Index entries read so far, per index of the grants table (this session's pending counts flushed first). */
  async function grantIndexReads(): Promise<Record<string, number>> {
    await db().raw('SELECT pg_stat_force_next_flush()');
    const result = await db().raw<{ rows: Array<{ name: string; reads: string | number }> }>(
      "SELECT indexrelname AS name, idx_tup_read AS reads FROM pg_stat_user_indexes WHERE schemaname = current_schema() AND relname = 'grants'",
    );
    return Object.fromEntries(result.rows.map((r) => [r.name, Number(r.reads)]));
  }

  it('with its plans kept, a grant write on a campaign never analyzed reads none of the reporting indexes', async () => {
    // 900 grants of one campaign, written in batches before any ANALYZE: the case where the campaign's reporting
    // indexes plus a sort once looked as cheap as the right index, and a kept plan scanned the whole campaign.
    const l = participationLedger();
    const filled = await Promise.all(
      Array.from({ length: 900 }, (_, i) => grantWrite(i + 1)).map((w) => l.recordGrant(w.record, w.draft)),
    );
    expect(filled.every((r) => r.kind === 'committed')).toBe(true);
    const before = await grantIndexReads();
    for (let n = 901; n <= 912; n++) {
      const w = grantWrite(n);
      await expect(l.recordGrant(w.record, w.draft)).resolves.toEqual({ kind: 'committed' });
    }
    const after = await grantIndexReads();
    const read = (index: string): number => (after[index] ?? 0) - (before[index] ?? 0);
    for (const index of [
      'grants_campaign_status_idx',
      'grants_campaign_created_idx',
      'grants_user_created_idx',
    ])
      expect({ index, read: read(index) }).toEqual({ index, read: 0 });
    // The budget fence probed its own index meanwhile.
    expect(read('grants_budget_start_idx')).toBeGreaterThan(0);
    const [write] = await prepared();
    expect(Number(write?.generic_plans)).toBeGreaterThan(0);
  });

  it('runs the per-user numbering as PL/pgSQL, whose plan lasts the session', async () => {
    const fn = await db().raw<{ rows: Array<{ lanname: string }> }>(
      "SELECT l.lanname FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang WHERE p.proname = 'grants_next_seqs' AND p.pronamespace = current_schema()::regnamespace",
    );
    expect(fn.rows).toEqual([{ lanname: 'plpgsql' }]);
  });
});
