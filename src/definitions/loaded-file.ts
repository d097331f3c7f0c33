import type { DefinitionFile, DefinitionKind } from './definition-files';
import type { Diagnostic } from './diagnostic';
import { Finding, formatPath } from './finding';
import { findingMessage } from './finding-message';
import type { ParsedYaml } from './parse-yaml';
import { nonFiniteSource, positionOf } from './node-position';
import { fileDiagnostic, readYamlFile } from './read-yaml-file';
import { validateAgainstSchema } from './schema-validator';
import { wrongKind } from './wrong-kind';

/** One definitions file after reading, parsing and schema validation. */
export interface LoadedFile {
  source: DefinitionFile;
  /** Undefined when the file could not be read. */
  parsed: ParsedYaml | undefined;
  /** Everything found in this file so far; cross-file checks add to it. */
  diagnostics: Diagnostic[];
  /** Parsed without errors and valid against its schema: cross-file checks may trust its shape. */
  valid: boolean;
  /**
   * The kind the file looks like when its place or name says another (a rules file in campaigns/): it is
   * collected as a broken file of that kind, so its ids still count and nothing else is blamed for it.
   */
  looksLike?: DefinitionKind;
}

/** Gives a finding the file position of the YAML node its path names (or of the closest existing parent). */
export function toDiagnostic(parsed: ParsedYaml, finding: Finding): Diagnostic {
  const { line, col } = positionOf(parsed.document, parsed.lineCounter, finding.path, finding.at);
  return {
    file: parsed.file,
    line,
    col,
    path: formatPath(finding.path),
    message: findingMessage(parsed, finding),
    severity: finding.severity,
  };
}

/** Adds findings to a loaded file's diagnostics, positioned in that file. */
export function report(loaded: LoadedFile, findings: readonly Finding[]): void {
  const parsed = loaded.parsed;
  if (parsed) loaded.diagnostics.push(...findings.map((f) => toDiagnostic(parsed, f)));
}

function emptyDocument(parsed: ParsedYaml): boolean {
  return parsed.data === null || parsed.data === undefined;
}

/** Reads, parses and validates one file against the schema of its kind. */
export async function loadFile(source: DefinitionFile): Promise<LoadedFile> {
  const result = source.refused
    ? fileDiagnostic(source.file, source.refused)
    : await readYamlFile(source.absolute, source.file);
  if (!('document' in result)) return { source, parsed: undefined, diagnostics: [result], valid: false };
  const loaded: LoadedFile = { source, parsed: result, diagnostics: [...result.diagnostics], valid: false };
  if (result.diagnostics.length > 0) return loaded;
  if (emptyDocument(result)) {
    report(loaded, [
      { path: [], message: `the file is empty; expected a ${source.kind} definition`, severity: 'error' },
    ]);
    return loaded;
  }
  const wrong = wrongKind(source, result.data);
  if (wrong !== undefined) {
    loaded.looksLike = wrong.kind;
    loaded.diagnostics.push(fileDiagnostic(source.file, wrong.message));
    return loaded;
  }
  const findings = validateAgainstSchema(source.kind, result.data, (path) =>
    nonFiniteSource(result.document, path),
  );
  report(loaded, findings);
  loaded.valid = findings.length === 0;
  return loaded;
}
