import { createHash } from 'crypto';
import type { CampaignDefinition, RuleDefinition } from './campaign-types';
import { canonicalJson } from './canonical-json';

/** A campaign joined with the rules it references: what is published, compiled and fingerprinted. */
export interface ResolvedCampaign {
  definition: CampaignDefinition;
  /** Only the rules the campaign's segments reference, by id. */
  rules: Record<string, RuleDefinition>;
  /** Canonical JSON of `{ definition, rules }`: keys sorted recursively, no whitespace. */
  canonical: string;
  /** sha256 (hex) of `canonical`. */
  fingerprint: string;
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function build(definition: CampaignDefinition, rules: Record<string, RuleDefinition>): ResolvedCampaign {
  const canonical = canonicalJson({ definition, rules });
  // Parse the canonical text back so the result shares no objects with the caller's data.
  const copy = JSON.parse(canonical) as {
    definition: CampaignDefinition;
    rules: Record<string, RuleDefinition>;
  };
  return { definition: copy.definition, rules: copy.rules, canonical, fingerprint: sha256(canonical) };
}

/**
 * Joins a validated campaign with the rules its segments reference. Throws if a referenced rule is missing
 * (loadDefinitions reports that as a diagnostic first, so this only happens when validation was skipped).
 */
export function resolveCampaign(
  definition: CampaignDefinition,
  rules: ReadonlyMap<string, RuleDefinition>,
): ResolvedCampaign {
  const referenced: Record<string, RuleDefinition> = {};
  for (const segment of definition.segments) {
    if (segment.when === undefined) continue;
    const rule = rules.get(segment.when);
    if (!rule) throw new Error(`campaign "${definition.id}": rule "${segment.when}" is not defined`);
    referenced[segment.when] = rule;
  }
  return build(definition, referenced);
}

/**
 * Rebuilds a resolved campaign from its canonical JSON (e.g. a version read back from the ledger). The text
 * is re-canonicalized and the fingerprint recomputed, so it never trusts a stored fingerprint.
 */
export function resolvedFromCanonical(canonical: string): ResolvedCampaign {
  const parsed = JSON.parse(canonical) as unknown;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new TypeError('resolved campaign JSON must be an object with definition and rules');
  }
  const { definition, rules } = parsed as Record<string, unknown>;
  if (typeof definition !== 'object' || definition === null || typeof rules !== 'object' || rules === null) {
    throw new TypeError('resolved campaign JSON must be an object with definition and rules');
  }
  return build(definition as CampaignDefinition, rules as Record<string, RuleDefinition>);
}
