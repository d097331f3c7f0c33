/**
 * Text others wrote (a publish note from a commit message, a void reason, a token's name) reaches an on-call
 * engineer's terminal through `versions`, `audit` and the other tables: control characters are escaped, so a note
 * cannot clear the screen, retitle the window, reorder what is shown or forge a row.
 */
import { printable, table } from '../../../cli/output';

describe('printable', () => {
  it('escapes control characters as JSON writes them and leaves the rest', () => {
    expect(printable('fix\n\u001b[2J\u001b[Hcleared')).toBe('fix\\n\\u001b[2J\\u001b[Hcleared');
    expect(printable('x\u001b]0;pwned\u0007')).toBe('x\\u001b]0;pwned\\u0007');
    expect(printable('a\tb\rc\u007f\u009b')).toBe('a\\tb\\rc\\u007f\\u009b');
    // A right-to-left override shows "evil.exe" reversed as a harmless name.
    expect(printable('note \u202egpj.exe')).toBe('note \\u202egpj.exe');
    expect(printable('a\u200fb\u2028c\u061c')).toBe('a\\u200fb\\u2028c\\u061c');
    expect(printable('Double 11 红包 🚀 — «ok»')).toBe('Double 11 红包 🚀 — «ok»');
  });

  it('keeps a table to one line per row, aligned on what is shown', () => {
    const lines = table(
      ['version', 'note'],
      [
        [2, 'launch\n3        forged row'],
        [1, '\u001b[31mred'],
      ],
    );
    expect(lines).toEqual([
      'version  note',
      '-------  ---------------------------',
      '2        launch\\n3        forged row',
      '1        \\u001b[31mred',
    ]);
  });
});
