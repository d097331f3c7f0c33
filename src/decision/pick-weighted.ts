/**
 * The index a uniform `u` in [0, 1) lands on when each index owns a share of [0, 1) proportional to its
 * weight, in list order. Weights must be positive; -1 for an empty list.
 */
export function pickWeighted(weights: readonly number[], u: number): number {
  const total = weights.reduce((sum, w) => sum + w, 0);
  const point = u * total;
  let cumulative = 0;
  for (let i = 0; i < weights.length; i++) {
    cumulative += weights[i] ?? 0;
    if (point < cumulative) return i;
  }
  return weights.length - 1; // only reached through floating-point rounding at the very top
}
