import { describeValue } from '../../../src/definitions/describe-value';
import { formatPath } from '../../../src/definitions/finding';
import {
  describeCharacter,
  escapeInvisible,
  suspiciousCharacters,
} from '../../../src/definitions/suspicious-characters';

describe('invisible and look-alike characters', () => {
  it('are escaped when a value or a path is echoed, so "active\\u200b" does not print as "active"', () => {
    expect(describeValue('active\u200b')).toBe('"active\\u200b"');
    expect(describeValue('a\u00a0b\ufeff\u202e')).toBe('"a\\u00a0b\\ufeff\\u202e"');
    expect(describeValue(['x\u2060'])).toBe('["x\\u2060"]');
    expect(formatPath(['segments', 0, '\u00a0 - id'])).toBe('segments[0]["\\u00a0 - id"]');
    // Visible text of any script is left as it is.
    expect(escapeInvisible('新用户 Алиса café 🎁')).toBe('新用户 Алиса café 🎁');
  });

  it('are named with their code point, and a look-alike with the ASCII character it passes for', () => {
    expect(describeCharacter('\u200b')).toBe('U+200B ZERO WIDTH SPACE');
    expect(describeCharacter('\u00a0')).toBe('U+00A0 NO-BREAK SPACE');
    expect(describeCharacter('\u0435')).toBe('U+0435 CYRILLIC SMALL LETTER IE (looks like "e")');
    expect(describeCharacter('\u2013')).toBe('U+2013 EN DASH (looks like "-")');
    expect(describeCharacter('\uff41')).toBe('U+FF41 (looks like "a")');
  });

  it('are found anywhere when invisible, and as look-alikes only in words that mix them with ASCII', () => {
    expect(suspiciousCharacters('active\u200b')).toEqual([{ char: '\u200b', index: 6 }]);
    expect(suspiciousCharacters('new-us\u0435r')).toEqual([{ char: '\u0435', index: 6 }]);
    expect(suspiciousCharacters('new\u2013user ｕser')).toEqual([
      { char: '\u2013', index: 3 },
      { char: 'ｕ', index: 9 },
    ]);
    expect(suspiciousCharacters('Sale for Алиса, 新用户')).toEqual([]);
  });
});
