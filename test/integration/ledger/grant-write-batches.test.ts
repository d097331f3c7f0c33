/**
 * The participation ledger's grant write (participation + grant + outbox) when many requests write at once.
 * On PostgreSQL the writes waiting at the same time share one statement and one commit; whatever the engine,
 * every write still gets its own answer: a fence, a duplicate key or a failure in one write never decides
 * another write's fate, and a failure answered by the database is a definite rollback (safe to release).
 * Idempotency lookups made at the same time are batched too, and each still finds only its own scope.
 */
import { randomUUID } from 'node:crypto';
import { isPostgres } from '../../../src/ledger/db';
import type { GrantWriteResult } from '../../../src/participation/participation-ledger';
import { describeEachLedger, useLedger } from '../../helpers/ledger';
import { grantWrite, participationLedgerOn, type GrantWriteFixture } from './ledger-fixtures';

describeEachLedger('grant writes under concurrency', (kind) => {
  const ledger = useLedger(kind, { pool: { min: 0, max: 10 } });
  const db = () => ledger.current.db;
  const participationLedger = () => participationLedgerOn(db());

  async function rows(table: string): Promise<number> {
    const row = await db()(table).count({ n: '*' }).first();
    return Number(row?.n ?? 0);
  }

  function recordAll(writes: readonly GrantWriteFixture[]): Promise<GrantWriteResult[]> {
    const l = participationLedger();
    return Promise.all(writes.map((w) => l.recordGrant(w.record, w.draft)));
  }

  it('40 writes at once all commit, each with its participation, grant and outbox row', async () => {
    let statements = 0;
    const count = (): void => {
      statements += 1;
    };
    db().on('query', count);
    const results = await recordAll(Array.from({ length: 40 }, (_, i) => grantWrite(i)));
    db().off('query', count);
    expect(results.every((r) => r.kind === 'committed')).toBe(true);
    expect([await rows('participations'), await rows('grants'), await rows('outbox')]).toEqual([40, 40, 40]);
    // PostgreSQL: one statement per batch, not BEGIN + 3 INSERTs + COMMIT per write.
    if (isPostgres(db())) {
      expect(statements).toBeGreaterThan(0);
      expect(statements).toBeLessThan(10);
    }
  });

  it('a taken stock slot refuses only its own write; the others commit', async () => {
    await recordAll([grantWrite(0, { slot: 7 })]);
    const results = await recordAll(Array.from({ length: 20 }, (_, i) => grantWrite(i + 1, { slot: i + 1 })));
    expect(results[6]).toEqual({ kind: 'fence', resource: 'stock' });
    expect(results.filter((r) => r.kind === 'committed')).toHaveLength(19);
    expect(await rows('grants')).toBe(20);
    expect(await rows('participations')).toBe(20);
  });

  it('one idempotency scope written twice at once: one commits, the other replays its answer', async () => {
    const first = grantWrite(1, { key: 'same', userId: 'twin' });
    const second = grantWrite(2, { key: 'same', userId: 'twin' });
    const others = Array.from({ length: 10 }, (_, i) => grantWrite(i + 10));
    // After the others, so that on PostgreSQL both twins wait and go in the same batch.
    const results = await recordAll([...others, first, second]);
    const twins = results.slice(10).map((r) => r.kind);
    expect(twins.sort()).toEqual(['committed', 'duplicate']);
    const duplicate = results.find((r) => r.kind === 'duplicate');
    const winner = results[10]?.kind === 'committed' ? first : second;
    expect(duplicate).toEqual({
      kind: 'duplicate',
      stored: {
        requestHash: 'h',
        status: 201,
        body: winner.record.body,
        outcome: 'granted',
        campaignVersion: winner.record.campaignVersion,
      },
    });
    expect(results.slice(0, 10).every((r) => r.kind === 'committed')).toBe(true);
    expect(await rows('grants')).toBe(11);
  });

  it('many idempotency lookups at once each find their own stored answer, or none', async () => {
    const writes = Array.from({ length: 12 }, (_, i) => grantWrite(i, { key: `key-${i % 3}` }));
    await recordAll(writes);
    const l = participationLedger();
    const asked = [
      ...writes.map((w) => [w.record.userId, w.record.idempotencyKey] as const),
      ['u1', 'key-0'] as const, // u1 wrote key-1
      ['nobody', 'key-0'] as const,
    ];
    const found = await Promise.all(asked.map(([userId, key]) => l.findStored('c1', userId, key)));
    expect(found.slice(0, 12).map((f) => f?.body)).toEqual(writes.map((w) => w.record.body));
    expect(found.slice(12)).toEqual([null, null]);
    expect(await l.findStored('other-campaign', 'u0', 'key-0')).toBeNull();
  });

  it('a write the database refuses with an error fails alone, as a definite rollback', async () => {
    const boom = randomUUID();
    await db().raw(
      isPostgres(db())
        ? `CREATE OR REPLACE FUNCTION injected_failure() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN IF NEW.grant_id = '${boom}' THEN RAISE EXCEPTION 'injected ledger failure'; END IF;
           RETURN NEW; END $$`
        : `CREATE TRIGGER outbox_injected_failure BEFORE INSERT ON outbox WHEN NEW.grant_id = '${boom}'
           BEGIN SELECT RAISE(ABORT, 'injected ledger failure'); END`,
    );
    if (isPostgres(db())) {
      await db().raw(
        'CREATE TRIGGER outbox_injected_failure BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION injected_failure()',
      );
    }
    try {
      const writes = Array.from({ length: 20 }, (_, i) => grantWrite(i, i === 5 ? { grantId: boom } : {}));
      const results = await recordAll(writes);
      expect(results[5]).toMatchObject({ kind: 'failed', definite: true });
      expect(results.filter((r) => r.kind === 'committed')).toHaveLength(19);
      expect(await db()('participations').where({ grant_id: boom }).first()).toBeUndefined();
      expect(await rows('grants')).toBe(19);
    } finally {
      await db().raw(
        isPostgres(db())
          ? 'DROP TRIGGER outbox_injected_failure ON outbox'
          : 'DROP TRIGGER outbox_injected_failure',
      );
    }
  });
});
