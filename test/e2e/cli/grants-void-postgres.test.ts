/**
 * `pocket grants void` on a shared PostgreSQL ledger from a shell that sets no REDIS_URL, as an on-call engineer
 * runs it from a laptop: the grant is voided and audited in the ledger, and the text says the hot counters were
 * not given back from here (the worker's real-time reconciliation gives them back), where it once said
 * "(in-memory hot state)" as on the embedded ledger. The JSON says `hotState: "deferred"` with the charge.
 */
import knex, { type Knex } from 'knex';
import { recordedGrants, users } from '../../helpers/delivery';
import { ownSchema, type OwnSchema } from '../../helpers/ledger';
import { describeWithServices } from '../../helpers/services';
import { json, pocket } from './run-pocket';

describeWithServices(['DATABASE_URL'], 'pocket grants void on PostgreSQL without REDIS_URL', () => {
  let schema: OwnSchema;
  let ledger: Knex;
  let databaseUrl: string;

  beforeAll(async () => {
    schema = await ownSchema('void_pg');
    databaseUrl = schema.url;
    ledger = knex({ client: 'pg', connection: databaseUrl, pool: { min: 0, max: 1 } });
  });
  afterAll(async () => {
    await ledger.destroy();
    await schema.drop();
  });

  it('voids and audits the grant, and says the hot counters wait for the worker', async () => {
    const [textId, jsonId] = await recordedGrants({ DATABASE_URL: databaseUrl }, users('void-pg', 2));
    if (!textId || !jsonId) throw new Error('no grants');
    const env = { DATABASE_URL: databaseUrl, REDIS_URL: undefined, POCKET_AUTHOR: 'oncall' };

    const text = await pocket(['grants', 'void', textId, '--reason', 'duplicate account'], { env });
    expect([text.code, text.stderr]).toEqual([0, '']);
    const lines = text.stdout.split('\n');
    expect(lines[0]).toMatch(
      new RegExp(`^voided grant ${textId} \\(tiny-drop, user u-void-pg-\\d, rp\\) — was pending$`),
    );
    expect(lines).toContain(
      'hot counters: not given back from this shell, which sets no REDIS_URL: real-time reconciliation gives ' +
        'them back within a minute (set REDIS_URL to give them back now)',
    );
    expect(text.stdout).not.toContain('in-memory');

    const asJson = await pocket(['grants', 'void', jsonId, '--reason', 'fraud', '--format', 'json'], { env });
    expect([asJson.code, asJson.stderr]).toEqual([0, '']);
    expect(json(asJson)).toMatchObject({
      previousStatus: 'pending',
      hotState: 'deferred',
      grant: { id: jsonId, status: 'void', voidReason: 'fraud' },
      charge: 100,
      currency: 'CNY',
    });

    const rows = (await ledger('grants').whereIn('id', [textId, jsonId]).select('id', 'status')) as Array<{
      status: string;
    }>;
    expect(rows.map((r) => r.status)).toEqual(['void', 'void']);
    const audited = await ledger('audit_log').where({ action: 'grant.void' }).pluck('subject');
    expect([...audited].sort()).toEqual([textId, jsonId].sort());
  });
});
