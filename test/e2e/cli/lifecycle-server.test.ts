/**
 * The lifecycle verbs against a running service (`--server URL --token T`): the CLI validates locally and
 * the service re-validates, writes, records the admin token as actor (the CLI's author beside it) and
 * serves the change at once. Refusals, scopes and a bad token come back as readable failures.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { silentLogger } from '../../../src/observability/logger';
import { startPocket, type RunningPocket } from '../../../src/server';
import { testConfig } from '../../helpers/pocket';
import { copyRepo, FIXTURE_ROOT, json, pocket, type PocketRun, type RepoCopy } from './run-pocket';

describe('pocket lifecycle verbs against a running service', () => {
  let repo: RepoCopy;
  let serverData: string;
  let cliData: string;
  let running: RunningPocket;
  let token: string;
  let readToken: string;
  let tokenId: string;
  const env = (): Record<string, string | undefined> => ({
    POCKET_DATA_DIR: cliData,
    POCKET_AUTHOR: 'bob',
    DATABASE_URL: undefined,
    REDIS_URL: undefined,
    POCKET_SERVER: undefined,
    POCKET_TOKEN: undefined,
    GIT_COMMIT: undefined,
    GITHUB_SHA: undefined,
  });
  const run = (args: string[], over: Record<string, string | undefined> = {}): Promise<PocketRun> =>
    pocket(['--root', repo.root, ...args], { cwd: repo.root, env: { ...env(), ...over } });
  const remote = (...args: string[]): Promise<PocketRun> =>
    run([...args, '--server', running.url, '--token', token]);

  beforeAll(async () => {
    repo = copyRepo(FIXTURE_ROOT);
    serverData = mkdtempSync(join(tmpdir(), 'pocket-cli-server-'));
    cliData = mkdtempSync(join(tmpdir(), 'pocket-cli-local-'));
    const config = {
      ...testConfig({ POCKET_DATA_DIR: serverData, POCKET_DEFINITIONS: repo.root }),
      port: 0,
      publishOnStart: false,
    };
    writeFileSync(
      join(serverData, 'profiles.jsonl'),
      `${JSON.stringify({ userId: 'n1', profile: { registeredDays: 1 } })}\n`,
    );
    const at = new Date('2026-11-21T12:00:00+08:00');
    running = await startPocket(config, { logger: silentLogger(), clock: () => at });
    const created = await running.pocket.tokens.create(['publish', 'read', 'operate'], 'ci');
    token = created.token;
    tokenId = created.summary.id;
    readToken = (await running.pocket.tokens.create(['read'], 'dashboard')).token;
  });
  afterAll(async () => {
    await running?.shutdown();
    repo.remove();
    rmSync(serverData, { recursive: true, force: true });
    rmSync(cliData, { recursive: true, force: true });
  });

  it('publishes through the service, which serves the new version at once', async () => {
    const first = await remote('publish', '--note', 'launch', '--format', 'json');
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(json(first)).toMatchObject({
      results: [{ campaignId: 'shop-week', status: 'published', version: 1 }],
    });
    expect(running.pocket.registry.get('shop-week')?.version).toBe(1);
    const again = await remote('publish');
    expect(again).toMatchObject({ code: 0, stdout: expect.stringContaining('nothing to publish') });
  });

  it('diffs against the service’s active version, publishes the edit, rolls back, pauses and resumes', async () => {
    repo.replace('campaigns/shop-week.yaml', 'cost: 200, stock: 3', 'cost: 200, stock: 30');
    const diff = await remote('diff', 'shop-week');
    expect(diff).toMatchObject({
      code: 0,
      stdout: 'shop-week: local files against active version 1\n~ rewards[1].stock: 3 → 30\n',
    });
    expect(await remote('publish', 'shop-week')).toMatchObject({
      code: 0,
      stdout: 'shop-week: published version 2, was version 1\n',
    });
    expect(await remote('rollback', 'shop-week', '--to', '1')).toMatchObject({ code: 0 });
    expect(running.pocket.registry.get('shop-week')?.version).toBe(1);
    expect(await remote('pause', 'shop-week', '--note', 'incident')).toMatchObject({ code: 0 });
    expect(running.pocket.registry.get('shop-week')?.paused).toBe(true);
    expect(await remote('resume', 'shop-week')).toMatchObject({ code: 0 });
    expect(running.pocket.registry.get('shop-week')?.paused).toBe(false);
  });

  it('lists versions and the audit log, with the admin token as actor and the CLI author beside it', async () => {
    const versions = json<{ activeVersion: number; versions: Array<{ version: number; author: string }> }>(
      await remote('versions', 'shop-week', '--format', 'json'),
    );
    expect(versions.activeVersion).toBe(1);
    expect(versions.versions.map((v) => [v.version, v.author])).toEqual([
      [2, 'bob'],
      [1, 'bob'],
    ]);
    // POCKET_SERVER / POCKET_TOKEN work as well as the options.
    const audit = await run(['audit', 'shop-week', '--format', 'json'], {
      POCKET_SERVER: running.url,
      POCKET_TOKEN: readToken,
    });
    expect(audit.code).toBe(0);
    const entries = json<{ entries: Array<Record<string, unknown>> }>(audit).entries;
    expect(entries.map((e) => [e['action'], e['actor'], e['fromVersion'], e['toVersion']])).toEqual([
      ['resume', `token:${tokenId}`, 1, 1],
      ['pause', `token:${tokenId}`, 1, 1],
      ['rollback', `token:${tokenId}`, 2, 1],
      ['publish', `token:${tokenId}`, 1, 2],
      ['publish', `token:${tokenId}`, null, 1],
    ]);
    expect(entries[1]?.['details']).toMatchObject({ note: 'incident', author: 'bob' });
  });

  it('reports a refusal from the service like a local one, and never sends invalid definitions', async () => {
    const granted = await request(running.pocket.app)
      .post('/v1/campaigns/shop-week/participations')
      .set('Idempotency-Key', randomUUID())
      .send({ userId: 'n1', context: { channel: 'app' } });
    expect(granted.body).toMatchObject({ outcome: 'granted', campaignVersion: 1 });
    repo.replace('campaigns/shop-week.yaml', 'timezone: Asia/Shanghai', 'timezone: UTC');
    const refused = await remote('publish');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      // After the warnings the local check gives (the window, written in +08:00, is not UTC's clock).
      /^pocket: refused; nothing was written:\n {2}shop-week: timezone: Asia\/Shanghai → UTC is refused: the campaign already has 1 grant whose/m,
    );
    const asJson = await remote('publish', '--force', '--format', 'json');
    expect(asJson.code).toBe(1);
    expect(json(asJson)).toMatchObject({
      error: { code: 'activation_refused', refusals: [{ code: 'timezone_changed', forceable: false }] },
    });
    repo.replace('campaigns/shop-week.yaml', 'timezone: UTC', 'timezone: Asia/Shanghai');

    repo.replace('campaigns/shop-week.yaml', 'status: active', 'status: activ');
    const invalid = await remote('publish');
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/^pocket: definitions are invalid: 1 error:\n.*shop-week\.yaml:\d+:\d+/);
    repo.replace('campaigns/shop-week.yaml', 'status: activ', 'status: active');
    expect(running.pocket.registry.get('shop-week')?.version).toBe(1);
  });

  it('refuses a malformed campaign id the same way on both paths, before asking either', async () => {
    // The service answered 400 invalid_request where the ledger said campaign_not_found, and fetch resolved `..`
    // away: `pause ..` asked for POST /admin/pause and got "no route".
    const cases: string[][] = [
      ['versions', 'Shop-week'],
      ['pause', '..'],
      ['rollback', '.', '--to', '1'],
      ['audit', 'shop week', '--format', 'json'],
      ['report', '..'],
      ['grants', 'list', '..'],
    ];
    const runs = await Promise.all(cases.flatMap((args) => [run(args), remote(...args)]));
    const answers = runs.map((r) => ({ code: r.code, stdout: r.stdout, stderr: r.stderr }));
    for (let i = 0; i < answers.length; i += 2) expect(answers[i + 1]).toEqual(answers[i]);
    const rule = 'is not a campaign id: ids are kebab-case (a-z, 0-9 and single hyphens), 1-64 characters';
    expect(answers[0]).toEqual({
      code: 2,
      stdout: '',
      stderr: `pocket: "Shop-week" ${rule} (did you mean "shop-week"?)\n`,
    });
    expect(answers[2]).toEqual({ code: 2, stdout: '', stderr: `pocket: ".." ${rule}\n` });
    expect(answers[6]?.code).toBe(2);
    expect(json(runs[6] as PocketRun)).toEqual({
      error: { code: 'usage', message: `"shop week" ${rule}`, campaign: 'shop week' },
    });
    expect(answers.map((a) => a.code)).toEqual(answers.map(() => 2));
  });

  it('fails readably without the scope, with a bad token, without a token, or when the service is unreachable', async () => {
    const [scoped, bad, none, down] = await Promise.all([
      run(['pause', 'shop-week', '--server', running.url, '--token', readToken]),
      run(['versions', 'shop-week', '--server', running.url, '--token', 'pk_0000000000000000_nope']),
      run(['versions', 'shop-week', '--server', running.url]),
      run(['versions', 'shop-week', '--server', 'http://127.0.0.1:1', '--token', token]),
    ]);
    expect(scoped).toMatchObject({ code: 1, stdout: '' });
    expect(scoped.stderr).toBe('pocket: this token lacks the "operate" scope (forbidden_scope)\n');
    expect(bad).toMatchObject({ code: 1, stderr: 'pocket: invalid admin token (unauthenticated)\n' });
    expect(none).toMatchObject({
      code: 2,
      stderr: 'pocket: --server needs an admin token: --token <token> or POCKET_TOKEN\n',
    });
    expect(down.code).toBe(1);
    // The socket's reason travels with undici's "fetch failed" (port 1 is one fetch refuses to dial).
    expect(down.stderr).toBe('pocket: cannot reach http://127.0.0.1:1: fetch failed (bad port)\n');
  });
});
