import { promises as fs } from 'fs';
import path from 'path';
import type { Diagnostic } from './diagnostic';

export type DefinitionKind = 'campaign' | 'rules' | 'cases';

export interface DefinitionFile {
  absolute: string;
  /** Relative to the current working directory, with `/` separators: what diagnostics show. */
  file: string;
  kind: DefinitionKind;
  /** Whether diagnostics for this file are reported (it is under one of the requested paths). */
  reported: boolean;
  /** Why the file is refused without being read (e.g. `.YAML`); it still counts as a broken file. */
  refused?: string;
}

const YAML_FILE = /\.ya?ml$/;
/** Any spelling of a YAML extension: `.YAML` is refused by name instead of being skipped in silence. */
const YAML_NAME = /\.ya?ml$/i;
const CASES_FILE = /\.test\.ya?ml$/i;
const UPPER_CASE_EXTENSION = 'extension must be .yaml or .yml (lower case): rename the file';

/** Display form of a path: relative to cwd, `/`-separated. */
function displayPath(absolute: string): string {
  return path.relative(process.cwd(), absolute).split(path.sep).join('/') || '.';
}

/** `campaigns/new-user.yaml` → `new-user`; `campaigns/new-user.test.yaml` → `new-user`. */
export function fileId(file: string): string {
  return path.basename(file).replace(/(\.test)?\.ya?ml$/i, '');
}

/** `campaigns/*.test.yaml` are cases, other YAML under a `rules` directory are rules, the rest campaigns. */
function kindOf(absolute: string): DefinitionKind {
  if (CASES_FILE.test(absolute)) return 'cases';
  return path.basename(path.dirname(absolute)) === 'rules' ? 'rules' : 'campaign';
}

/** A README may explain a directory; hidden names are an editor's or git's (`.#spring.yaml`, `.gitkeep`). */
const README_NAME = /^readme(\.md)?$/i;

/** An entry of `campaigns/` or `rules/` that is not a definitions file: an error on its own path. */
interface Stray {
  absolute: string;
  message: string;
}

/**
 * Everything in `directory` named like a YAML file (hidden names aside), not only regular files: a directory, a
 * symlink (dangling or not) or a `.YAML` file by that name is loaded too, so it fails with a diagnostic on its own
 * path instead of being skipped (and its rules or campaign then reported missing elsewhere). Every other entry
 * that is neither hidden nor a README is a stray: `campaigns/notes.json`, `spring.yaml.bak`, a subdirectory.
 */
