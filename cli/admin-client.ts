/**
 * The lifecycle verbs against a running service (`--server URL --token T`), through its /admin endpoints.
 * The CLI loads and validates the definitions locally and sends each resolved campaign; the service
 * validates it again before writing. Error answers become the same AppError the ledger path throws.
 */
import type { ResolvedCampaign } from '../src/definitions/resolve-campaign';
import { AppError } from '../src/errors/app-error';
import { OUTAGE_CODES } from '../src/errors/dependency-failure';
import type {
  ActivationOutcome,
  AuditView,
  ChangeOptions,
  Lifecycle,
  PublishOptions,
  PublishOutcome,
  VersionDetail,
  VersionHistory,
} from '../src/publishing/lifecycle';
import { CliFailure } from './output';

const TIMEOUT_MS = 30_000;

interface ErrorBody {
  error?: { code?: unknown; message?: unknown; [key: string]: unknown };
}

type Kind = 'string' | 'number' | 'boolean' | 'object' | 'array';

/**
 * The keys (and their types) an answer must have: a --server that is not a pocket service (a proxy, another
 * app, a wrong path prefix) may answer 200 with some other JSON, which must fail readably, not as a TypeError
 * while printing it, nor as a success ("already paused") that never happened.
 */
type Shape = Readonly<Record<string, Kind>>;

function kindOf(value: unknown): Kind | 'null' | 'other' {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  const type = typeof value;
  return type === 'string' || type === 'number' || type === 'boolean' || type === 'object' ? type : 'other';
}

function hasShape(value: unknown, shape: Shape): boolean {
  if (kindOf(value) !== 'object') return false;
  const record = value as Record<string, unknown>;
  return Object.entries(shape).every(([key, kind]) => kindOf(record[key]) === kind);
}

const ACTIVATION: Shape = { campaignId: 'string', changed: 'boolean', paused: 'boolean', warnings: 'array' };

/** Why fetch failed: undici's "fetch failed" carries the socket's reason (ECONNREFUSED …) as its cause. */
function fetchFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError') return `no answer within ${TIMEOUT_MS / 1000} s`;
  const cause = error.cause instanceof Error ? error.cause.message : '';
  return cause ? `${error.message} (${cause})` : error.message;
}

/**
 * undici's own failures of a service that went away or went silent: its 10 s connect timeout (a host that drops
 * packets), a socket closed mid-request or mid-answer, headers or a body that stop coming.
 */
const UNDICI_OUTAGES: ReadonlySet<string> = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** What a gateway answers for a service behind it that is down or silent: 502, 503, 504. */
const GATEWAY_OUTAGES: ReadonlySet<number> = new Set([502, 503, 504]);

const codeOf = (error: unknown): unknown =>
  error instanceof Error ? (error as { code?: unknown }).code : undefined;

/** A service down, unreachable or silent: fetch's deadline, or a socket-level cause (ECONNREFUSED, reset …). */
function serverOutage(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'TimeoutError') return true;
  return [codeOf(error), codeOf(error.cause)].some(
    (code) => typeof code === 'string' && (OUTAGE_CODES.has(code) || UNDICI_OUTAGES.has(code)),
  );
}

const serverUnavailable = (message: string): CliFailure =>
  new CliFailure(message, 1, { code: 'dependency_unavailable', details: { dependency: 'server' } });

const NOT_POCKET = '(is --server the address of a pocket service?)';

/**
 * A path of pocket's own at the end of --server (`http://pocket:3000/admin`): the verbs add `/admin/…` to it, so the
 * service answered "no route for POST /admin/admin/…". Null for any other path (a proxy's prefix is legitimate).
 */
function routePrefix(base: string): string | null {
  return /(\/(?:admin|v1|openapi\.json|metrics|healthz|readyz))$/.exec(new URL(base).pathname)?.[1] ?? null;
}

export class AdminClient implements Lifecycle {
  private readonly base: string;

  constructor(
    server: string,
    private readonly token: string,
  ) {
    this.base = server.replace(/\/+$/, '');
  }

  async publish(campaigns: readonly ResolvedCampaign[], options: PublishOptions): Promise<PublishOutcome[]> {
    const body = { ...options, campaigns: campaigns.map((c) => JSON.parse(c.canonical) as unknown) };
    return (
      await this.call<{ results: PublishOutcome[] }>('POST', '/admin/publish', { results: 'array' }, body)
    ).results;
  }

