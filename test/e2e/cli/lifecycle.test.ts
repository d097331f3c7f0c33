/**
 * The lifecycle verbs run as processes against the embedded SQLite ledger: publish (checks, no-op, --force),
 * versions, diff, rollback, pause/resume and audit, with their exit codes, stdout/stderr and JSON output.
 * Grants are made by a pocket started in this process on the same SQLite file.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { silentLogger } from '../../../src/observability/logger';
import { createPocket } from '../../../src/server';
import { testConfig } from '../../helpers/pocket';
import { copyRepo, FIXTURE_ROOT, json, pocket, type PocketRun, type RepoCopy } from './run-pocket';

const AT = new Date('2026-11-21T12:00:00+08:00');

describe('pocket lifecycle verbs against the embedded ledger', () => {
  let repo: RepoCopy;
  let dataDir: string;
  let env: Record<string, string | undefined>;
  const run = (...args: string[]): Promise<PocketRun> =>
    pocket(['--root', repo.root, ...args], { cwd: repo.root, env });

  beforeAll(() => {
    repo = copyRepo(FIXTURE_ROOT);
    dataDir = mkdtempSync(join(tmpdir(), 'pocket-cli-ledger-'));
    env = {
      POCKET_DATA_DIR: dataDir,
      POCKET_AUTHOR: 'alice',
      GIT_COMMIT: 'c0ffee',
      GITHUB_SHA: undefined,
      DATABASE_URL: undefined,
      REDIS_URL: undefined,
      POCKET_SERVER: undefined,
      POCKET_TOKEN: undefined,
      LOG_LEVEL: 'silent',
    };
  });
  afterAll(() => {
    repo.remove();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Three newcomers take all three coupon-5 through a pocket on the same SQLite file. */
  async function grantThreeCoupons(): Promise<void> {
    const users = ['n1', 'n2', 'n3'];
    writeFileSync(
      join(dataDir, 'profiles.jsonl'),
      users.map((userId) => JSON.stringify({ userId, profile: { registeredDays: 1 } })).join('\n'),
    );
    const config = {
      ...testConfig({ POCKET_DATA_DIR: dataDir, POCKET_DEFINITIONS: repo.root }),
      publishOnStart: false,
    };
    const service = await createPocket(config, { logger: silentLogger(), clock: () => AT });
    try {
      await service.start();
      for (const userId of users) {
        const res = await request(service.app)
          .post('/v1/campaigns/shop-week/participations')
          .set('Idempotency-Key', randomUUID())
          .send({ userId, context: { channel: 'app' } });
        expect(res.body).toMatchObject({ outcome: 'granted', grant: { rewardId: 'coupon-5' } });
      }
    } finally {
      await service.close();
    }
  }

  it('publishes version 1, then says an unchanged publish is a no-op', async () => {
    const first = await run('publish', '--note', 'launch', '--format', 'json');
    expect(first.code).toBe(0);
    expect(first.stderr).toBe('');
    expect(json(first)).toEqual({
      results: [
        {
          campaignId: 'shop-week',
          status: 'published',
          version: 1,
          previous: null,
          reactivated: false,
          warnings: [],
          paused: false,
        },
      ],
      definitionWarnings: [],
    });
    const again = await run('publish');
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(
      'shop-week: unchanged, version 1 stays active\nnothing to publish: no campaign changed\n',
    );
  });

  it('diffs the local files against the active version, as text and JSON', async () => {
    const same = await run('diff', 'shop-week');
    expect(same).toMatchObject({ code: 0, stdout: 'shop-week: the local files equal active version 1\n' });
    repo.replace('campaigns/shop-week.yaml', 'cost: 200, stock: 3', 'cost: 200, stock: 2');
    const [text, data, unknown, typo, capitals] = await Promise.all([
      run('diff', 'shop-week'),
      run('diff', 'shop-week', '--format', 'json'),
      run('diff', 'nope'),
      run('diff', 'shop-weak'),
      run('diff', 'Shop-Week'),
    ]);
    expect(text.code).toBe(0);
    expect(text.stdout).toBe('shop-week: local files against active version 1\n~ rewards[1].stock: 3 → 2\n');
    expect(json(data)).toEqual({
      campaignId: 'shop-week',
      activeVersion: 1,
      changed: true,
      changes: [{ kind: 'changed', path: 'rewards[1].stock', from: 3, to: 2 }],
    });
    expect(unknown).toMatchObject({
      code: 1,
      stderr: 'pocket: unknown campaign "nope" (known: shop-week)\n',
    });
    // As the other verbs: the closest id for a typo, a usage error for one that is no id.
    expect(typo.stderr).toBe(
      'pocket: unknown campaign "shop-weak" (did you mean "shop-week"?) (known: shop-week)\n',
    );
    expect(capitals.code).toBe(2);
    expect(capitals.stderr).toMatch(/"Shop-Week" is not a campaign id: .*\(did you mean "shop-week"\?\)/);
  });

  it('refuses a stock cut below what is granted (exit 1, nothing written), and --force publishes it', async () => {
    await grantThreeCoupons();
    const refused = await run('publish');
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toBe(
      'pocket: refused; nothing was written:\n' +
        '  shop-week: rewards[1].stock (coupon-5): 3 → 2 is below the 3 already granted (--force accepts this)\n',
    );
    const asJson = await run('publish', '--format', 'json');
    expect(asJson.code).toBe(1);
    expect(json(asJson)).toMatchObject({
      error: {
        code: 'activation_refused',
        refusals: [{ campaignId: 'shop-week', code: 'stock_below_used' }],
      },
    });
    expect(json(await run('versions', 'shop-week', '--format', 'json'))).toMatchObject({ activeVersion: 1 });

    // More red packets than the budget pays for: validate's warning is repeated by publish, at its position.
    repo.replace('campaigns/shop-week.yaml', 'max: 300 }, stock: 300', 'max: 300 }, stock: 400');
    const forced = await run('publish', '--force', '--note', 'fewer coupons');
    expect(forced.code).toBe(0);
    expect(forced.stdout).toBe('shop-week: published version 2, was version 1\n');
    expect(forced.stderr.split('\n')).toEqual([
      expect.stringMatching(
        /campaigns\/shop-week\.yaml:\d+:\d+: warning: rewards\[0\]\.stock: stock × maximum charge \(400 × 300 = 120000\) is above budget\.total \(100000\)/,
      ),
      expect.stringMatching(/^warning: shop-week: rewards\[1\]\.stock \(coupon-5\): 3 → 2 is below/),
      '',
    ]);
  });

  it('lists versions with author, commit and note', async () => {
    const [asJson, text, never] = await Promise.all([
      run('versions', 'shop-week', '--format', 'json'),
      run('versions', 'shop-week'),
      run('versions', 'never-published'),
    ]);
    const data = json<{ activeVersion: number; paused: boolean; versions: Array<Record<string, unknown>> }>(
      asJson,
    );
    expect(data).toMatchObject({ activeVersion: 2, paused: false });
    expect(
      data.versions.map((v) => [v['version'], v['active'], v['author'], v['gitCommit'], v['note']]),
    ).toEqual([
      [2, true, 'alice', 'c0ffee', 'fewer coupons'],
      [1, false, 'alice', 'c0ffee', 'launch'],
    ]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      /^shop-week: active version 2\n\nversion +active +published +author +commit +note\n/,
    );
    expect(never.code).toBe(1);
    expect(never.stderr).toBe(
      'pocket: campaign "never-published" was never published (campaign_not_found)\n',
    );
  });

  it('rolls back to an earlier version, and refuses an unknown one or a bad --to', async () => {
    const back = await run('rollback', 'shop-week', '--to', '1', '--note', 'undo the cut');
    expect(back).toMatchObject({ code: 0, stdout: 'shop-week: version 1 is active again (was version 2)\n' });
    const again = await run('rollback', 'shop-week', '--to', '1', '--format', 'json');
    expect(json(again)).toMatchObject({ changed: false, activeVersion: 1 });
    const [missing, bad] = await Promise.all([
      run('rollback', 'shop-week', '--to', '9'),
      run('rollback', 'shop-week', '--to', 'latest'),
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(
      'pocket: campaign "shop-week" has no version 9: it has versions 1 to 2 (pocket versions shop-week lists ' +
        'them) (version_not_found)\n',
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('pocket: --to must be a version number (got "latest")\n');
  });

  it('pauses and resumes; a second pause changes nothing', async () => {
    expect(await run('pause', 'shop-week', '--note', 'incident')).toMatchObject({
      code: 0,
      stdout: 'shop-week: paused (active version 1)\n',
    });
    expect((await run('pause', 'shop-week')).stdout).toBe('shop-week: already paused; nothing changed\n');
    expect(json(await run('versions', 'shop-week', '--format', 'json'))).toMatchObject({ paused: true });
    expect(await run('resume', 'shop-week')).toMatchObject({
      code: 0,
      stdout: 'shop-week: resumed (active version 1)\n',
    });
  });

  it('a typo of a published campaign names the one it is closest to, in every verb', async () => {
    const typos = await Promise.all([
      run('versions', 'shop-wek'),
      run('pause', 'shop-weak'),
      run('resume', 'shopweek'),
      run('rollback', 'shop-weeks', '--to', '1'),
      run('audit', 'shop-wee'),
      run('report', 'shop-weak'),
    ]);
    expect(typos.map((r) => [r.code, r.stderr])).toEqual(
      ['shop-wek', 'shop-weak', 'shopweek', 'shop-weeks', 'shop-wee', 'shop-weak'].map((id) => [
        1,
        `pocket: campaign "${id}" was never published (did you mean "shop-week"?) (campaign_not_found)\n`,
      ]),
    );
  });

  it('shows every change in the audit log', async () => {
    const data = json<{ entries: Array<Record<string, unknown>> }>(await run('audit', '--format', 'json'));
    expect(
      data.entries.map((e) => [e['action'], e['actor'], e['campaignId'], e['fromVersion'], e['toVersion']]),
    ).toEqual([
      ['resume', 'alice', 'shop-week', 1, 1],
      ['pause', 'alice', 'shop-week', 1, 1],
      ['rollback', 'alice', 'shop-week', 2, 1],
      ['publish', 'alice', 'shop-week', 1, 2],
      ['publish', 'alice', 'shop-week', null, 1],
    ]);
    expect(data.entries[1]?.['details']).toMatchObject({ note: 'incident' });
    expect(data.entries[3]?.['details']).toMatchObject({ force: true, gitCommit: 'c0ffee' });
    const text = await run('audit', 'shop-week', '--limit', '2');
    expect(text.code).toBe(0);
    expect(
      text.stdout
        .split('\n')
        .slice(2, 4)
        .map((l) => l.split(/ {2,}/).slice(2, 6)),
    ).toEqual([
      ['alice', 'resume', 'shop-week', 'v1'],
      ['alice', 'pause', 'shop-week', 'v1'],
    ]);
    // A typo is not a campaign with a clean history: the same answer as every other verb gives.
    expect(await run('audit', 'other-campaign')).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'pocket: campaign "other-campaign" was never published (campaign_not_found)\n',
    });
  });

  it('with Redis unreachable, a change warns that services poll; a read neither warns nor waits for it', async () => {
    const down = { ...env, REDIS_URL: 'redis://127.0.0.1:1/0' };
    const cli = (...args: string[]): Promise<PocketRun> =>
      pocket(['--root', repo.root, ...args], { cwd: repo.root, env: down });
    const [versions, audit, diff] = await Promise.all([
      cli('versions', 'shop-week'),
      cli('audit', 'shop-week'),
      cli('diff', 'shop-week'),
    ]);
    for (const read of [versions, audit, diff]) expect(read).toMatchObject({ code: 0, stderr: '' });
    const warning =
      'warning: Redis is unreachable: running services pick the change up by polling (about 1 s)\n';
    expect(await cli('pause', 'shop-week')).toMatchObject({
      code: 0,
      stdout: 'shop-week: paused (active version 1)\n',
      stderr: warning,
    });
    expect(await cli('resume', 'shop-week')).toMatchObject({ code: 0, stderr: warning });
  });

  it('records a blank --note as none, where the history showed an empty `note:`', async () => {
    expect((await run('pause', 'shop-week', '--note', ' ')).code).toBe(0);
    const [latest] = json<{ entries: Array<{ action: string; details: Record<string, unknown> }> }>(
      await run('audit', 'shop-week', '--limit', '1', '--format', 'json'),
    ).entries;
    expect([latest?.action, latest?.details['note']]).toEqual(['pause', null]);
    expect((await run('audit', 'shop-week', '--limit', '1')).stdout).not.toContain('note:');
    expect((await run('resume', 'shop-week')).code).toBe(0);
  });

  it('a publish while paused says the campaign is still paused (a publish never resumes)', async () => {
    const own = mkdtempSync(join(tmpdir(), 'pocket-paused-publish-'));
    try {
      const cli = (...args: string[]): Promise<PocketRun> =>
        pocket(['--root', FIXTURE_ROOT, ...args], { env: { ...env, POCKET_DATA_DIR: own } });
      expect((await cli('publish')).code).toBe(0);
      expect((await cli('pause', 'shop-week')).code).toBe(0);
      // The campaign looked live again after a publish: nothing said the overlay was still on.
      expect(await cli('publish')).toMatchObject({
        code: 0,
        stdout:
          'shop-week: unchanged, version 1 stays active\nnothing to publish: no campaign changed\n' +
          'shop-week is still paused: `pocket resume shop-week` reopens it\n',
      });
      expect(json(await cli('publish', '--format', 'json'))).toMatchObject({
        results: [{ campaignId: 'shop-week', status: 'unchanged', paused: true }],
      });
    } finally {
      rmSync(own, { recursive: true, force: true });
    }
  });
});
