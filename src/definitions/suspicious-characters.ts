/**
 * Characters a person cannot see, or cannot tell from an ASCII one, in a value that failed a check:
 * `active\u200b` (a zero-width space pasted from a chat) or `new-usеr` (a Cyrillic е) look right and are not.
 */

/** Unicode names of the invisible characters pasted text most often carries, by code point. */
const INVISIBLE_NAMES: Readonly<Record<number, string>> = {
  0x00a0: 'NO-BREAK SPACE',
  0x00ad: 'SOFT HYPHEN',
  0x061c: 'ARABIC LETTER MARK',
  0x1680: 'OGHAM SPACE MARK',
  0x180e: 'MONGOLIAN VOWEL SEPARATOR',
  0x2000: 'EN QUAD',
  0x2001: 'EM QUAD',
  0x2002: 'EN SPACE',
  0x2003: 'EM SPACE',
  0x2004: 'THREE-PER-EM SPACE',
  0x2005: 'FOUR-PER-EM SPACE',
  0x2006: 'SIX-PER-EM SPACE',
  0x2007: 'FIGURE SPACE',
  0x2008: 'PUNCTUATION SPACE',
  0x2009: 'THIN SPACE',
  0x200a: 'HAIR SPACE',
  0x200b: 'ZERO WIDTH SPACE',
  0x200c: 'ZERO WIDTH NON-JOINER',
  0x200d: 'ZERO WIDTH JOINER',
  0x200e: 'LEFT-TO-RIGHT MARK',
  0x200f: 'RIGHT-TO-LEFT MARK',
  0x2028: 'LINE SEPARATOR',
  0x2029: 'PARAGRAPH SEPARATOR',
  0x202a: 'LEFT-TO-RIGHT EMBEDDING',
  0x202b: 'RIGHT-TO-LEFT EMBEDDING',
  0x202c: 'POP DIRECTIONAL FORMATTING',
  0x202d: 'LEFT-TO-RIGHT OVERRIDE',
  0x202e: 'RIGHT-TO-LEFT OVERRIDE',
  0x202f: 'NARROW NO-BREAK SPACE',
  0x205f: 'MEDIUM MATHEMATICAL SPACE',
  0x2060: 'WORD JOINER',
  0x2066: 'LEFT-TO-RIGHT ISOLATE',
  0x2067: 'RIGHT-TO-LEFT ISOLATE',
  0x2068: 'FIRST STRONG ISOLATE',
  0x2069: 'POP DIRECTIONAL ISOLATE',
  0x3000: 'IDEOGRAPHIC SPACE',
  0xfeff: 'ZERO WIDTH NO-BREAK SPACE',
};

/** Letters and marks of other scripts that render like an ASCII character: [name, the character it looks like]. */
const LOOK_ALIKES: Readonly<Record<number, readonly [string, string]>> = {
  0x0430: ['CYRILLIC SMALL LETTER A', 'a'],
  0x0435: ['CYRILLIC SMALL LETTER IE', 'e'],
  0x043e: ['CYRILLIC SMALL LETTER O', 'o'],
  0x0440: ['CYRILLIC SMALL LETTER ER', 'p'],
  0x0441: ['CYRILLIC SMALL LETTER ES', 'c'],
  0x0443: ['CYRILLIC SMALL LETTER U', 'y'],
  0x0445: ['CYRILLIC SMALL LETTER HA', 'x'],
  0x0455: ['CYRILLIC SMALL LETTER DZE', 's'],
  0x0456: ['CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I', 'i'],
  0x0458: ['CYRILLIC SMALL LETTER JE', 'j'],
  0x04bb: ['CYRILLIC SMALL LETTER SHHA', 'h'],
  0x0501: ['CYRILLIC SMALL LETTER KOMI DE', 'd'],
  0x051b: ['CYRILLIC SMALL LETTER QA', 'q'],
  0x051d: ['CYRILLIC SMALL LETTER WE', 'w'],
  0x0405: ['CYRILLIC CAPITAL LETTER DZE', 'S'],
  0x0406: ['CYRILLIC CAPITAL LETTER BYELORUSSIAN-UKRAINIAN I', 'I'],
  0x0408: ['CYRILLIC CAPITAL LETTER JE', 'J'],
  0x0410: ['CYRILLIC CAPITAL LETTER A', 'A'],
  0x0412: ['CYRILLIC CAPITAL LETTER VE', 'B'],
  0x0415: ['CYRILLIC CAPITAL LETTER IE', 'E'],
  0x041a: ['CYRILLIC CAPITAL LETTER KA', 'K'],
  0x041c: ['CYRILLIC CAPITAL LETTER EM', 'M'],
  0x041d: ['CYRILLIC CAPITAL LETTER EN', 'H'],
  0x041e: ['CYRILLIC CAPITAL LETTER O', 'O'],
  0x0420: ['CYRILLIC CAPITAL LETTER ER', 'P'],
  0x0421: ['CYRILLIC CAPITAL LETTER ES', 'C'],
  0x0422: ['CYRILLIC CAPITAL LETTER TE', 'T'],
  0x0425: ['CYRILLIC CAPITAL LETTER HA', 'X'],
  0x03b1: ['GREEK SMALL LETTER ALPHA', 'a'],
  0x03b9: ['GREEK SMALL LETTER IOTA', 'i'],
  0x03ba: ['GREEK SMALL LETTER KAPPA', 'k'],
  0x03bd: ['GREEK SMALL LETTER NU', 'v'],
  0x03bf: ['GREEK SMALL LETTER OMICRON', 'o'],
  0x03c1: ['GREEK SMALL LETTER RHO', 'p'],
  0x03c5: ['GREEK SMALL LETTER UPSILON', 'u'],
  0x0391: ['GREEK CAPITAL LETTER ALPHA', 'A'],
  0x0392: ['GREEK CAPITAL LETTER BETA', 'B'],
  0x0395: ['GREEK CAPITAL LETTER EPSILON', 'E'],
  0x0396: ['GREEK CAPITAL LETTER ZETA', 'Z'],
  0x0397: ['GREEK CAPITAL LETTER ETA', 'H'],
  0x0399: ['GREEK CAPITAL LETTER IOTA', 'I'],
  0x039a: ['GREEK CAPITAL LETTER KAPPA', 'K'],
  0x039c: ['GREEK CAPITAL LETTER MU', 'M'],
  0x039d: ['GREEK CAPITAL LETTER NU', 'N'],
  0x039f: ['GREEK CAPITAL LETTER OMICRON', 'O'],
  0x03a1: ['GREEK CAPITAL LETTER RHO', 'P'],
  0x03a4: ['GREEK CAPITAL LETTER TAU', 'T'],
  0x03a5: ['GREEK CAPITAL LETTER UPSILON', 'Y'],
  0x03a7: ['GREEK CAPITAL LETTER CHI', 'X'],
  0x2010: ['HYPHEN', '-'],
  0x2011: ['NON-BREAKING HYPHEN', '-'],
  0x2012: ['FIGURE DASH', '-'],
  0x2013: ['EN DASH', '-'],
  0x2014: ['EM DASH', '-'],
  0x2212: ['MINUS SIGN', '-'],
  0x2018: ['LEFT SINGLE QUOTATION MARK', "'"],
  0x2019: ['RIGHT SINGLE QUOTATION MARK', "'"],
  0x201c: ['LEFT DOUBLE QUOTATION MARK', '"'],
  0x201d: ['RIGHT DOUBLE QUOTATION MARK', '"'],
};

