import { shortCommit } from '../../../cli/short-commit';

describe('shortCommit', () => {
  it('keeps -dirty, so the audit trail never shows a clean commit for uncommitted changes', () => {
    expect(shortCommit('0762466e19e0a1b2c3d4e5f60718293a4b5c6d7e-dirty')).toBe('0762466e19e0-dirty');
    expect(shortCommit('0762466e19e0a1b2c3d4e5f60718293a4b5c6d7e')).toBe('0762466e19e0');
    expect(shortCommit('c0ffee')).toBe('c0ffee');
  });
});
