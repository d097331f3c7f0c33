import type { RuleDefinition, RulesFile } from './campaign-types';
import { checkRuleConditions } from './check-rule-conditions';
import type { DocPath } from './finding';
import { error } from './finding';
import { LoadedFile, report } from './loaded-file';
import { positionOf } from './node-position';

export interface CollectedRules {
  /** Valid rules by id; the first definition wins. */
  rules: Map<string, { file: string; rule: RuleDefinition }>;
  /** Every rule id seen, including in files that failed validation (so campaigns are not blamed for them). */
  ids: Set<string>;
  /**
   * False when the rule list of a rules file could not be read (the file is unreadable, not valid YAML, empty,
   * or its `rules` is not a list): its rule ids are unknown, so no campaign can be told that a rule it names
   * does not exist (the file's own error says what to fix first).
   */
  complete: boolean;
  /** Where each valid rule is defined: its file and its index in that file's `rules`. */
  sources: Map<string, { loaded: LoadedFile; index: number }>;
}

/** The rule ids of a file that failed validation, or undefined when some of them cannot be read. */
function rawRuleIds(data: unknown): string[] | undefined {
  const rules = (data as { rules?: unknown } | null | undefined)?.rules;
  if (!Array.isArray(rules)) return undefined;
  const ids = rules.map((r) => (r as { id?: unknown } | null)?.id);
  // A rule without a readable id (`idd: new-user`): its name is unknown too.
  return ids.every((id) => typeof id === 'string') ? (ids as string[]) : undefined;
}

/**
 * Gathers the rules of every rules file, checks each rule's conditions, and reports rule ids defined twice
 * (in one file or across files) at the later definition, naming where the first one is.
 */
export function collectRules(files: readonly LoadedFile[]): CollectedRules {
  const collected: CollectedRules = { rules: new Map(), ids: new Set(), complete: true, sources: new Map() };
  const firstAt = new Map<string, string>();
  for (const loaded of files) {
    const parsed = loaded.parsed;
    if (!parsed || !loaded.valid) {
      const ids = rawRuleIds(parsed?.data);
      if (ids === undefined) collected.complete = false;
      ids?.forEach((id) => collected.ids.add(id));
      continue;
    }
    (parsed.data as RulesFile).rules.forEach((rule, i) => {
      const idPath: DocPath = ['rules', i, 'id'];
      const first = firstAt.get(rule.id);
      if (first !== undefined) {
        report(loaded, [error(idPath, `duplicate rule id "${rule.id}"; first defined at ${first}`)]);
      } else {
        const { line, col } = positionOf(parsed.document, parsed.lineCounter, idPath);
        firstAt.set(rule.id, `${parsed.file}:${line}:${col}`);
        collected.ids.add(rule.id);
        collected.rules.set(rule.id, { file: parsed.file, rule });
        collected.sources.set(rule.id, { loaded, index: i });
      }
      report(loaded, checkRuleConditions(rule, ['rules', i]));
    });
  }
  return collected;
}
