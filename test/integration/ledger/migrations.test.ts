import { LedgerSchemaError, migrate, migrationStatus } from '../../../src/ledger/migrate';
import { ledgerMigrations } from '../../../src/ledger/ledger-migration-source';
import { blocklistIpCanonicalMigration } from '../../../src/ledger/migrations/20261126000400_blocklist_ip_canonical';
import { closeSettledDeadLettersMigration } from '../../../src/ledger/migrations/20261126000500_close_settled_dead_letters';
import { grantIssuerMigration } from '../../../src/ledger/migrations/20261126000600_grant_issuer';
import { KnexOutboxStore } from '../../../src/ledger/knex-outbox-store';
import { grants, insertGrant } from './ledger-fixtures';
import { describeEachLedger, useLedger } from '../../helpers/ledger';

describeEachLedger('ledger migrations', (kind) => {
  const ledger = useLedger(kind);

  it('applies every migration, then finds nothing pending', async () => {
    const { db } = ledger.current;
    const names = ledgerMigrations.map((m) => m.name);
    expect(await migrationStatus(db)).toEqual({ applied: names, pending: [], unknown: [] });
    expect(await migrate(db)).toEqual([]);
  });

  it('refuses a ledger a newer pocket migrated, naming the migrations it does not know', async () => {
    const { db } = ledger.current;
    const future = '20991231000100_from_a_newer_pocket';
    await db('knex_migrations').insert({ name: future, batch: 99, migration_time: new Date() });
    try {
      expect((await migrationStatus(db)).unknown).toEqual([future]);
      const refusal = await migrate(db).catch((err: unknown) => err);
      expect(refusal).toBeInstanceOf(LedgerSchemaError);
      expect(refusal).toMatchObject({
        code: 'ledger_newer',
        message: expect.stringContaining(`this one does not know (${future})`) as unknown,
      });
    } finally {
      await db('knex_migrations').where({ name: future }).delete();
    }
  });

  it('applies what a ledger behind lacks only when asked to; a verb that refuses changes nothing', async () => {
    const { db } = ledger.current;
    const last = ledgerMigrations[ledgerMigrations.length - 1]?.name ?? '';
    await db('knex_migrations').where({ name: last }).delete();
    const refusal = await migrate(db, 'refuse').catch((err: unknown) => err);
    expect(refusal).toMatchObject({
      code: 'ledger_behind',
      message: expect.stringContaining(`1 migration(s) to apply (${last})`) as unknown,
    });
    expect((await migrationStatus(db)).pending).toEqual([last]);
    expect(await migrate(db)).toEqual([last]);
  });

  it("waits for another process's migration instead of failing, and names a lock held too long", async () => {
    const { db } = ledger.current;
    const last = ledgerMigrations[ledgerMigrations.length - 1]?.name ?? '';
    await db('knex_migrations').where({ name: last }).delete();
    // Another pocket (a verb or instance started at the same moment) holds knex's lock while it migrates.
    await db('knex_migrations_lock').update({ is_locked: 1 });
    const released = new Promise<void>((resolve) => {
      setTimeout(() => {
        void db('knex_migrations')
          .insert({ name: last, batch: 98, migration_time: new Date() })
          .then(() => db('knex_migrations_lock').update({ is_locked: 0 }))
          .then(() => resolve());
      }, 600);
    });
    // It waited, then found the other's work done: nothing left to run (knex's MigrationLocked before).
    expect(await migrate(db)).toEqual([]);
    await released;
    expect((await migrationStatus(db)).pending).toEqual([]);
    // A lock left set on a ledger with nothing pending (a pocket killed mid-migration) stops nobody: every
    // start waited 60 s for it and then stopped with migration_locked.
    await db('knex_migrations_lock').update({ is_locked: 1 });
    try {
      expect(await migrate(db, 'apply', 500)).toEqual([]);
      expect(await migrate(db, 'refuse', 500)).toEqual([]);
    } finally {
      await db('knex_migrations_lock').update({ is_locked: 0 });
    }

    await db('knex_migrations').where({ name: last }).delete();
    await db('knex_migrations_lock').update({ is_locked: 1 });
    try {
      const refusal = await migrate(db, 'apply', 500).catch((err: unknown) => err);
      expect(refusal).toBeInstanceOf(LedgerSchemaError);
      expect(refusal).toMatchObject({
        code: 'migration_locked',
        message: expect.stringMatching(
          /^another pocket has been migrating the ledger for over 1 s .*is_locked = 0/,
        ),
      });
    } finally {
      await db('knex_migrations_lock').update({ is_locked: 0 });
    }
    expect(await migrate(db)).toEqual([last]);
  });

  it('migrates where processes that created the ledger together each left a lock row (knex checks, then inserts)', async () => {
    const { db } = ledger.current;
    const last = ledgerMigrations[ledgerMigrations.length - 1]?.name ?? '';
    await db('knex_migrations').where({ name: last }).delete();
    // Two processes each found knex's lock table empty and each inserted its row: knex's lock (an UPDATE
    // … WHERE is_locked = 0 that must touch one row) then failed for every process, for good.
    await db('knex_migrations_lock').insert({ is_locked: 0 });
    expect(await db('knex_migrations_lock').select('is_locked')).toEqual([
      { is_locked: 0 },
      { is_locked: 0 },
    ]);
    expect(await migrate(db, 'apply', 1_000)).toEqual([last]);
    expect(await db('knex_migrations_lock').select('is_locked')).toEqual([{ is_locked: 0 }]);
  });

  it('is idempotent: every migration runs again over existing tables without error', async () => {
    const { db } = ledger.current;
    for (const { migration } of ledgerMigrations)
      await db.transaction(async (trx) => {
        await migration.up(trx);
      });
    await db('knex_migrations').delete();
    // A ledger with no migration applied is a new one: even a verb that never migrates creates it.
    expect(await migrate(db, 'refuse')).toEqual(ledgerMigrations.map((m) => m.name));
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

  it('rewrites blocked IPs stored as written into their canonical spelling, merging duplicates', async () => {
    const { db } = ledger.current;
    const at = new Date('2026-11-26T00:00:00Z');
    const row = (value: string, reason: string) => ({ kind: 'ip', value, reason, created_at: at });
    // As an earlier version stored them: only lower-cased.
    await db('blocklist').insert([
      row('2001:0db8:0:0::6', 'long form'),
      row('::ffff:3c00:9', 'mapped, hex'),
      row('10.0.0.1', 'already canonical'),
      row('2001:db8::7', 'canonical twin'),
      row('2001:0db8::7', 'its long form'),
    ]);
    const before = await db('protection_revisions').where({ name: 'blocklist' }).first();
    await db.transaction(async (trx) => {
      await blocklistIpCanonicalMigration.up(trx);
    });
    const rows = await db('blocklist').where({ kind: 'ip' }).orderBy('value').select('value', 'reason');
    expect(rows).toEqual([
      { value: '10.0.0.1', reason: 'already canonical' },
      { value: '2001:db8::6', reason: 'long form' },
      { value: '2001:db8::7', reason: 'canonical twin' },
      { value: '60.0.0.9', reason: 'mapped, hex' },
    ]);
    const after = await db('protection_revisions').where({ name: 'blocklist' }).first();
    expect(Number(after.revision)).toBe(Number(before?.revision ?? 0) + 1);
  });

  it('closes the dead letters of grants already void or delivered, and only those', async () => {
    const { db } = ledger.current;
    const outbox = new KnexOutboxStore();
    const at = new Date('2026-11-26T00:00:00Z');
    const dead = async (userId: string, status: 'void' | 'delivered' | 'dead') => {
      const grant = await insertGrant(db, { userId });
      if (status === 'void') await grants.void(db, grant.id, 'paid another way', at);
      else await grants.setStatus(db, grant.id, status, at);
      const id = `o-${userId}`;
      await outbox.insert(db, { id, grantId: grant.id, kind: 'deliver', payload: {}, createdAt: at });
      await outbox.claim(db, { relayId: 'relay-1', limit: 1, now: at, leaseMs: 60_000 });
      await outbox.deadLetter(db, { id, relayId: 'relay-1', attempts: 1 }, at, 'retries ran out');
      return id;
    };
    const voided = await dead('dl-void', 'void');
    const delivered = await dead('dl-delivered', 'delivered');
    const waiting = await dead('dl-waiting', 'dead');
    await db.transaction(async (trx) => {
      await closeSettledDeadLettersMigration.up(trx);
    });
    const statuses = Object.fromEntries(
      (await db('outbox').whereIn('id', [voided, delivered, waiting]).select('id', 'status')).map(
        (r: { id: string; status: string }) => [r.id, r.status],
      ),
    );
    expect(statuses).toEqual({ [voided]: 'done', [delivered]: 'done', [waiting]: 'dead' });
  });

  it('adds grants.issuer nullable without a default: rows already there read null, kept by a second run', async () => {
    const { db } = ledger.current;
    const at = new Date('2026-11-26T00:00:00Z');
    const before = await insertGrant(db, { userId: 'issuer-before' });
    const info = await db('grants').columnInfo('issuer');
    expect(info).toMatchObject({ nullable: true, defaultValue: null });
    expect((await grants.get(db, before.id))?.issuer).toBeNull();
    // The relay records it with the outcome; a status change without one (an older instance) leaves it.
    expect(await grants.setStatus(db, before.id, 'delivered', at, 'http://wallet')).toBe(true);
    expect(await grants.setStatus(db, before.id, 'pending', at)).toBe(true);
    await db.transaction(async (trx) => {
      await grantIssuerMigration.up(trx);
    });
    expect(await grants.get(db, before.id)).toMatchObject({ status: 'pending', issuer: 'http://wallet' });
  });

  it('names migrations by timestamp, in order', () => {
    const names = ledgerMigrations.map((m) => m.name);
    for (const name of names) expect(name).toMatch(/^\d{14}_[a-z_]+$/);
    expect([...names].sort()).toEqual(names);
  });
});
