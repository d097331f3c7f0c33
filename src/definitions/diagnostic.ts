/** One problem found in a definitions file, with the position of the YAML node that caused it. */
export interface Diagnostic {
  /** File path relative to the current working directory. */
  file: string;
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  col: number;
  /** Path inside the document, e.g. `segments[1].rewards[0].weight`, or `(root)`. */
  path: string;
  message: string;
  severity: 'error' | 'warning';
}

/** `file:line:col: path: message`, or `file:line:col: warning: path: message` for warnings. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = `${d.file}:${d.line}:${d.col}:`;
  return d.severity === 'warning'
    ? `${where} warning: ${d.path}: ${d.message}`
    : `${where} ${d.path}: ${d.message}`;
}

/** Orders diagnostics by file, then position, errors before warnings at the same position. */
export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  if (a.line !== b.line) return a.line - b.line;
  if (a.col !== b.col) return a.col - b.col;
  if (a.severity !== b.severity) return a.severity === 'error' ? -1 : 1;
  return 0;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}
