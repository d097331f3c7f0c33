import type { CampaignDefinition, CasesFile, RuleDefinition } from './campaign-types';
import type { Diagnostic } from './diagnostic';
import type { Position } from './node-position';

/** A valid cases file, with where each case starts (for `pocket test`'s failures). */
export interface CasesEntry {
  file: string;
  cases: CasesFile;
  positions: Position[];
}

/** Everything loaded from a definitions repository, with every problem found. */
export interface DefinitionSet {
  /** Valid campaigns by id. */
  campaigns: Map<string, { file: string; definition: CampaignDefinition }>;
  /** Valid rules by id, from every rules file. */
  rules: Map<string, { file: string; rule: RuleDefinition }>;
  /** Valid cases files by the id of the campaign they test. */
  cases: Map<string, CasesEntry>;
  /** Errors and warnings of the reported files, ordered by file and position. */
  diagnostics: Diagnostic[];
}

/** How many definitions of each kind are valid. */
export interface DefinitionCounts {
  campaigns: number;
  rules: number;
  cases: number;
}

/**
 * The definitions whose file has no error: a campaign with a cross-file error (a rule that is not defined) parses
 * and is kept for the other checks, but it is not valid.
 */
export function validCounts(set: DefinitionSet): DefinitionCounts {
  const broken = new Set(set.diagnostics.filter((d) => d.severity === 'error').map((d) => d.file));
  const valid = (entries: ReadonlyMap<string, { file: string }>) =>
    [...entries.values()].filter((e) => !broken.has(e.file)).length;
  return { campaigns: valid(set.campaigns), rules: valid(set.rules), cases: valid(set.cases) };
}
