import { CliFailure } from './output';

/**
 * A whole-number option: plain decimal digits within [min, max], else a usage error (exit 2) naming the option
 * and what it got. `Number()` alone would also take `1e3`, `0x10`, `1.0` or ` 5`.
 */
export function integerOption(value: string, name: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^[0-9]{1,15}$/.test(value) || n < min || n > max) {
    throw new CliFailure(`${name} must be an integer from ${min} to ${max} (got "${value}")`, 2);
  }
  return n;
}