/** Format, separator and private-use characters, and spaces other than U+0020: nothing a reader can see. */
const INVISIBLE = /[\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cn}]|[^\P{Zs} ]/u;
const INVISIBLE_ALL = new RegExp(INVISIBLE.source, 'gu');

function codePointLabel(code: number): string {
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** `\u200b` (or `\u{e0001}` beyond the BMP), as a JSON string or JavaScript source would write it. */
function escaped(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** The text with every invisible character written as an escape (`\u200b`), so messages show it. */
export function escapeInvisible(text: string): string {
  return text.replace(INVISIBLE_ALL, escaped);
}

function isInvisible(char: string): boolean {
  return INVISIBLE.test(char);
}

/** `U+200B ZERO WIDTH SPACE`, `U+0435 CYRILLIC SMALL LETTER IE (looks like "e")`, or `U+FF41 (looks like "a")`. */
export function describeCharacter(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  const label = codePointLabel(code);
  const invisible = INVISIBLE_NAMES[code];
  if (invisible !== undefined) return `${label} ${invisible}`;
  const alike = LOOK_ALIKES[code];
  if (alike !== undefined) return `${label} ${alike[0]} (looks like ${JSON.stringify(alike[1])})`;
  const ascii = asciiLookAlike(char);
  return ascii === undefined ? label : `${label} (looks like ${JSON.stringify(ascii)})`;
}

/** The ASCII text a character stands for under compatibility normalisation (`ａ` → `a`), if any. */
function asciiLookAlike(char: string): string | undefined {
  const normal = char.normalize('NFKC');
  return normal !== char && /^[\x21-\x7e]+$/.test(normal) ? normal : undefined;
}

function looksLikeAscii(char: string): boolean {
  return LOOK_ALIKES[char.codePointAt(0) ?? 0] !== undefined || asciiLookAlike(char) !== undefined;
}

/** One character worth pointing out, at its UTF-16 index in the text. */
export interface SuspiciousCharacter {
  char: string;
  index: number;
}

/**
 * Invisible characters anywhere, and look-alikes of ASCII characters inside a word that also holds ASCII
 * letters or digits (`new-usеr`), so that text written in another script (`Алиса`) is left alone.
 */
export function suspiciousCharacters(text: string): SuspiciousCharacter[] {
  const found: SuspiciousCharacter[] = [];
  for (const word of text.matchAll(/\S+|\s+/gu)) {
    const mixed = /[A-Za-z0-9]/.test(word[0]);
    let index = word.index;
    for (const char of word[0]) {
      if (isInvisible(char) || (mixed && looksLikeAscii(char))) found.push({ char, index });
      index += char.length;
    }
  }
  return found;
}
