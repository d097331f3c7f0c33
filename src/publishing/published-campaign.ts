/**
 * A resolved campaign sent to the service (`POST /admin/…/publish`): the CLI loaded and validated it from
 * YAML, but the service trusts nothing it receives. The body goes through the same schema, rule and
 * campaign checks, the same resolve step as files do and the compile step of server start, and the fingerprint
 * is computed here.
 */
import { checkCampaign } from '../definitions/check-campaign';
import { checkRuleConditions } from '../definitions/check-rule-conditions';
import { checkRuleRewards } from '../definitions/check-rule-rewards';
import type { CampaignDefinition, RuleDefinition } from '../definitions/campaign-types';
import { formatPath, type Finding } from '../definitions/finding';
import { resolveCampaign, type ResolvedCampaign } from '../definitions/resolve-campaign';
import { validateAgainstSchema } from '../definitions/schema-validator';
import { ValidationError, type FieldError } from '../errors/app-error';
import { getCompiledCampaign } from '../rules/compiled-campaign-cache';
import { RuleCompilationError } from '../rules/rule-compilation-error';
import { isRecord } from '../shared/is-record';

function fieldErrors(prefix: string, findings: readonly Finding[]): FieldError[] {
  return findings
    .filter((f) => f.severity === 'error')
    .map((f) => ({
      path: `${prefix}${f.path.length > 0 ? `.${formatPath(f.path)}` : ''}`,
      message: f.message,
    }));
}

function checkRules(
  rules: Record<string, unknown>,
  at: string,
): { fields: FieldError[]; valid: Map<string, RuleDefinition> } {
  const fields: FieldError[] = [];
  const valid = new Map<string, RuleDefinition>();
  for (const [id, rule] of Object.entries(rules)) {
    const schema = validateAgainstSchema('rules', { rules: [rule] });
    const ruleFields = fieldErrors(`${at}.rules`, schema).map((f) => ({
      ...f,
      path: f.path.replace(`${at}.rules.rules[0]`, `${at}.rules.${id}`),
    }));
    if (ruleFields.length === 0 && (rule as RuleDefinition).id !== id) {
      ruleFields.push({ path: `${at}.rules.${id}.id`, message: `must equal its key "${id}"` });
    }
    if (ruleFields.length === 0) {
      ruleFields.push(...fieldErrors(`${at}.rules.${id}`, checkRuleConditions(rule as RuleDefinition, [])));
    }
    if (ruleFields.length === 0) valid.set(id, rule as RuleDefinition);
    fields.push(...ruleFields);
  }
  return { fields, valid };
}

/** `history.rewards.<id>` paths in the rules, against this campaign's rewards (once per rule). */
function ruleRewardErrors(
  campaign: CampaignDefinition,
  rules: ReadonlyMap<string, RuleDefinition>,
  at: string,
): FieldError[] {
  const fields: FieldError[] = [];
  const checked = new Set<string>();
  for (const segment of campaign.segments) {
    const rule = segment.when === undefined ? undefined : rules.get(segment.when);
    if (!rule || checked.has(rule.id)) continue;
    checked.add(rule.id);
    fields.push(...fieldErrors(`${at}.rules.${rule.id}`, checkRuleRewards(rule, [], campaign, segment.id)));
  }
  return fields;
}

/**
 * What the compile step refuses (anything the checks above let by), as a field: a rule's own refusal names the
 * condition (`campaigns[0].rules.vip.conditions.all[0].value`), anything else the campaign. Compiled through the
 * cache, so the publish service's own compile of it is a lookup.
 */
function compileErrors(resolved: ResolvedCampaign, at: string): FieldError[] {
  try {
    getCompiledCampaign(resolved);
    return [];
  } catch (error) {
    if (!(error instanceof RuleCompilationError)) {
      return [{ path: at, message: `does not compile: ${(error as Error).message}` }];
    }
    const condition = error.conditionPath === '' ? '' : `.${error.conditionPath}`;
    return [{ path: `${at}.rules.${error.ruleId}.conditions${condition}`, message: error.detail }];
  }
}

/**
 * Validates `{ definition, rules }` (rules by id), resolves and compiles it; throws ValidationError naming every
 * problem as a path under `at` (e.g. `campaigns[0].definition.rewards[1].stock`).
 */
export function resolvePublishedCampaign(value: unknown, at: string): ResolvedCampaign {
  if (!isRecord(value) || !isRecord(value['definition']) || !isRecord(value['rules'])) {
    throw new ValidationError('invalid campaign', [
      { path: at, message: 'must be an object { definition, rules } (rules by id)' },
    ]);
  }
  const definition = value['definition'];
  const fields = fieldErrors(`${at}.definition`, validateAgainstSchema('campaign', definition));
  const rules = checkRules(value['rules'], at);
  fields.push(...rules.fields);
  if (fields.length === 0) {
    const campaign = definition as unknown as CampaignDefinition;
    const known = { ids: new Set(rules.valid.keys()), complete: true, rules: rules.valid };
    fields.push(...fieldErrors(`${at}.definition`, checkCampaign(campaign, known)));
    fields.push(...ruleRewardErrors(campaign, rules.valid, at));
  }
  const invalid = (errors: FieldError[]): ValidationError =>
    new ValidationError('invalid campaign definition', errors, 'invalid_definition');
  if (fields.length > 0) throw invalid(fields);
  const resolved = resolveCampaign(definition as unknown as CampaignDefinition, rules.valid);
  const compile = compileErrors(resolved, at);
  if (compile.length > 0) throw invalid(compile);
  return resolved;
}
