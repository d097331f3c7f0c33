/**
 * The package as npm ships it (`npm pack`), which an operators' repository installs and runs as `npx pocket`.
 * It holds everything pocket reads at run time, found from the package rather than the working directory (the
 * schemas, openapi.json, the dashboard's files, the compiled migrations), and none of the tests, their compiled
 * copies, CI's script or the development configs: without a "files" list npm shipped all of them (1,943 files).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, liveCampaignYaml } from './run-pocket';

jest.setTimeout(120_000);

/** The files `npm pack` puts in the tarball, as paths relative to the package root. */
function packedFiles(): string[] {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const [pack] = JSON.parse(out) as Array<{ files: Array<{ path: string }> }>;
  return (pack?.files ?? []).map((f) => f.path).sort();
}

/** Node's environment for a child: this process's, without Jest's loader or the services' variables. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...extra };
  for (const name of ['NODE_OPTIONS', 'DATABASE_URL', 'REDIS_URL', 'POCKET_DEFINITIONS', 'POCKET_DATA_DIR'])
    delete env[name];
  return env;
}

describe('the npm package', () => {
  it('ships the runtime files and nothing of the tests, CI or the development setup', () => {
    const files = packedFiles();
    const expected = [
      'package.json',
      'README.md',
      'LICENSE',
      'dist/cli/index.js',
      'dist/src/server.js',
      'dist/src/http/openapi.json',
      ...readdirSync(join(REPO_ROOT, 'schemas')).map((f) => `schemas/${f}`),
      ...readdirSync(join(REPO_ROOT, 'dist/schemas')).map((f) => `dist/schemas/${f}`),
      ...readdirSync(join(REPO_ROOT, 'src/observability/dashboard')).map(
        (f) => `src/observability/dashboard/${f}`,
      ),
      ...readdirSync(join(REPO_ROOT, 'src/ledger/migrations')).map(
        (f) => `dist/src/ledger/migrations/${f.replace(/\.ts$/, '.js')}`,
      ),
    ];
    expect(files).toEqual(expect.arrayContaining(expected));
    const outside = files.filter(
      (f) =>
        !/^(dist\/(src|cli|schemas)\/|schemas\/|src\/observability\/dashboard\/|package\.json$|README\.md$|LICENSE$)/.test(
          f,
        ),
    );
    expect(outside).toEqual([]);
  });

  describe('installed, run from a directory holding only campaigns/', () => {
    let dir: string;
    let child: ChildProcess | undefined;
    const bin = (): string => join(dir, 'package', 'dist', 'cli', 'index.js');
    const ops = (): string => join(dir, 'ops');

    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'pocket-package-'));
      const tarball = execFileSync(
        'npm',
        ['pack', '--ignore-scripts', '--silent', '--pack-destination', dir],
        { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
      ).trim();
      execFileSync('tar', ['xzf', join(dir, tarball), '-C', dir]);
      // What `npm install` adds beside the package: its dependencies.
      symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'package', 'node_modules'));
      mkdirSync(join(ops(), 'campaigns'), { recursive: true });
      writeFileSync(join(ops(), 'campaigns', 'packaged.yaml'), liveCampaignYaml('packaged', 'Packaged'));
    });
    afterAll(() => {
      if (child?.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    });

    it('validates against the schemas it ships', () => {
      const out = execFileSync(process.execPath, [bin(), 'validate'], {
        cwd: ops(),
        env: childEnv({}),
        encoding: 'utf8',
      });
      expect(out).toBe('ok: 1 campaign, 0 rules, 0 case files: 0 errors, 0 warnings\n');
    });

    it('serves: the ledger migrated, a participation granted, openapi.json and the dashboard from the package', async () => {
      const running = spawn(process.execPath, [bin(), 'serve'], {
        cwd: ops(),
        env: childEnv({ NODE_ENV: 'development', LOG_LEVEL: 'info', PORT: '0' }),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child = running;
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        const read = (chunk: Buffer): void => {
          out += chunk.toString('utf8');
          const found = /pocket listening on (http:\/\/[^\s"]+)/.exec(out);
          if (found?.[1]) resolve(found[1]);
        };
        running.stdout.on('data', read);
        running.stderr.on('data', read);
        running.on('exit', () => reject(new Error(`serve exited before listening:\n${out}`)));
      });
      const joined = await fetch(`${url}/v1/campaigns/packaged/participations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': 'packaged-1' },
        body: JSON.stringify({ userId: 'u-1', context: { channel: 'app' } }),
      });
      expect(joined.status).toBe(201);
      const refused = await fetch(`${url}/v1/campaigns/packaged/participations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': 'packaged-2' },
        body: JSON.stringify({ userId: 'u-2', surprise: true }),
      });
      expect(refused.status).toBe(400);
      expect(((await (await fetch(`${url}/openapi.json`)).json()) as { openapi: string }).openapi).toBe(
        '3.1.0',
      );
      for (const asset of ['dashboard', 'dashboard/dashboard.js', 'dashboard/dashboard.css'])
        expect([asset, (await fetch(`${url}/${asset}`)).status]).toEqual([asset, 200]);
      running.kill('SIGTERM');
    });
  });
});
