/** A YAML rate such as `5/min`: `points` requests per `durationSec` seconds (pure). */
export interface RateSpec {
  points: number;
  durationSec: number;
}

const UNIT_SECONDS: Readonly<Record<string, number>> = {
  s: 1,
  sec: 1,
  min: 60,
  h: 3600,
  hour: 3600,
  day: 86400,
};

/** Parses `<count>/<s|sec|min|h|hour|day>` (schemas/campaign.schema.json `rate`); throws on anything else. */
export function parseRate(text: string): RateSpec {
  const match = /^([1-9][0-9]{0,8})\/(s|sec|min|h|hour|day)$/.exec(text);
  const seconds = match ? UNIT_SECONDS[match[2] as string] : undefined;
  if (!match || seconds === undefined) throw new RangeError(`invalid rate "${text}"`);
  return { points: Number(match[1]), durationSec: seconds };
}

/** `Retry-After` in whole seconds, rounded up, never 0 (a client told 0 would retry at once). */
export function retryAfterSeconds(msBeforeNext: number): number {
  return Math.max(1, Math.ceil(msBeforeNext / 1000));
}
