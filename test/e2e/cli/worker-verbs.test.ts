/**
 * The worker verbs as processes against the embedded SQLite ledger: `worker --once` delivers to the sandbox
 * issuer and reports the backlog, `reconcile` exits 0 when the sandbox agrees and 1 while a discrepancy is
 * open, `grants void` refuses without a reason (2) or on a delivered grant without --force (1). And the
 * embedded `npm start` runs the worker in-process.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../../src/observability/logger';
import { createPocket } from '../../../src/server';
import { grantsFor, AT, TINY, DEFINITIONS } from '../../helpers/delivery';
import { testConfig } from '../../helpers/pocket';
import { useEmbeddedGrants } from './embedded-grants';
import { CLI, json } from './run-pocket';

const SINCE = new Date(AT.getTime() - 3_600_000).toISOString();

describe('pocket worker, reconcile and grants void against the embedded ledger', () => {
  const embedded = useEmbeddedGrants({
    dirPrefix: 'pocket-cli-worker-',
    author: 'alice',
    userPrefix: 'cli',
    count: 3,
  });
  const { run, withDb } = embedded;
  let ids: string[];

  beforeAll(() => {
    ids = embedded.ids;
  });

  it('worker --once delivers every pending grant to the sandbox and reports an empty backlog', async () => {
    const once = await run('worker', '--once', '--format', 'json');
    expect(once.stderr).toBe('');
    expect(once.code).toBe(0);
    const result = json<{ relay: Record<string, number>; stats: Record<string, number>; realtime: unknown }>(
      once,
    );
    expect(result.relay).toMatchObject({ claimed: 3, delivered: 3, errors: 0 });
    expect(result.stats).toMatchObject({ pending: 0, due: 0, dead: 0, lagMs: 0 });
    expect(result.realtime).toBeNull();
    const sandbox = await withDb((db) => db('sandbox_issued').orderBy('grant_id').pluck('grant_id'));
    expect(sandbox).toEqual(ids);

    const table = await run('worker', '--once');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/relay\s+claimed 0, delivered 0/);
    expect(table.stdout).toMatch(/backlog\s+pending 0, due 0, in flight 0, dead 0, lag 0 ms/);
    expect(table.stdout).toMatch(/real-time reconciliation\s+skipped: the in-memory hot state/);
  });

  it('reconcile exits 0 when the sandbox agrees, 1 while a record unknown to the ledger is open', async () => {
    const clean = await run('reconcile', '--since', SINCE, '--grace', '0', '--format', 'json');
    expect(clean.stderr).toBe('');
    expect(clean.code).toBe(0);
    expect(json(clean)).toMatchObject({ ledgerDelivered: 3, matched: 3, unresolved: 0, found: {} });

    await withDb((db) =>
      db('sandbox_issued').insert({
        grant_id: 'ghost',
        campaign_id: TINY,
        user_id: 'nobody',
        reward_id: 'rp',
        reward_type: 'red_packet',
        amount: 100,
        currency: 'CNY',
        business_date: '2026-11-11',
        test: false,
        issued_at: new Date(),
      }),
    );
    const dirty = await run('reconcile', '--since', SINCE, '--grace', '0');
    expect(dirty.code).toBe(1);
    expect(dirty.stdout).toMatch(/unknown_downstream\s+1/);
    expect(dirty.stdout).toMatch(/1 unresolved/);
    expect(dirty.stdout).toMatch(/sandbox\s+4/);

    await withDb((db) => db('sandbox_issued').where({ grant_id: 'ghost' }).delete());
    const again = await run('reconcile', '--since', SINCE, '--grace', '0', '--format', 'json');
    expect(again.code).toBe(0);
    expect(json(again)).toMatchObject({ unresolved: 0, resolvedEarlier: 1 });
  });

  it('reconcile and grants redeliver do not need Redis: they run while REDIS_URL is down', async () => {
    // Nothing listens on port 1: a Redis outage. Offline reconciliation compares the ledger with the issuers,
    // and used to refuse to start ("cannot reach REDIS_URL") just when an on-call engineer needed it.
    const down = { REDIS_URL: 'redis://127.0.0.1:1/0' };
    const clean = await embedded.runWith(
      down,
      'reconcile',
      '--since',
      SINCE,
      '--grace',
      '0',
      '--format',
      'json',
    );
    expect([clean.code, clean.stderr]).toEqual([0, '']);
    expect(json(clean)).toMatchObject({ unresolved: 0, found: {} });
    const redeliver = await embedded.runWith(down, 'grants', 'redeliver', 'no-such-grant', '--reason', 'x');
    expect(redeliver.code).toBe(1);
    expect(redeliver.stderr).toMatch(/does not exist/);
  });

  it('reconcile and grants void refuse bad options with exit 2', async () => {
    const badTime = await run('reconcile', '--since', 'yesterday-ish');
    expect(badTime.code).toBe(2);
    expect(badTime.stderr).toMatch(/--since must be an ISO 8601 time with its offset/);
    // Without an offset the window would depend on this machine's time zone: refused, nothing reconciled.
    const noOffset = await run('reconcile', '--until', '2026-11-11T10:00:00');
    expect([noOffset.code, noOffset.stderr]).toEqual([
      2,
      'pocket: --until must be an ISO 8601 time with its offset (Z or ±hh:mm), such as 2026-11-11T10:00:00+08:00 (got "2026-11-11T10:00:00")\n',
    ]);
    const empty = await run('reconcile', '--since', new Date(Date.now() + 86_400_000).toISOString());
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/empty window/);
    const noReason = await run('grants', 'void', ids[0] ?? '');
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toMatch(/--reason is required/);
  });

  it('grants void refuses a delivered grant without --force, then voids it and audits who and why', async () => {
    const [id] = ids;
    if (!id) throw new Error('no grant');
    const refused = await run('grants', 'void', id, '--reason', 'duplicate account');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/was delivered: revoke it at the issuer first/);
    const missing = await run('grants', 'void', 'no-such-grant', '--reason', 'x');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/does not exist/);

    const voided = await run(
      'grants',
      'void',
      id,
      '--reason',
      'duplicate account',
      '--force',
      '--format',
      'json',
    );
    expect(voided.stderr).toBe('');
    expect(voided.code).toBe(0);
    expect(json(voided)).toMatchObject({
      previousStatus: 'delivered',
      hotState: 'deferred',
      grant: { id, status: 'void', voidReason: 'duplicate account', charge: 100 },
      // What the budget gets back, on top as redeliver gives its money at stake.
      charge: 100,
      currency: 'CNY',
    });
    const audit = await withDb((db) => db('audit_log').where({ action: 'grant.void', subject: id }).first());
    expect(audit).toMatchObject({ actor: 'alice', campaign_id: TINY });
    const text = await run('grants', 'void', id, '--reason', 'again');
    expect(text.code).toBe(1);
    expect(text.stderr).toMatch(/already void/);
  });

  // The worker signs the webhooks: a WEBHOOK_SECRET_PREVIOUS left set keeps the old secret valid for good.
  it('reminds at start which previous secrets are set, as serve does', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
    const changes = { ...embedded.env, LOG_LEVEL: 'info', WEBHOOK_SECRET_PREVIOUS: 'q'.repeat(32) };
    delete env['NODE_OPTIONS'];
    for (const [name, value] of Object.entries(changes)) {
      if (value === undefined) delete env[name];
      else env[name] = value;
    }
    const worker = spawn(process.execPath, [CLI, 'worker'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    await new Promise<void>((resolve, reject) => {
      worker.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString('utf8');
        if (stderr.includes('pocket worker running')) resolve();
      });
      worker.on('exit', () => reject(new Error(`worker exited before starting:\n${stderr}`)));
    });
    worker.kill('SIGTERM');
    await once(worker, 'exit');
    expect(stderr).toContain(
      'secrets: WEBHOOK_SECRET_PREVIOUS set: what a previous secret signed is still accepted',
    );
  });
});

describe('the embedded service runs the worker in-process', () => {
  it('delivers a grant to the sandbox without any command', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pocket-embedded-worker-'));
    const config = {
      ...testConfig({ POCKET_DATA_DIR: dataDir, POCKET_DEFINITIONS: DEFINITIONS }),
      runWorker: true,
    };
    const service = await createPocket(config, {
      logger: silentLogger(),
      clock: () => AT,
      random: () => 0,
    });
    try {
      await service.start();
      expect(service.delivery.worker.running).toBe(true);
      const [id] = await grantsFor(service, ['u-embedded'], TINY);
      // Polled until a deadline that only ends a failing test: the worker's relay turns come later on a busy host.
      let issued: unknown;
      for (const deadline = Date.now() + 20_000; !issued && Date.now() < deadline;) {
        issued = await service.db('sandbox_issued').where({ grant_id: id }).first();
        if (!issued) await new Promise((r) => setTimeout(r, 50));
      }
      expect(issued).toMatchObject({ grant_id: id, reward_id: 'rp', amount: 100 });
    } finally {
      await service.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
    expect(service.delivery.worker.running).toBe(false);
  });
});
