import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliFailure } from '../../../cli/output';
import { detectAuthor, detectGitCommit } from '../../../cli/publish-metadata';

describe('publish metadata', () => {
  let plain: string;
  let repo: string;
  const git = (...args: string[]): string =>
    execFileSync('git', args, { cwd: repo, encoding: 'utf8' }).trim();

  beforeAll(() => {
    plain = mkdtempSync(join(tmpdir(), 'pocket-meta-plain-'));
    repo = mkdtempSync(join(tmpdir(), 'pocket-meta-repo-'));
    git('init', '-q');
    git('config', 'user.name', 'Grace Hopper');
    git('config', 'user.email', 'grace@example.com');
    mkdirSync(join(repo, 'campaigns'));
    writeFileSync(join(repo, 'campaigns', 'a.yaml'), 'id: a\n');
    git('add', '.');
    git('commit', '-q', '-m', 'first');
  });
  afterAll(() => {
    rmSync(plain, { recursive: true, force: true });
    rmSync(repo, { recursive: true, force: true });
  });

  it('takes the author from POCKET_AUTHOR, then GITHUB_ACTOR, then git user.name', () => {
    expect(detectAuthor(repo, { POCKET_AUTHOR: 'alice', GITHUB_ACTOR: 'ci-bot' })).toBe('alice');
    expect(detectAuthor(repo, { POCKET_AUTHOR: ' ', GITHUB_ACTOR: 'ci-bot' })).toBe('ci-bot');
    expect(detectAuthor(repo, {})).toBe('Grace Hopper');
  });

  it("holds the author and commit to the admin endpoints' 1,000 characters, naming where they came from", () => {
    const long = 'x'.repeat(1001);
    expect(detectAuthor(repo, { POCKET_AUTHOR: 'x'.repeat(1000) })).toHaveLength(1000);
    expect(() => detectAuthor(repo, { POCKET_AUTHOR: long })).toThrow(
      new CliFailure('POCKET_AUTHOR must be at most 1000 characters (got 1001)', 2),
    );
    expect(() => detectAuthor(repo, { GITHUB_ACTOR: long })).toThrow(/^GITHUB_ACTOR must be at most 1000/);
    expect(() => detectGitCommit(plain, { GIT_COMMIT: long })).toThrow(/^GIT_COMMIT must be at most 1000/);
    git('config', 'user.name', long);
    try {
      expect(() => detectAuthor(repo, {})).toThrow(/^git config user\.name must be at most 1000/);
    } finally {
      git('config', 'user.name', 'Grace Hopper');
    }
  });

  it('takes the commit from git HEAD, marked -dirty while campaigns/ or rules/ have changes', () => {
    const head = git('rev-parse', 'HEAD');
    expect(detectGitCommit(repo, { GIT_COMMIT: 'ignored' })).toBe(head);
    writeFileSync(join(repo, 'campaigns', 'a.yaml'), 'id: a\nname: changed\n');
    expect(detectGitCommit(repo, {})).toBe(`${head}-dirty`);
    git('checkout', '-q', '--', 'campaigns/a.yaml');
    writeFileSync(join(repo, 'notes.txt'), 'not a definition');
    expect(detectGitCommit(repo, {})).toBe(head);
  });

  it('falls back to GIT_COMMIT, then GITHUB_SHA, outside a repository', () => {
    expect(detectGitCommit(plain, { GIT_COMMIT: 'abc', GITHUB_SHA: 'def' })).toBe('abc');
    expect(detectGitCommit(plain, { GITHUB_SHA: 'def' })).toBe('def');
    expect(detectGitCommit(plain, {})).toBeNull();
  });
});
