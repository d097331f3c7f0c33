/**
 * The first object member name that JSON text repeats within one object, or null. RFC 8259 leaves a repeated name's
 * meaning to the parser (JSON.parse keeps the last, many others the first), so a body a gateway read as one user
 * could reach pocket as another; such a body is refused instead. Text that is not valid JSON yields null: the
 * parser reports it.
 */
const JSON_WHITESPACE = new Set([' ', '\t', '\n', '\r']);

export function firstDuplicateKey(text: string): string | null {
  const objects: Array<Set<string> | null> = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '{') objects.push(new Set());
    else if (ch === '[') objects.push(null);
    else if (ch === '}' || ch === ']') objects.pop();
    else if (ch === '"') {
      const start = i;
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      const keys = objects[objects.length - 1];
      let next = i + 1;
      while (JSON_WHITESPACE.has(text[next] ?? '')) next++;
      if (!keys || text[next] !== ':') continue;
      // A name without escapes is its text; only an escaped one needs decoding (the common case allocates one string).
      let name = text.slice(start + 1, i);
      if (name.includes('\\')) {
        try {
          name = JSON.parse(`"${name}"`) as string;
        } catch {
          return null;
        }
      }
      if (keys.has(name)) return name;
      keys.add(name);
    }
  }
  return null;
}
