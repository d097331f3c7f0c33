import { promises as fs } from 'fs';
import type { Diagnostic } from './diagnostic';
import { parseYaml, ParsedYaml } from './parse-yaml';

/** Definition files larger than this are refused before they are read. */
export const MAX_FILE_BYTES = 512 * 1024;

function fileDiagnostic(file: string, message: string): Diagnostic {
  return { file, line: 1, col: 1, path: '(root)', message, severity: 'error' };
}

/**
 * Reads and parses one definitions file. The size is checked with stat before reading, so a huge file is
 * refused at once. Returns a diagnostic instead of throwing for a missing, unreadable or oversized file.
 */
export async function readYamlFile(absolutePath: string, file: string): Promise<ParsedYaml | Diagnostic> {
  try {
    const stat = await fs.stat(absolutePath);
    if (!stat.isFile()) return fileDiagnostic(file, 'not a regular file');
    if (stat.size > MAX_FILE_BYTES) return fileDiagnostic(file, tooLarge(stat.size));
    const buffer = await fs.readFile(absolutePath);
    if (buffer.length > MAX_FILE_BYTES) return fileDiagnostic(file, tooLarge(buffer.length));
    return parseYaml(buffer.toString('utf8'), file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return fileDiagnostic(file, 'no such file');
    if (code === 'EACCES') return fileDiagnostic(file, 'permission denied');
    throw e;
  }
}

function tooLarge(bytes: number): string {
  const kib = (bytes / 1024).toFixed(1);
  return `file is too large (${kib} KiB; the limit is ${MAX_FILE_BYTES / 1024} KiB): split it or trim it`;
}
