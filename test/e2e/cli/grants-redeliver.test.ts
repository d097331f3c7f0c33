/**
 * `pocket grants redeliver` as a process against the embedded SQLite ledger: it refuses (exit 1, one line; a
 * JSON error under --format json) a grant that is unknown or still pending, puts a dead grant back in the queue
 * with the same key, audited with who and why and its delivery_dead discrepancy resolved, saying the money at
 * stake (text and JSON), after which `worker --once` delivers it and a second redelivery is refused.
 */
import { KnexGrantStore } from '../../../src/ledger/knex-grant-store';
import { KnexOutboxStore } from '../../../src/ledger/knex-outbox-store';
import { KnexDiscrepancyStore } from '../../../src/reconciliation/knex-discrepancy-store';
import { AT, TINY } from '../../helpers/delivery';
import { useEmbeddedGrants } from './embedded-grants';
import { json } from './run-pocket';

describe('pocket grants redeliver against the embedded ledger', () => {
  const embedded = useEmbeddedGrants({
    dirPrefix: 'pocket-cli-redeliver-',
    author: 'alice',
    userPrefix: 'redeliver',
    count: 3,
  });
  const { run, withDb } = embedded;
  let dead: string;
  let pending: string;
  let deadToo: string;

  beforeAll(async () => {
    // The relay gave up on two grants: dead-lettered after 12 attempts, each with its open discrepancy.
    await withDb(async (db) => {
      const outbox = new KnexOutboxStore();
      const [claimed] = await outbox.claim(db, { relayId: 'relay-1', limit: 1, now: AT, leaseMs: 60_000 });
      if (claimed?.status !== 'pending' || claimed.attempts !== 1) throw new Error('no grant was claimed');
      dead = claimed.grantId;
      [pending = '', deadToo = ''] = embedded.ids.filter((id) => id !== dead);
      for (const id of [dead, deadToo]) {
        const entry = await outbox.findByGrant(db, id);
        if (!entry) throw new Error(`grant ${id} has no outbox entry`);
        await db('outbox').where({ id: entry.id }).update({ attempts: 12, locked_by: 'relay-1' });
        await outbox.deadLetter(db, { id: entry.id, relayId: 'relay-1', attempts: 12 }, AT, 'HTTP 503');
        await new KnexGrantStore().setStatus(db, id, 'dead', AT);
        await new KnexDiscrepancyStore().record(db, {
          runId: null,
          kind: 'delivery_dead',
          campaignId: TINY,
          grantId: id,
          details: { attempts: 12, lastError: 'HTTP 503' },
          status: 'open',
          createdAt: AT,
        });
      }
    });
  });

  it('is listed under grants', async () => {
    const help = await run('grants', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/redeliver \[options\] <grantId>/);
  });

  it('refuses an unknown or a pending grant with exit 1 and one line', async () => {
    const missing = await run('grants', 'redeliver', 'no-such-grant');
    expect([missing.code, missing.stdout, missing.stderr]).toEqual([
      1,
      '',
      'pocket: grant no-such-grant does not exist\n',
    ]);
    const waiting = await run('grants', 'redeliver', pending, '--format', 'json');
    expect(waiting.code).toBe(1);
    expect(waiting.stderr).toMatch(new RegExp(`^pocket: grant ${pending} is still pending delivery .*\\n$`));
    expect(waiting.stderr.split('\n')).toHaveLength(2);
    expect(json(waiting)).toEqual({
      error: { code: 'delivery_pending', message: expect.stringMatching(/still pending delivery/) },
    });
    const badFormat = await run('grants', 'redeliver', dead, '--format', 'yaml');
    expect(badFormat.code).toBe(2);
  });

  it('puts a dead grant back in the queue, audited; the worker delivers it; a second time is refused', async () => {
    const text = await run('grants', 'redeliver', dead, '--reason', 'wallet fixed');
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      new RegExp(
        `^redelivery scheduled for grant ${dead} \\(${TINY}, user u-redeliver-\\d, rp\\) — was dead after 12 attempts\\n`,
      ),
    );
    // The money at stake, the budget charge in its currency: a packet of 100 fen costs the budget 1.00 CNY.
    expect(text.stdout.split('\n')[1]).toBe('money at stake: charged to the budget 1.00 CNY');
    expect(text.stdout).toMatch(/last error: HTTP 503/);
    expect(text.stdout).toMatch(/discrepancies resolved: 1/);
    const rows = await withDb(async (db) => ({
      outbox: await db('outbox').where({ grant_id: dead }).first(),
      grant: await db('grants').where({ id: dead }).first(),
      audit: await db('audit_log').where({ action: 'grant.redeliver', subject: dead }).first(),
      discrepancy: await db('discrepancies').where({ grant_id: dead }).first(),
    }));
    expect(rows.outbox).toMatchObject({ status: 'pending', attempts: 0, locked_by: null });
    expect(rows.grant).toMatchObject({ status: 'pending' });
    expect(rows.audit).toMatchObject({ actor: 'alice', campaign_id: TINY });
    expect(JSON.parse(String(rows.audit.details))).toMatchObject({ reason: 'wallet fixed', attempts: 12 });
    expect(rows.discrepancy).toMatchObject({
      status: 'resolved',
      resolution: 'redelivery requested by alice: wallet fixed',
    });

    // JSON gives the same money on top, as reconcile and discrepancies list do: charge (minor units), currency.
    const asJson = await run('grants', 'redeliver', deadToo, '--format', 'json');
    expect([asJson.code, asJson.stderr]).toEqual([0, '']);
    expect(json(asJson)).toMatchObject({
      charge: 100,
      currency: 'CNY',
      grant: { id: deadToo, amount: 100, charge: 100, currency: 'CNY', status: 'pending' },
      previousStatus: 'dead',
      resolvedDiscrepancies: 1,
      // This shell sets no ISSUER_RED_PACKET_URL: where the worker sends it is the worker's to say.
      sendTo: null,
    });

    const once = await run('worker', '--once', '--format', 'json');
    expect(once.code).toBe(0);
    expect(json<{ relay: Record<string, number> }>(once).relay).toMatchObject({ claimed: 3, delivered: 3 });
    const issued = await withDb((db) => db('sandbox_issued').where({ grant_id: dead }).first());
    expect(issued).toMatchObject({ grant_id: dead });

    const again = await run('grants', 'redeliver', dead, '--actor', 'bob', '--format', 'json');
    expect(again.code).toBe(1);
    expect(json(again)).toEqual({
      error: { code: 'grant_delivered', message: `grant ${dead} was already delivered: the issuer has it` },
    });
    expect(again.stderr).toBe(`pocket: grant ${dead} was already delivered: the issuer has it\n`);
  });
});
