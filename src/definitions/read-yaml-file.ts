import { promises as fs } from 'fs';
import type { Diagnostic } from './diagnostic';
import { parseYaml, ParsedYaml } from './parse-yaml';

/** Definition files larger than this are refused before they are read. */
export const MAX_FILE_BYTES = 512 * 1024;

/** A problem with a file as a whole, reported at its start. */
export function fileDiagnostic(file: string, message: string): Diagnostic {
  return { file, line: 1, col: 1, path: '(root)', message, severity: 'error' };
}

/**
 * Reads and parses one definitions file. The size is checked with stat before reading, so a huge file is
 * refused at once. Returns a diagnostic instead of throwing for a missing, unreadable or oversized file.
 */
export async function readYamlFile(absolutePath: string, file: string): Promise<ParsedYaml | Diagnostic> {
  try {
    const stat = await fs.stat(absolutePath);
    if (stat.isDirectory()) return fileDiagnostic(file, 'is a directory, not a YAML file');
    if (!stat.isFile()) return fileDiagnostic(file, 'not a regular file');
    if (stat.size > MAX_FILE_BYTES) return fileDiagnostic(file, tooLarge(stat.size));
    const buffer = await fs.readFile(absolutePath);
    if (buffer.length > MAX_FILE_BYTES) return fileDiagnostic(file, tooLarge(buffer.length));
    const text = decodeUtf8(buffer);
    if (typeof text !== 'string') return invalidUtf8(file, buffer, text.badByte);
    return loneCarriageReturn(text, file) ?? parseYaml(text, file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && (await isSymlink(absolutePath)))
      return fileDiagnostic(file, 'cannot be read: the symlink points to nothing');
    if (code === 'ELOOP') return fileDiagnostic(file, 'cannot be read: the symlinks form a loop');
    if (code === 'ENOENT') return fileDiagnostic(file, 'no such file');
    if (code === 'EACCES') return fileDiagnostic(file, 'permission denied');
    throw e;
  }
}

async function isSymlink(absolutePath: string): Promise<boolean> {
  const stat = await fs.lstat(absolutePath).catch(() => undefined);
  return stat?.isSymbolicLink() ?? false;
}

// A leading BOM is dropped: the yaml library skipped it but counted it in the first line's columns (1:6 for
// an error an editor shows at 1:5).
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** The text, or the offset of the first byte that is not part of a valid UTF-8 sequence. */
function decodeUtf8(buffer: Buffer): string | { badByte: number } {
  try {
    return UTF8.decode(buffer);
  } catch {
    // Decoded leniently, every invalid sequence becomes U+FFFD; the text before the first one is valid, so its
    // UTF-8 length is the offset of the bad byte. A U+FFFD that is really in the file is skipped.
    const lenient = buffer.toString('utf8');
    for (let i = lenient.indexOf('\uFFFD'); i >= 0; i = lenient.indexOf('\uFFFD', i + 1)) {
      const offset = Buffer.byteLength(lenient.slice(0, i), 'utf8');
      if (!buffer.subarray(offset, offset + 3).equals(REPLACEMENT_CHARACTER)) return { badByte: offset };
    }
    return { badByte: 0 };
  }
}

const REPLACEMENT_CHARACTER = Buffer.from('\uFFFD', 'utf8');

/** A file that is not UTF-8, reported at the first bad byte (columns count characters, as for YAML errors). */
function invalidUtf8(file: string, buffer: Buffer, badByte: number): Diagnostic {
  const hex = (buffer[badByte] ?? 0).toString(16).padStart(2, '0');
  const message = `file is not valid UTF-8 (byte 0x${hex}): save it as UTF-8`;
  return diagnosticAfter(file, buffer.subarray(0, badByte).toString('utf8'), message);
}

/** A whole-file problem reported where the text `before` it ends (columns count characters). */
function diagnosticAfter(file: string, before: string, message: string): Diagnostic {
  const lineStart = before.lastIndexOf('\n') + 1;
  const line = before.split('\n').length;
  return { file, line, col: before.length - lineStart + 1, path: '(root)', message, severity: 'error' };
}

/**
 * A carriage return without a line feed after it: a file saved with classic Mac line endings (CR only) read as one
 * line, and was told "the file is empty" (its first line a comment) or to quote a value holding the whole file.
 */
function loneCarriageReturn(text: string, file: string): Diagnostic | undefined {
  const at = text.search(/\r(?!\n)/);
  if (at < 0) return undefined;
  if (!text.includes('\n')) {
    return fileDiagnostic(
      file,
      'line endings are CR only (classic Mac): save the file with LF (or CRLF) line endings',
    );
  }
  const message =
    'a carriage return (\\r) without a line feed: remove it, or save the file with LF line endings';
  return diagnosticAfter(file, text.slice(0, at), message);
}

function tooLarge(bytes: number): string {
  const kib = (bytes / 1024).toFixed(1);
  return `file is too large (${kib} KiB; the limit is ${MAX_FILE_BYTES / 1024} KiB): split it or trim it`;
}