  versions(campaignId: string): Promise<VersionHistory> {
    return this.call('GET', `/admin/campaigns/${encodeURIComponent(campaignId)}/versions`, {
      campaignId: 'string',
      paused: 'boolean',
      versions: 'array',
    });
  }

  async activeVersion(campaignId: string): Promise<VersionDetail | null> {
    try {
      return await this.call<VersionDetail>(
        'GET',
        `/admin/campaigns/${encodeURIComponent(campaignId)}/versions/active`,
        { version: 'number', body: 'string', fingerprint: 'string' },
      );
    } catch (error) {
      if (error instanceof AppError && error.code === 'campaign_not_found') return null;
      throw error;
    }
  }

  rollback(
    campaignId: string,
    to: number,
    options: ChangeOptions & { force: boolean },
  ): Promise<ActivationOutcome> {
    return this.call('POST', `/admin/campaigns/${encodeURIComponent(campaignId)}/rollback`, ACTIVATION, {
      to,
      ...options,
    });
  }

  pause(campaignId: string, options: ChangeOptions): Promise<ActivationOutcome> {
    return this.call('POST', `/admin/campaigns/${encodeURIComponent(campaignId)}/pause`, ACTIVATION, options);
  }

  resume(campaignId: string, options: ChangeOptions): Promise<ActivationOutcome> {
    return this.call(
      'POST',
      `/admin/campaigns/${encodeURIComponent(campaignId)}/resume`,
      ACTIVATION,
      options,
    );
  }

  async audit(query: { campaignId?: string; limit?: number }): Promise<AuditView[]> {
    const params = new URLSearchParams();
    if (query.campaignId !== undefined) params.set('campaign', query.campaignId);
    if (query.limit !== undefined) params.set('limit', String(query.limit));
    const suffix = params.size > 0 ? `?${params.toString()}` : '';
    return (await this.call<{ entries: AuditView[] }>('GET', `/admin/audit${suffix}`, { entries: 'array' }))
      .entries;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /** Any GET under /admin whose answer has `shape`, e.g. a campaign report; error answers become AppError. */
  get<T>(path: string, shape: Shape): Promise<T> {
    return this.call('GET', path, shape);
  }

  private async call<T>(method: 'GET' | 'POST', path: string, shape: Shape, body?: unknown): Promise<T> {
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${this.base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      // The body within the same deadline: a service that dies halfway through an answer is unreachable too.
      text = await response.text();
    } catch (error) {
      const message = `cannot reach ${this.base}: ${fetchFailure(error)}`;
      // Down, unreachable or silent: worth a retry (as a ledger that does not answer); a bad port is not.
      if (!serverOutage(error)) throw new CliFailure(message);
      throw serverUnavailable(message);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      const message = `${method} ${path}: the server answered ${response.status} without JSON`;
      // A proxy or ingress in front of a service that is down, restarting or silent says so in its own words.
      if (GATEWAY_OUTAGES.has(response.status)) throw serverUnavailable(message);
      throw new CliFailure(`${message} ${NOT_POCKET}`);
    }
    if (response.ok) {
      if (hasShape(parsed, shape)) return parsed as T;
      throw new CliFailure(
        `${method} ${path}: the server answered ${response.status} with JSON that is not a pocket answer ` +
          NOT_POCKET,
      );
    }
    // An error answer without pocket's `{"error":{…}}` (`null`, a list, another app's error) is not a pocket one.
    if (!hasShape(parsed, { error: 'object' })) {
      throw new CliFailure(
        `${method} ${path}: the server answered ${response.status} without a pocket error ` + NOT_POCKET,
      );
    }
    const { code, message, ...details } = (parsed as ErrorBody).error ?? {};
    const extra = response.status === 404 && code === 'not_found' ? routePrefix(this.base) : null;
    if (extra !== null) {
      throw new CliFailure(
        `${method} ${path}: ${typeof message === 'string' ? message : 'no such route'}: --server is the ` +
          `service's base address, without ${extra} (--server ${this.base.slice(0, -extra.length)})`,
      );
    }
    throw new AppError(
      response.status,
      typeof code === 'string' ? code : 'error',
      typeof message === 'string' ? message : `the server answered ${response.status}`,
      details,
    );
  }
}
