import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { loadConfig } from '../../../src/config';
import { silentLogger } from '../../../src/observability/logger';
import { createPocket } from '../../../src/server';
import { json, pocket, REPO_ROOT } from './run-pocket';

// Each test runs the CLI as several processes (about 1-3 s each, more on a loaded machine).
jest.setTimeout(180_000);

describe('pocket tokens (embedded ledger in a temporary data directory)', () => {
  let dataDir: string;
  const run = (args: string[]) =>
    pocket(['tokens', ...args], {
      env: { POCKET_DATA_DIR: dataDir, DATABASE_URL: undefined, NODE_ENV: undefined },
    });

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'pocket-tokens-'));
  });
  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates a token, prints it once, lists it without its secret, revokes it; the service honours it', async () => {
    const created = await run(['create', '--scope', 'read,operate', '--name', 'ops laptop']);
    expect(created.code).toBe(0);
    const token = created.stdout.trim();
    expect(token).toMatch(/^pk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(created.stderr).toContain('shown only this once');
    const id = token.slice(3, 19);

    const listed = await run(['list', '--format', 'json']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).not.toContain(token.slice(20));
    expect(json<{ tokens: Array<Record<string, unknown>> }>(listed).tokens).toEqual([
      { id, name: 'ops laptop', scopes: ['read', 'operate'], createdAt: expect.any(String), revokedAt: null },
    ]);
    const table = await run(['list']);
    expect(table.stdout).toMatch(new RegExp(`${id}\\s+ops laptop\\s+read,operate\\s+\\S+\\s+active`));

    const config = loadConfig(
      { POCKET_DATA_DIR: dataDir, POCKET_DEFINITIONS: REPO_ROOT, LOG_LEVEL: 'silent' },
      REPO_ROOT,
    );
    const service = await createPocket({ ...config, publishOnStart: false }, { logger: silentLogger() });
    try {
      const ok = await request(service.app).get('/admin/tokens').set('Authorization', `Bearer ${token}`);
      expect(ok.status).toBe(200);
    } finally {
      await service.close();
    }

    const revoked = await run(['revoke', id]);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout.trim()).toBe(`revoked ${id}`);
    const twice = await run(['revoke', id]);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain(`no active token "${id}"`);
    expect((await run(['list'])).stdout).toMatch(/revoked \d{4}-/);
    // As JSON: the token as revoked; a token that is not active is DELETE /admin/tokens/{id}'s token_not_found.
    const other = (await run(['create', '--scope', 'read'])).stdout.trim().slice(3, 19);
    const asJson = await run(['revoke', other, '--format', 'json']);
    expect(asJson.code).toBe(0);
    expect(json(asJson)).toEqual({
      id: other,
      name: null,
      scopes: ['read'],
      createdAt: expect.any(String),
      revokedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    const again = await run(['revoke', other, '--format', 'json']);
    expect(again.code).toBe(1);
    expect(json(again)).toEqual({
      error: { code: 'token_not_found', message: `no active token "${other}"` },
    });

    const after = await createPocket({ ...config, publishOnStart: false }, { logger: silentLogger() });
    try {
      const refused = await request(after.app).get('/admin/tokens').set('Authorization', `Bearer ${token}`);
      expect(refused.status).toBe(401);
    } finally {
      await after.close();
    }
  });

  it('refuses unknown scopes and mixing participate with admin scopes, with exit code 2', async () => {
    for (const scope of ['root', 'participate,publish']) {
      const res = await run(['create', '--scope', scope]);
      expect(res.code).toBe(2);
      expect(res.stderr).toMatch(/^pocket: --scope: /);
      expect(res.stdout).toBe('');
    }
  });
});
