import { fileId, type DefinitionFile, type DefinitionKind } from './definition-files';

/** Top-level keys that only a file of one kind has: what a file "looks like". */
const SIGNATURES: Readonly<Record<DefinitionKind, readonly string[]>> = {
  campaign: ['rewards', 'segments'],
  rules: ['rules'],
  cases: ['cases'],
};

function looksLike(kind: DefinitionKind, data: Record<string, unknown>): boolean {
  return SIGNATURES[kind].some((key) => key in data);
}

function advice(kind: DefinitionKind, data: Record<string, unknown>, source: DefinitionFile): string {
  switch (kind) {
    case 'rules':
      return 'this looks like a rules file: rules files belong in rules/';
    case 'campaign': {
      const id = typeof data['id'] === 'string' ? data['id'] : fileId(source.file);
      return source.kind === 'cases'
        ? `this looks like a campaign file: name it ${id}.yaml (${id}.test.yaml holds its cases)`
        : 'this looks like a campaign file: campaign files belong in campaigns/';
    }
    case 'cases': {
      const id = typeof data['campaign'] === 'string' ? data['campaign'] : '<campaign-id>';
      const where = source.kind === 'rules' ? 'move it to campaigns/ and ' : '';
      return `this looks like a case file: ${where}name it ${id}.test.yaml`;
    }
  }
}

/**
 * The kind a file looks like when it is not the kind its place and name say (a rules file moved into
 * campaigns/, a campaign copied into rules/, cases in `x.tests.yaml`), with advice: one error instead of its
 * schema errors. Undefined when the file has a key of its own kind, or of no other kind.
 */
export function wrongKind(
  source: DefinitionFile,
  data: unknown,
): { kind: DefinitionKind; message: string } | undefined {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined;
  const map = data as Record<string, unknown>;
  if (looksLike(source.kind, map)) return undefined;
  const others = (Object.keys(SIGNATURES) as DefinitionKind[]).filter((k) => k !== source.kind);
  const kind = others.find((k) => looksLike(k, map));
  return kind === undefined ? undefined : { kind, message: advice(kind, map, source) };
}
