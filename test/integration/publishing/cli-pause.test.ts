/**
 * `pocket pause` and `pocket resume` run as processes against the ledger given by DATABASE_URL, with REDIS_URL
 * set, while two service instances share that ledger and Redis (issue 4: "pause on one instance's CLI → both
 * instances answer paused within 2 s; resume → they grant again"). Neither instance polls, so only the CLI's
 * Redis notice can explain a change they see, and each must see it within 2 s of the CLI's exit.
 *
 * The CLI knows no schema or channel setting: it is pointed at this suite's schema with libpq's PGOPTIONS
 * (`-c search_path=<schema>,public`, which node-postgres honours), and the instances listen on the default
 * changes channel, the one the CLI publishes on.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DEFAULT_CHANGES_CHANNEL } from '../../../src/publishing/change-notifier';
import type { Pocket } from '../../../src/server';
import { pocket, type PocketRun } from '../../e2e/cli/run-pocket';
import { createBackends, createTestPocket, removeDir, type TestBackends } from '../../helpers/pocket';
import { describeWithServices } from '../../helpers/services';
import {
  AT,
  CAMPAIGN,
  createDefinitionsRepo,
  eventually,
  participate,
  PICKUP_LIMIT_MS,
  pickedUp,
  publishOptions,
  type DefinitionsRepo,
} from './publishing-fixtures';

describeWithServices(['DATABASE_URL', 'REDIS_URL'], 'pocket pause/resume on PostgreSQL + Redis', () => {
  let backends: TestBackends;
  let repo: DefinitionsRepo;
  let dataDir: string;
  let a: Pocket;
  let b: Pocket;
  let env: Record<string, string | undefined>;
  const cleanup: Array<() => Promise<void> | void> = [];

  const cli = (...args: string[]): Promise<PocketRun> =>
    pocket([...args, '--root', repo.root], { cwd: repo.root, env });
  const stateOf = async (p: Pocket): Promise<string | null> => {
    const res = await request(p.app).get(`/v1/campaigns/${CAMPAIGN}`);
    return (res.body as { state?: string }).state ?? null;
  };
  /** [action, actor] of this campaign's audit rows in the suite's schema, oldest first. */
  const audited = async (): Promise<string[][]> => {
    const rows = (await backends.ledger
      .db('audit_log')
      .where({ campaign_id: CAMPAIGN })
      .orderBy('id')) as Array<{
      action: string;
      actor: string;
    }>;
    return rows.map((r) => [r.action, r.actor]);
  };

  beforeAll(async () => {
    backends = await createBackends('postgres+redis');
    cleanup.push(() => backends.destroy());
    repo = createDefinitionsRepo();
    cleanup.push(() => repo.remove());
    dataDir = mkdtempSync(join(tmpdir(), 'pocket-cli-pause-'));
    cleanup.push(() => removeDir(dataDir));
    const { rows } = (await backends.ledger.db.raw('SELECT current_schema() AS schema')) as {
      rows: Array<{ schema: string }>;
    };
    const schema = rows[0]?.schema;
    if (!schema?.startsWith('ledger_')) throw new Error(`not the suite's schema: ${String(schema)}`);
    env = {
      DATABASE_URL: process.env.DATABASE_URL,
      REDIS_URL: process.env.REDIS_URL,
      PGOPTIONS: `-c search_path=${schema},public`,
      POCKET_DATA_DIR: dataDir,
      POCKET_AUTHOR: 'ops-cli',
      POCKET_SERVER: undefined,
      POCKET_TOKEN: undefined,
      LOG_LEVEL: 'silent',
    };
    const instance = async (): Promise<Pocket> => {
      const started = await createTestPocket(backends, {
        clock: () => AT,
        refreshMs: 2 ** 31 - 1, // never (the longest timer Node allows, 24 days)
        changesChannel: DEFAULT_CHANGES_CHANNEL,
        config: {
          definitionsRoot: repo.root,
          publishOnStart: false,
          redisUrl: process.env.REDIS_URL ?? null,
        },
      });
      cleanup.unshift(() => started.close());
      return started;
    };
    a = await instance();
    b = await instance();
    await a.lifecycle.publish(await repo.resolved(), publishOptions());
  });
  afterAll(async () => {
    for (const step of cleanup) await step();
  });

  it('serves version 1 on both instances before the pause', async () => {
    for (const p of [a, b]) {
      expect(
        await eventually(
          () => participate(p.app),
          (j) => j.outcome === 'granted',
        ),
      ).toMatchObject({ status: 201, outcome: 'granted', version: 1 });
    }
  });

  it('a pause from the CLI makes both instances answer paused within 2 s, recorded in that ledger', async () => {
    const paused = await cli('pause', CAMPAIGN, '--note', 'incident');
    const since = Date.now();
    expect(paused).toEqual({ code: 0, stdout: `${CAMPAIGN}: paused (active version 1)\n`, stderr: '' });
    const answers = await Promise.all(
      [a, b].map((p) =>
        pickedUp(
          since,
          () => participate(p.app),
          (j) => j.outcome === 'paused',
        ),
      ),
    );
    for (const answer of answers) {
      expect(answer.value).toMatchObject({ status: 200, outcome: 'paused' });
      expect(answer.ms).toBeLessThan(PICKUP_LIMIT_MS);
    }
    expect(await audited()).toEqual([
      ['publish', 'pocket serve'],
      ['pause', 'ops-cli'],
    ]);
  });

  it('a resume from the CLI makes both instances grant again within 2 s', async () => {
    expect(await Promise.all([a, b].map(stateOf))).toEqual(['paused', 'paused']);
    const resumed = await cli('resume', CAMPAIGN);
    const since = Date.now();
    expect(resumed).toEqual({ code: 0, stdout: `${CAMPAIGN}: resumed (active version 1)\n`, stderr: '' });
    const states = await Promise.all(
      [a, b].map((p) =>
        pickedUp(
          since,
          () => stateOf(p),
          (s) => s === 'live',
        ),
      ),
    );
    expect(states.map((s) => s.value)).toEqual(['live', 'live']);
    for (const s of states) expect(s.ms).toBeLessThan(PICKUP_LIMIT_MS);
    expect((await audited()).at(-1)).toEqual(['resume', 'ops-cli']);
    for (const p of [a, b]) {
      expect(await participate(p.app)).toMatchObject({ status: 201, outcome: 'granted', version: 1 });
    }
  });
});
