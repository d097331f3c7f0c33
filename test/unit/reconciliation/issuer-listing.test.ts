/** When an issuer's listing may be followed to its next page, and when it is a loop or too long (cursorProblem). */
import { cursorProblem } from '../../../src/reconciliation/issuer-listing';

describe('cursorProblem', () => {
  it('lets a listing end (null cursor) or go on to a cursor it has not seen', () => {
    expect(cursorProblem(new Set(['a', 'b']), null, 3, 3)).toBeNull();
    expect(cursorProblem(new Set(['a']), 'b', 2, 3)).toBeNull();
  });

  it('refuses a cursor that came back, at once: the same query would answer the same pages forever', () => {
    expect(cursorProblem(new Set(), 'same', 1, 100_000)).toBeNull();
    expect(cursorProblem(new Set(['same']), 'same', 2, 100_000)).toBe(
      'the listing never ends: cursor "same" came back after page 2',
    );
    expect(cursorProblem(new Set(['a', 'b', 'c']), 'a', 4, 100_000)).toMatch(/cursor "a" came back/);
  });

  it('refuses to go beyond maxPages pages', () => {
    expect(cursorProblem(new Set(['1', '2']), '3', 3, 3)).toBe('the listing did not end within 3 pages');
  });
});
