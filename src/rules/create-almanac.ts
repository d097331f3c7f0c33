import { Almanac } from 'json-rules-engine';
import type { Facts } from './facts';
import type { PathResolver } from './path-resolver';
import { FACTS } from './vocabulary';

/** Constant facts need no cache key: skipping it avoids hashing every fact on every decision. */
const CONSTANT_FACT = { cache: false } as const;

/** One Almanac per decision, shared by every rule evaluated for it. Only allowlisted facts are added. */
export function createAlmanac(facts: Facts, pathResolver: PathResolver): Almanac {
  const almanac = new Almanac({ allowUndefinedFacts: true, pathResolver });
  for (const name of FACTS) almanac.addFact(name, facts[name], CONSTANT_FACT);
  return almanac;
}