async function entriesOf(directory: string): Promise<{ yaml: string[]; strays: Stray[] }> {
  let entries;
  try {
    entries = await fs.readdir(directory, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { yaml: [], strays: [] };
    throw e;
  }
  // Hidden names are not definitions: editors keep lock files and backups there (Emacs: `.#name.yaml`).
  const visible = entries.filter((e) => !e.name.startsWith('.'));
  const yaml = visible.filter((e) => YAML_NAME.test(e.name)).map((e) => path.join(directory, e.name));
  const strays: Stray[] = [];
  for (const entry of visible) {
    if (YAML_NAME.test(entry.name) || README_NAME.test(entry.name)) continue;
    const absolute = path.join(directory, entry.name);
    // A symlink is judged by what it points to (a dangling one is no definitions file either).
    const isDirectory = (await fs.stat(absolute).catch(() => undefined))?.isDirectory() === true;
    strays.push({ absolute, message: strayMessage(path.basename(directory), isDirectory) });
  }
  return { yaml, strays };
}

async function yamlFilesIn(directory: string): Promise<string[]> {
  return (await entriesOf(directory)).yaml;
}

function strayMessage(directoryName: string, isDirectory: boolean): string {
  if (isDirectory) return `subdirectories are not read; move its files up into ${directoryName}/`;
  const holds = directoryName === 'rules' ? '<name>.yaml files' : '<id>.yaml and <id>.test.yaml files';
  return `not a definitions file: ${directoryName}/ holds ${holds} only; move it out of ${directoryName}/`;
}

function refusal(absolute: string): { refused?: string } {
  return YAML_FILE.test(absolute) ? {} : { refused: UPPER_CASE_EXTENSION };
}

function isInside(file: string, directory: string): boolean {
  const relative = path.relative(directory, file);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

async function isDirectory(p: string): Promise<boolean> {
  return (await fs.stat(p).catch(() => undefined))?.isDirectory() ?? false;
}

/** Whether `dir` holds campaigns/ or rules/: a definitions repository. */
export async function isRepository(dir: string): Promise<boolean> {
  return (await isDirectory(path.join(dir, 'campaigns'))) || (await isDirectory(path.join(dir, 'rules')));
}

function pathDiagnostic(file: string, message: string): Diagnostic {
  return { file, line: 1, col: 1, path: '(root)', message, severity: 'error' };
}

/**
 * The files to load: every YAML file in `root/campaigns` and `root/rules`, plus YAML files named by `paths`
 * (files, or the YAML files directly inside a directory) that lie elsewhere. Without `paths` every file is
 * reported; with them, only files under a requested path are. Any other entry of `root/campaigns` and
 * `root/rules` (hidden names and a README aside) is reported the same way, as an error on its path.
 */
export async function findDefinitionFiles(
  root: string,
  paths: readonly string[] | undefined,
): Promise<{ files: DefinitionFile[]; diagnostics: Diagnostic[] }> {
  const rootDir = path.resolve(root);
  const found = new Map<string, DefinitionFile>();
  const add = (absolute: string, reported: boolean, kind = kindOf(absolute)): void => {
    const existing = found.get(absolute);
    if (existing) existing.reported ||= reported;
    else found.set(absolute, { absolute, file: displayPath(absolute), kind, reported, ...refusal(absolute) });
  };
  const campaigns = await entriesOf(path.join(rootDir, 'campaigns'));
  const rules = await entriesOf(path.join(rootDir, 'rules'));
  campaigns.yaml.forEach((f) => add(f, paths === undefined));
  rules.yaml.forEach((f) => add(f, paths === undefined, 'rules'));
  // Reported like a file: always without paths, else when a requested directory holds it.
  const strays = [...campaigns.strays, ...rules.strays].map((s) => ({ ...s, reported: paths === undefined }));
  const diagnostics: Diagnostic[] = [];
  if (!(await isRepository(rootDir))) {
    diagnostics.push(pathDiagnostic(displayPath(rootDir), 'no campaigns/ or rules/ directory here'));
  }
  for (const requested of paths ?? []) {
    const absolute = path.resolve(requested);
    const stat = await fs.stat(absolute).catch(() => undefined);
    if (!stat) {
      diagnostics.push(pathDiagnostic(displayPath(absolute), 'no such file or directory'));
    } else if (stat.isDirectory()) {
      let any = false;
      for (const known of found.values()) {
        if (isInside(known.absolute, absolute)) known.reported = any = true;
      }
      for (const stray of strays) if (isInside(stray.absolute, absolute)) stray.reported = any = true;
      // A directory that holds the root (the root itself, or one above it: a monorepo's top) has the repository's
      // tooling at its top (a compose file, a CI config), not definitions: those are the root's campaigns/ and
      // rules/, reported above. Any other directory's YAML files are read as definitions.
      if (!isInside(rootDir, absolute)) {
        const more = await yamlFilesIn(absolute);
        more.forEach((f) => add(f, true));
        any ||= more.length > 0;
      }
      // A directory asked for by name that holds nothing to check is a mistyped path, not a clean result; one
      // that is another definitions repository was meant as the root.
      if (!any) {
        const message = (await isRepository(absolute))
          ? `no .yaml or .yml files here, but campaigns/ or rules/ below: to check that repository, run ` +
            `pocket --root ${displayPath(absolute)} validate`
          : 'no .yaml or .yml files here';
        diagnostics.push(pathDiagnostic(displayPath(absolute), message));
      }
    } else if (YAML_NAME.test(absolute)) {
      add(absolute, true);
    } else {
      diagnostics.push(
        pathDiagnostic(displayPath(absolute), 'not a definitions file (expected .yaml or .yml)'),
      );
    }
  }
  for (const stray of strays)
    if (stray.reported) diagnostics.push(pathDiagnostic(displayPath(stray.absolute), stray.message));
  const files = [...found.values()].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return { files, diagnostics };
}
