import type { Candidate } from './evaluate-candidate';

/**
 * The efficiency strategy's pick: among available candidates that are not consolations, the one with the
 * highest score / expected charge (the first in list order on a tie); when none is available, the first
 * available consolation. Undefined when nothing is available.
 */
export function pickMostEfficient(candidates: readonly Candidate[]): Candidate | undefined {
  let best: Candidate | undefined;
  for (const c of candidates) {
    if (c.trace.available && c.reward.type !== 'none' && (best === undefined || c.rank > best.rank)) best = c;
  }
  return best ?? candidates.find((c) => c.trace.available && c.reward.type === 'none');
}
