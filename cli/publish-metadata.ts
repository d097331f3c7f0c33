/**
 * Who publishes and from which commit. Author: POCKET_AUTHOR, GITHUB_ACTOR, git user.name, then the OS user.
 * Commit: `git rev-parse HEAD` of the definitions repository (with `-dirty` when campaigns/ or rules/ have
 * uncommitted changes, since that commit does not hold what is published), else GIT_COMMIT or GITHUB_SHA.
 */
import { execFileSync } from 'node:child_process';
import { userInfo } from 'node:os';
import { withinChangeLimit } from './note-option';

type Env = Record<string, string | undefined>;

function git(root: string, args: string[]): string | null {
  try {
    return execFileSync('git', args, {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5000,
    }).trim();
  } catch {
    return null;
  }
}

function nonEmpty(value: string | null | undefined): string | null {
  return value !== undefined && value !== null && value.trim() !== '' ? value.trim() : null;
}

/**
 * Author and commit are held to the admin endpoints' limit on a change's text, as `--note` is: an author the
 * ledger took locally was a 400 through `--server`, so the same pipeline worked against one and failed against
 * the other.
 */
export function detectAuthor(root: string, env: Env = process.env): string {
  for (const name of ['POCKET_AUTHOR', 'GITHUB_ACTOR'] as const) {
    const value = nonEmpty(env[name]);
    if (value) return withinChangeLimit(value, name);
  }
  const fromGit = nonEmpty(git(root, ['config', 'user.name']));
  if (fromGit) return withinChangeLimit(fromGit, 'git config user.name');
  try {
    return nonEmpty(userInfo().username) ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export function detectGitCommit(root: string, env: Env = process.env): string | null {
  const head = nonEmpty(git(root, ['rev-parse', 'HEAD']));
  if (head && /^[0-9a-f]{40,64}$/.test(head)) {
    const status = git(root, ['status', '--porcelain', '--', 'campaigns', 'rules']);
    return status ? `${head}-dirty` : head;
  }
  for (const name of ['GIT_COMMIT', 'GITHUB_SHA'] as const) {
    const value = nonEmpty(env[name]);
    if (value) return withinChangeLimit(value, name);
  }
  return null;
}
