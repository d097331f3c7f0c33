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
