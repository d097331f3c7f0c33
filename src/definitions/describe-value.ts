import { escapeInvisible } from './suspicious-characters';

/**
 * A short rendering of a YAML value for messages: `"abc"`, `12.5`, `null`, `a list`, `a map`. Numbers that
 * JSON cannot hold are spelled as in YAML (`.nan`, `.inf`, `-.inf`), not as JSON's `null`. Characters nobody
 * can see are escaped (`"active\u200b"`), so the echo shows why a value that looks right is refused.
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'number' && !Number.isFinite(value))
    return Number.isNaN(value) ? '.nan' : value > 0 ? '.inf' : '-.inf';
  if (Array.isArray(value)) return value.length <= 4 ? `[${value.map(describeValue).join(', ')}]` : 'a list';
  if (value !== null && typeof value === 'object') return 'a map';
  const text = JSON.stringify(value);
  return escapeInvisible(text.length > 60 ? `${text.slice(0, 57)}..."` : text);
}
