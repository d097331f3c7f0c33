/**
 * Runs the `pocket` CLI as a real process, the way CI and operators run it, and captures its exit code,
 * stdout and stderr separately.
 *
 * It runs the built CLI, `node dist/cli/index.js`, as the package's `pocket` bin does. Jest's global setup
 * (test/build.global-setup.ts) brings dist/ up to date before any suite starts, so the build is of the current
 * sources and nothing writes to it while suites read it. Through tsx's loader from the TypeScript sources instead,
 * each run took about 0.6 s more, two-fifths of the CLI suites' time.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REPO_ROOT = join(__dirname, '../../..');
/** A small definitions repository with exact, predictable answers (use with `--root`). */
export const FIXTURE_ROOT = join(__dirname, 'definitions');

/** The built CLI: `node CLI …` runs `pocket …`. */
export const CLI = join(REPO_ROOT, 'dist/cli/index.js');

export interface PocketRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `env` adds variables to the inherited environment; a variable set to undefined is removed. */
export function pocket(
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string | undefined> } = {},
): Promise<PocketRun> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env['POCKET_DEFINITIONS'];
  delete env['NODE_OPTIONS'];
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd: options.cwd ?? REPO_ROOT, env, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(error);
          return;
        }
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
  });
}

/** Parses stdout as the one JSON document a `--format json` run prints. */
export function json<T = Record<string, unknown>>(run: PocketRun): T {
  return JSON.parse(run.stdout) as T;
}

/** A throw-away copy of a definitions repository (its campaigns/ and rules/), for breaking files in. */
export interface RepoCopy {
  root: string;
  read(file: string): string;
  write(file: string, text: string): void;
  /** Replaces `from` (which must occur exactly once) and returns the 1-based line and column where `to` starts. */
  replace(file: string, from: string, to: string): { line: number; col: number };
  remove(): void;
}

export function copyRepo(source: string): RepoCopy {
  const root = mkdtempSync(join(tmpdir(), 'pocket-cli-'));
  cpSync(join(source, 'campaigns'), join(root, 'campaigns'), { recursive: true });
  cpSync(join(source, 'rules'), join(root, 'rules'), { recursive: true });
  const read = (file: string): string => readFileSync(join(root, file), 'utf8');
  const write = (file: string, text: string): void => writeFileSync(join(root, file), text);
  return {
    root,
    read,
    write,
    replace(file, from, to) {
      const text = read(file);
      const at = text.indexOf(from);
      if (at < 0 || text.indexOf(from, at + 1) >= 0) throw new Error(`"${from}" must occur once in ${file}`);
      write(file, text.slice(0, at) + to + text.slice(at + from.length));
      const before = text.slice(0, at).split('\n');
      return { line: before.length, col: (before[before.length - 1] ?? '').length + 1 };
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** Runs pocket with a stdout whose reader has gone (as `pocket … | head -c 0`). */
export async function withClosedStdout(
  args: readonly string[],
  extraEnv: Record<string, string | undefined> = {},
): Promise<{ code: number | null; stderr: string }> {
  const { code, output } = await withClosedOutput('stdout', args, extraEnv);
  return { code, stderr: output };
}

/** Runs pocket with one of its outputs' reader gone (`… | head -c 0`, `… 2>&1 | head -c 0`); `output`: the other. */
export function withClosedOutput(
  closed: 'stdout' | 'stderr',
  args: readonly string[],
  extraEnv: Record<string, string | undefined> = {},
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
    delete env['NODE_OPTIONS'];
    for (const [name, value] of Object.entries(extraEnv)) {
      if (value === undefined) delete env[name];
      else env[name] = value;
    }
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const [gone, open] = closed === 'stdout' ? [child.stdout, child.stderr] : [child.stderr, child.stdout];
    gone.destroy();
    let output = '';
    open.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

const DAY = 86_400_000;

/**
 * A campaign live from a day ago to a day ahead, one red packet for everyone (per user: one), for suites that
 * start `pocket serve` on a definitions directory of their own.
 */
export function liveCampaignYaml(id: string, name: string): string {
  return [
    `id: ${id}`,
    `name: ${name}`,
    'owner: tests',
    'status: active',
    `window: { start: ${new Date(Date.now() - DAY).toISOString()}, end: ${new Date(Date.now() + DAY).toISOString()} }`,
    'timezone: UTC',
    'entry: { activityCode: none, channels: [app] }',
    'limits: { perUser: { total: 1, daily: 1 } }',
    'budget: { currency: CNY, total: 100000, daily: 100000 }',
    'rewards:',
    '  - { id: rp, type: red_packet, name: Red packet, amount: { min: 50, max: 50 }, stock: 100 }',
    'segments:',
    '  - id: everyone',
    '    rewards: [{ reward: rp, weight: 1 }]',
    'decision: { strategy: weighted }',
    '',
  ].join('\n');
}

export interface ServeProcess {
  child: ChildProcess;
  /** The URL it printed in `pocket listening on …`. */
  url: string;
  /** Its exit code once it exits (null when killed by a signal). */
  exited: Promise<number | null>;
}

/**
 * Starts `pocket serve` as its own process (the built CLI, NODE_OPTIONS dropped, `env` over the inherited
 * environment, a variable set to undefined removed) and resolves once it listens; rejects, with what it printed,
 * when it exits first. `started` is told of the child at once, so a suite can kill it whatever happens.
 */
export function startServe(
  env: Record<string, string | undefined>,
  started: (child: ChildProcess) => void,
): Promise<ServeProcess> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete childEnv['NODE_OPTIONS'];
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete childEnv[name];
    else childEnv[name] = value;
  }
  const child = spawn(process.execPath, [CLI, 'serve'], {
    cwd: REPO_ROOT,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started(child);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let out = '';
  return new Promise((resolve, reject) => {
    const read = (chunk: Buffer): void => {
      out += chunk.toString('utf8');
      const found = /pocket listening on (http:\/\/[^\s"]+)/.exec(out);
      if (found?.[1]) resolve({ child, url: found[1], exited });
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    void exited.then(() => reject(new Error(`serve exited before listening:\n${out}`)));
  });
}
