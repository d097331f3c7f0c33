/**
 * Processes that start together on a new data directory (serve beside worker, an operator's verbs in parallel,
 * a script's): each creates the embedded ledger and the generated secrets if missing. One of them used to fail
 * with knex's "Migration table is already locked" (or "table `knex_migrations` already exists") and its advice
 * to run `knex migrate:unlock`, or read secrets.json half-written ("is not JSON"); and two could each generate
 * and use secrets of their own, the last written the only one kept. README, "Install and upgrade".
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURE_ROOT, pocket, REPO_ROOT } from './run-pocket';

jest.setTimeout(120_000);

const ROUNDS = 3;
const PROCESSES = 5;

describe('processes started together on a new data directory', () => {
  const dirs: string[] = [];
  const fresh = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'pocket-first-use-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('all run: one creates the ledger, the others wait for it, and none prints knex’s lock advice', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const dataDir = fresh();
      const env = {
        POCKET_DATA_DIR: dataDir,
        DATABASE_URL: undefined,
        REDIS_URL: undefined,
        LOG_LEVEL: 'silent',
      };
      const runs = await Promise.all(
        Array.from({ length: PROCESSES }, () => pocket(['--root', FIXTURE_ROOT, 'audit'], { env })),
      );
      for (const run of runs) {
        expect([round, run.code, run.stdout, run.stderr]).toEqual([round, 0, 'the audit log is empty\n', '']);
      }
    }
  });

  it('all use the one set of secrets generated, the one kept in secrets.json', async () => {
    // Each child waits for the same instant (asleep, then its last 50 ms awake), then loads its
    // configuration: as close together as processes get.
    const script = `
      const start = Number(process.env.START_AT);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Math.max(0, start - Date.now() - 50));
      while (Date.now() < start);
      const { loadConfig } = require(${JSON.stringify(join(REPO_ROOT, 'dist/src/config'))});
      process.stdout.write(JSON.stringify(loadConfig({ POCKET_DATA_DIR: process.env.DATA_DIR }).secrets));
    `;
    for (let round = 0; round < ROUNDS; round++) {
      const dataDir = fresh();
      const startAt = String(Date.now() + 1500);
      const outputs = await Promise.all(
        Array.from(
          { length: PROCESSES },
          () =>
            new Promise<string>((resolve, reject) => {
              execFile(
                process.execPath,
                ['-e', script],
                { env: { PATH: process.env['PATH'], START_AT: startAt, DATA_DIR: dataDir }, timeout: 30_000 },
                (error, stdout, stderr) =>
                  error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
              );
            }),
        ),
      );
      const kept = JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8')) as Record<string, string>;
      for (const output of outputs) expect([round, JSON.parse(output)]).toEqual([round, kept]);
    }
  });
});
