import { migrate, migrationStatus } from '../../../src/ledger/migrate';
import { ledgerMigrations } from '../../../src/ledger/ledger-migration-source';
import { describeEachLedger, useLedger } from '../../helpers/ledger';

describeEachLedger('ledger migrations', (kind) => {
  const ledger = useLedger(kind);

  it('applies every migration, then finds nothing pending', async () => {
    const { db } = ledger.current;
    const names = ledgerMigrations.map((m) => m.name);
    expect(await migrationStatus(db)).toEqual({ applied: names, pending: [] });
    expect(await migrate(db)).toEqual([]);
  });

  it('is idempotent: every migration runs again over existing tables without error', async () => {
    const { db } = ledger.current;
    for (const { migration } of ledgerMigrations)
      await db.transaction(async (trx) => {
        await migration.up(trx);
      });
    await db('knex_migrations').delete();
    expect(await migrate(db)).toEqual(ledgerMigrations.map((m) => m.name));
    for (const table of [
      'campaign_versions',
      'campaign_state',
      'participations',
      'grants',
      'outbox',
      'audit_log',
    ]) {
      expect(await db.schema.hasTable(table)).toBe(true);
    }
  });

  it('names migrations by timestamp, in order', () => {
    const names = ledgerMigrations.map((m) => m.name);
    for (const name of names) expect(name).toMatch(/^\d{14}_[a-z_]+$/);
    expect([...names].sort()).toEqual(names);
  });
});
