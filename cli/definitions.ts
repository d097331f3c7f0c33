/** Loading definitions for CLI verbs: invalid definitions print every error as file:line:col and fail. */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { DefinitionsInvalidError } from '../src/definitions/definitions-invalid-error';
import { didYouMean } from '../src/definitions/did-you-mean';
import { loadResolvedCampaigns } from '../src/definitions/load-resolved-campaigns';
import type { ResolvedCampaign } from '../src/definitions/resolve-campaign';
import type { DefinitionSet } from '../src/definitions/definition-set';
import { firstDuplicateKey } from '../src/http/json-duplicate-key';
import { dateTimeProblem, parseDateTime } from '../src/shared/date-time';
import { getCompiledCampaign } from '../src/rules/compiled-campaign-cache';
import type { CompiledCampaign } from '../src/rules/compiled-campaign';
import { CliFailure, definitionsFailure } from './output';

function rootProblem(root: string): string | null {
  try {
    const stat = statSync(root, { throwIfNoEntry: false });
    if (!stat) return 'no such directory';
    return stat.isDirectory() ? null : 'not a directory';
  } catch (error) {
    // `/etc/passwd/sub`: a file where a directory should be, on the way.
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') return 'not a directory';
    throw error;
  }
}

/**
 * The definitions repository: `--root`, else POCKET_DEFINITIONS, else the working directory. A `--root` that is no
 * directory is a usage error naming it: it was reported as a definitions error at a made-up `path:1:1`.
 */
export function rootOf(command: Command): string {
  const opts = command.optsWithGlobals<{ root?: string }>();
  if (opts.root !== undefined) {
    const problem = rootProblem(opts.root);
    if (problem) throw new CliFailure(`--root ${opts.root}: ${problem}`, 2);
  }
  return resolve(opts.root ?? process.env['POCKET_DEFINITIONS'] ?? '.');
}

export async function loadAll(root: string): Promise<{ resolved: ResolvedCampaign[]; set: DefinitionSet }> {
  try {
    return await loadResolvedCampaigns(root);
  } catch (error) {
    if (error instanceof DefinitionsInvalidError) throw definitionsFailure(error);
    throw error;
  }
}

export async function loadCompiled(root: string, campaignId: string): Promise<CompiledCampaign> {
  const { resolved } = await loadAll(root);
  const campaign = resolved.find((r) => r.definition.id === campaignId);
  if (!campaign) {
    throw unknownCampaign([campaignId], resolved);
  }
  return getCompiledCampaign(campaign);
}

/** Campaigns asked for that are not in the definitions, with the known ones. */
export function unknownCampaign(ids: readonly string[], resolved: readonly ResolvedCampaign[]): CliFailure {
  const known = resolved.map((r) => r.definition.id);
  const [only] = ids;
  // A typo of one id names the closest, as the lifecycle verbs do for a published one.
  const hint = ids.length === 1 && only !== undefined ? didYouMean(only, known) : '';
  return new CliFailure(
    `unknown campaign ${ids.map((id) => `"${id}"`).join(', ')}${hint} (known: ${known.join(', ') || 'none'})`,
    1,
    { code: 'unknown_campaign', details: { campaigns: ids, known } },
  );
}

/**
 * Parses an ISO 8601 time given on the command line by the same rule as the YAML files: a time without an
 * offset (read in the machine's zone) or a bare date (UTC midnight) would silently depend on where it runs.
 */
export function parseTime(value: string | undefined, option: string): Date | null {
  if (value === undefined) return null;
  const at = parseDateTime(value);
  if (!at) throw new CliFailure(`${option} ${dateTimeProblem(value)} (got "${value}")`, 2);
  return at;
}

/** Parses a JSON object given on the command line. */
export function parseJsonObject(value: string | undefined, option: string): Record<string, unknown> {
  if (value === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    throw new CliFailure(`${option} is not valid JSON: ${(error as Error).message}`, 2);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CliFailure(`${option} must be a JSON object`, 2);
  }
  // As the HTTP API refuses a body that repeats a key (JSON.parse keeps the last, other parsers the first).
  const repeated = firstDuplicateKey(value);
  if (repeated !== null) throw new CliFailure(`${option} holds the key "${repeated}" more than once`, 2);
  return parsed as Record<string, unknown>;
}
