import { existsSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeDirectory } from '../../../src/shared/make-directory';

describe('makeDirectory', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'pocket-mkdir-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('makes every missing level, and leaves an existing directory alone', () => {
    const dir = join(root, 'a', 'b', 'c');
    makeDirectory(dir);
    expect(statSync(dir).isDirectory()).toBe(true);
    expect(() => makeDirectory(dir)).not.toThrow();
  });

  it('fails with the refusal, not a hang, where the parent exists but refuses children (/proc)', () => {
    // Node 20's mkdirSync(…, { recursive: true }) loops forever on this path.
    expect(() => makeDirectory('/proc/pocket-no-such/data')).toThrow(
      expect.objectContaining({ code: 'ENOENT', path: '/proc/pocket-no-such' }),
    );
  });

  it('fails under a dangling symlink and under a file', () => {
    symlinkSync(join(root, 'gone'), join(root, 'dangling'));
    expect(() => makeDirectory(join(root, 'dangling', 'data'))).toThrow(
      expect.objectContaining({ code: 'ENOENT' }),
    );
    expect(existsSync(join(root, 'gone'))).toBe(false);
    writeFileSync(join(root, 'file'), '');
    expect(() => makeDirectory(join(root, 'file', 'data'))).toThrow(
      expect.objectContaining({ code: 'ENOTDIR' }),
    );
  });
});
