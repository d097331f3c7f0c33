/**
 * Tells an infrastructure failure (a dependency that is down, unreachable or timing out) from a bug, so a
 * read endpoint answers 503 for the first and 500 only for the second.
 */
import { AppError, DependencyUnavailableError } from './app-error';

/**
 * Socket-level reasons a dependency could not be reached: down, restarting, a hung server or a network cut. A name
 * that does not resolve counts, since a stopped container's name stops resolving too.
 */
export const OUTAGE_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/** PostgreSQL SQLSTATE classes: 08 connection exception, 53 insufficient resources, 57 operator intervention. */
const PG_UNAVAILABLE_CLASSES = ['08', '53', '57'];
const SQLITE_UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|IOERR|CANTOPEN|FULL|NOMEM)/;
const LEDGER_MESSAGES = [
  /Timeout acquiring a connection/i,
  /Unable to acquire a connection/i,
  /Connection terminated/i,
  /database connection is not open/i,
  // pg: a new connection unanswered within its connect timeout; a client whose connection broke.
  /^timeout expired$/,
  /is not queryable/,
];
const REDIS_MESSAGES = [
  /Command timed out/i,
  /Connection is closed/i,
  /Stream isn't writeable/i,
  /Reached the max retries/i,
];

interface ErrorShape {
  code?: unknown;
  name?: unknown;
  message?: unknown;
}

export function dependencyOf(error: unknown): 'ledger' | 'hot-state' | null {
  if (typeof error !== 'object' || error === null) return null;
  const { code, name, message } = error as ErrorShape;
  const text = typeof message === 'string' ? message : '';
  if (name === 'MaxRetriesPerRequestError' || REDIS_MESSAGES.some((r) => r.test(text))) return 'hot-state';
  if (name === 'KnexTimeoutError' || LEDGER_MESSAGES.some((r) => r.test(text))) return 'ledger';
  if (typeof code === 'string') {
    if (OUTAGE_CODES.has(code)) return 'ledger';
    if (/^[0-9A-Z]{5}$/.test(code) && PG_UNAVAILABLE_CLASSES.includes(code.slice(0, 2))) return 'ledger';
    if (SQLITE_UNAVAILABLE.test(code)) return 'ledger';
  }
  return null;
}

/**
 * Runs a call to a dependency (ledger, hot state, profile…) on the participation path: an AppError passes
 * through; any other failure becomes 503 dependency_unavailable naming `name`. Fail closed, nothing granted.
 */
export async function failClosed<T>(name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new DependencyUnavailableError(name);
  }
}
