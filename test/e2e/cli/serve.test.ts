/**
 * `pocket serve` outside production with LOG_LEVEL=warn: the boot warnings (anonymous participations accepted,
 * risk checks skipped) are pino lines at level warn (40), so they still show when info lines are dropped.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, FIXTURE_ROOT, REPO_ROOT } from './run-pocket';

jest.setTimeout(120_000);

interface LogLine {
  level: number;
  msg: string;
}

/** Runs `pocket serve` until its stdout shows `until`, then stops it with SIGTERM; returns the log lines. */
function serveUntil(env: NodeJS.ProcessEnv, until: string): Promise<LogLine[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'serve'], {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      if (stdout.includes(until)) child.kill('SIGTERM');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      if (!stdout.includes(until)) {
        reject(new Error(`serve never logged "${until}"; stderr:\n${stderr}`));
        return;
      }
      resolve(
        stdout
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line) as LogLine),
      );
    });
  });
}

describe('pocket serve boot warnings', () => {
  let dataDir: string;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'pocket-serve-'));
  });
  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('logs "anonymous participations are accepted" at warn level, visible with LOG_LEVEL=warn', async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NO_COLOR: '1',
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      PORT: '0',
      POCKET_DATA_DIR: dataDir,
      POCKET_DEFINITIONS: FIXTURE_ROOT,
      POCKET_WORKER: 'false',
    };
    for (const name of ['DATABASE_URL', 'REDIS_URL', 'RISK_URL', 'NODE_OPTIONS']) delete env[name];

    const lines = await serveUntil(env, 'RISK_URL is not set');

    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 40,
        msg: expect.stringContaining('anonymous participations are accepted') as unknown,
      }),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 40,
        msg: expect.stringContaining('risk checks of campaigns with a risk policy are skipped') as unknown,
      }),
    );
    // POCKET_WORKER=false: nothing in this process delivers grants, and the operator is told so.
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 40,
        msg: expect.stringContaining('no delivery worker in this process: run `pocket worker`') as unknown,
      }),
    );
    // LOG_LEVEL=warn is honoured: the info lines of the banner are not there.
    expect(lines.filter((l) => l.level < 40)).toEqual([]);
  });
});
