import { Document, isMap, isScalar, isSeq, Node, visit, YAMLError } from 'yaml';

/** Where a quote, `{` or `[` that a YAML error says is unclosed was opened. */
export interface UnclosedOpening {
  /** The opening character: `"`, `'`, `{` or `[`. */
  opener: string;
  offset: number;
}

function openerOf(node: Node): string | undefined {
  if (isScalar(node))
    return node.type === 'QUOTE_DOUBLE' ? '"' : node.type === 'QUOTE_SINGLE' ? "'" : undefined;
  if (isMap(node) && node.flow) return '{';
  if (isSeq(node) && node.flow) return '[';
  return undefined;
}

/** The opener a "missing closing quote" or "flow collection must end with a …" error is about, if any. */
function expectedOpener(e: YAMLError): string | undefined {
  if (e.message.startsWith('Missing closing "quote')) return '"';
  if (e.message.startsWith("Missing closing 'quote")) return "'";
  if (/^Flow map .*end with a \}/.test(e.message)) return '{';
  if (/^Flow sequence .*end with a \]/.test(e.message)) return '[';
  return undefined;
}

/**
 * The yaml library reports an unclosed quote or flow collection where it gave up looking for the end (often
 * the end of the file). This finds where it was opened: the innermost quoted scalar or flow collection of that
 * kind that starts before the error and runs up to it.
 */
export function unclosedOpening(document: Document, e: YAMLError): UnclosedOpening | undefined {
  const opener = expectedOpener(e);
  if (opener === undefined) return undefined;
  const at = e.pos[0];
  let found: UnclosedOpening | undefined;
  visit(document, {
    Node(_key, node) {
      const range = node.range;
      if (!range || openerOf(node) !== opener || range[0] >= at || range[1] < at) return;
      if (!found || range[0] > found.offset) found = { opener, offset: range[0] };
    },
  });
  return found;
}
