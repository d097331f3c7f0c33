/**
 * Where JSON.parse gives up on a text: V8 names the position for most errors ("… in JSON at position 28") but
 * not for an unexpected token ("Unexpected token 'x', "{"a":x}" is not valid JSON"), so this scans the text
 * the way JSON.parse does and returns the offset of the first character it cannot take (the text's length
 * when the text ends too soon), or undefined when the text is valid JSON.
 */
export function jsonErrorOffset(text: string): number | undefined {
  let i = 0;
  const stack: ('{' | '[')[] = [];
  const skipBlanks = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text.charAt(i))) i++;
  };
  const expect = (word: string): boolean => {
    for (const char of word) {
      if (text.charAt(i) !== char) return false;
      i++;
    }
    return true;
  };
  for (;;) {
    // A value.
    skipBlanks();
    const c = text.charAt(i);
    if (c === '{' || c === '[') {
      i++;
      skipBlanks();
      if (text.charAt(i) === (c === '{' ? '}' : ']')) i++;
      else {
        stack.push(c);
        if (c === '{' && !(key() && expect(':'))) return i;
        continue;
      }
    } else if (c === '"') {
      if (!string()) return i;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      if (!number()) return i;
    } else if (!(expect('true') || expect('false') || expect('null'))) {
      return i;
    }
    // After a value: close containers, or go on to the next value.
    for (;;) {
      skipBlanks();
      const open = stack.at(-1);
      if (open === undefined) return i === text.length ? undefined : i;
      const next = text.charAt(i);
      if (next === (open === '{' ? '}' : ']')) {
        stack.pop();
        i++;
      } else if (next === ',') {
        i++;
        if (open === '{' && !(key() && expect(':'))) return i;
        break;
      } else {
        return i;
      }
    }
  }

  function key(): boolean {
    skipBlanks();
    if (text.charAt(i) !== '"' || !string()) return false;
    skipBlanks();
    return true;
  }

  function string(): boolean {
    i++;
    while (i < text.length) {
      const code = text.charCodeAt(i);
      if (code === 0x22) {
        i++;
        return true;
      }
      if (code < 0x20) return false;
      if (code !== 0x5c) {
        i++;
        continue;
      }
      i++;
      const escape = text.charAt(i);
      if (escape === 'u') {
        i++;
        for (let n = 0; n < 4; n++, i++) if (!/[0-9a-fA-F]/.test(text.charAt(i))) return false;
      } else if (escape !== '' && '"\\/bfnrt'.includes(escape)) {
        i++;
      } else {
        return false;
      }
    }
    return false;
  }

  function digits(): boolean {
    const start = i;
    while (text.charAt(i) >= '0' && text.charAt(i) <= '9') i++;
    return i > start;
  }

  function number(): boolean {
    if (text.charAt(i) === '-') i++;
    if (text.charAt(i) === '0') i++;
    else if (!digits()) return false;
    if (text.charAt(i) === '.') {
      i++;
      if (!digits()) return false;
    }
    if (text.charAt(i) === 'e' || text.charAt(i) === 'E') {
      i++;
      if (text.charAt(i) === '+' || text.charAt(i) === '-') i++;
      if (!digits()) return false;
    }
    return true;
  }
}
