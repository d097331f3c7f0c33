/**
 * `npm start` under a process manager: npm forwards SIGTERM to the script's shell only, so the script must
 * `exec` node for the signal to reach `pocket serve` (else the shell dies and serve is left orphaned,
 * serving). The script runs as npm runs it (`sh -c`), with a `node` shim first on the PATH that records its pid
 * and execs the real node with the script's arguments (the built dist/, see run-pocket.ts).
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURE_ROOT, REPO_ROOT } from './run-pocket';

jest.setTimeout(60_000);

const startScript = (
  JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  }
).scripts['start'];

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm start', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pocket-npm-start-'));
    writeFileSync(
      join(dir, 'node'),
      `#!/bin/sh\necho $$ > ${join(dir, 'pid')}\nexec ${process.execPath} "$@"\n`,
    );
    chmodSync(join(dir, 'node'), 0o755);
  });
  afterAll(() => {
    const pid = Number(readFileSync(join(dir, 'pid'), 'utf8'));
    if (alive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('passes SIGTERM of the script process to pocket serve, which drains and exits', async () => {
    expect(startScript).toBeDefined();
    const child = spawn('sh', ['-c', startScript ?? ''], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        PATH: `${dir}:${process.env['PATH'] ?? ''}`,
        NODE_OPTIONS: '',
        NODE_ENV: 'development',
        PORT: '0',
        LOG_LEVEL: 'info',
        POCKET_DATA_DIR: join(dir, 'data'),
        POCKET_DEFINITIONS: FIXTURE_ROOT,
        DATABASE_URL: '',
        REDIS_URL: '',
      },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let stdout = '';
    const drained = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 20_000);
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString('utf8');
        if (stdout.includes('pocket listening on')) child.kill('SIGTERM');
        if (stdout.includes('shutting down: draining')) {
          clearTimeout(timer);
          resolve(true);
        }
      });
    });
    expect(await drained).toBe(true);
    // Outside production, this machine only (README Decisions, Protection).
    expect(stdout).toMatch(/"msg":"pocket listening on http:\/\/127\.0\.0\.1:\d+"/);
    // The boot log names the dashboard and the token it asks for: a newcomer found no mention of it.
    expect(stdout).toMatch(
      /"msg":"dashboard: http:\/\/127\.0\.0\.1:\d+\/dashboard \(with an admin token of scope read: pocket tokens create --scope read\)"/,
    );
    const pid = Number(readFileSync(join(dir, 'pid'), 'utf8'));
    // Until it has exited (draining, then stopping the in-process worker and the pools); the deadline only ends a
    // failing test.
    for (const deadline = Date.now() + 20_000; alive(pid) && Date.now() < deadline;)
      await new Promise((r) => setTimeout(r, 100));
    expect(alive(pid)).toBe(false);
  });
});
