/**
 * Integration suites need real PostgreSQL and Redis. They skip with a clear message when DATABASE_URL /
 * REDIS_URL are not set, and fail instead when POCKET_REQUIRE_SERVICES=1 (which .ci/run sets).
 */
import { randomBytes } from 'node:crypto';

const required = process.env.POCKET_REQUIRE_SERVICES === '1';

export interface ServiceUrls {
  databaseUrl?: string;
  redisUrl?: string;
}

function missing(names: string[]): string[] {
  return names.filter((n) => !process.env[n]);
}

/**
 * `describe` when every named variable is set; otherwise `describe.skip` with a message, or a failing suite
 * when services are required.
 */
export function describeWithServices(
  names: Array<'DATABASE_URL' | 'REDIS_URL'>,
  title: string,
  body: () => void,
): void {
  const absent = missing(names);
  if (absent.length === 0) {
    describe(title, body);
    return;
  }
  if (required) {
    describe(title, () => {
      it('has its services', () => {
        throw new Error(`POCKET_REQUIRE_SERVICES=1 but ${absent.join(', ')} not set`);
      });
    });
    return;
  }
  console.warn(`skipping "${title}": set ${absent.join(' and ')} to run it`);
  describe.skip(title, body);
}

/** A short unique name for a per-suite schema, Redis key prefix or SQLite file. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}
