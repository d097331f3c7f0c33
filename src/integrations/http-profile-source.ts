/**
 * Profiles from the HTTP profile/crowd service: `GET <baseUrl>/profiles/<userId>` answers
 * `{ "profile": { … } }`, or 404 for a user it does not know (an empty profile). Answers are cached for a
 * short TTL; concurrent requests for one user share one call. A timeout, a network error, any other status
 * or an answer that is not that shape is DependencyUnavailableError('profile') → 503, nothing granted, and is
 * never cached.
 */
import { DependencyUnavailableError } from '../errors/app-error';
import { isRecord } from '../shared/is-record';
import type { ProfileSource } from './profile-source';
import { readBounded } from './read-bounded';

type Profile = Record<string, unknown>;

export interface HttpProfileSourceOptions {
  baseUrl: string;
  timeoutMs: number;
  /** 0 disables the cache (concurrent calls are still collapsed). */
  cacheTtlMs: number;
  /** Cached users kept at most; the oldest entries go first. Default 100 000. */
  maxEntries?: number;
  now?: () => number;
}

/**
 * A profile is a few attributes; a bigger answer is refused as soon as it is known to be bigger (and is never
 * cached: 100,000 users of a runaway service's answers would take the process's memory).
 */
const MAX_ANSWER_BYTES = 65536;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

export class HttpProfileSource implements ProfileSource {
  private readonly cache = new Map<string, { at: number; profile: Profile }>();
  private readonly inFlight = new Map<string, Promise<Profile>>();
  private readonly baseUrl: string;
  private readonly now: () => number;

  constructor(private readonly options: HttpProfileSourceOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.now = options.now ?? Date.now;
  }

  profile(userId: string): Promise<Profile> {
    const hit = this.cache.get(userId);
    if (hit && this.now() - hit.at < this.options.cacheTtlMs) return Promise.resolve(hit.profile);
    const pending = this.inFlight.get(userId);
    if (pending) return pending;
    const call = this.fetchProfile(userId)
      .then((profile) => {
        this.remember(userId, profile);
        return profile;
      })
      .finally(() => this.inFlight.delete(userId));
    this.inFlight.set(userId, call);
    return call;
  }

  private remember(userId: string, profile: Profile): void {
    if (this.options.cacheTtlMs <= 0) return;
    this.cache.delete(userId);
    this.cache.set(userId, { at: this.now(), profile });
    const max = this.options.maxEntries ?? 100_000;
    while (this.cache.size > max) {
      const oldest = this.cache.keys().next();
      if (oldest.done === true) break;
      this.cache.delete(oldest.value);
    }
  }

  private async fetchProfile(userId: string): Promise<Profile> {
    const url = `${this.baseUrl}/profiles/${encodeURIComponent(userId)}`;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.options.timeoutMs);
    try {
      const response = await fetch(url, {
        signal: controller.signal,
        headers: { accept: 'application/json' },
      });
      if (response.status === 404) {
        await response.body?.cancel().catch(() => undefined);
        return Object.freeze({});
      }
      if (response.status !== 200) {
        await response.body?.cancel().catch(() => undefined);
        throw new DependencyUnavailableError('profile', `profile service answered ${response.status}`);
      }
      // A body cut off by the timeout is a timeout; one that is not JSON is garbage.
      const { text, truncated } = await readBounded(response, MAX_ANSWER_BYTES);
      if (truncated) {
        throw new DependencyUnavailableError(
          'profile',
          `profile service answered more than ${MAX_ANSWER_BYTES / 1024} KiB`,
        );
      }
      const body = parseJson(text);
      const profile = isRecord(body) ? body['profile'] : undefined;
      if (!isRecord(profile)) {
        throw new DependencyUnavailableError(
          'profile',
          'profile service answered something other than { profile }',
        );
      }
      return Object.freeze(profile);
    } catch (error) {
      if (error instanceof DependencyUnavailableError) throw error;
      const message = controller.signal.aborted
        ? `profile service did not answer within ${this.options.timeoutMs} ms`
        : 'profile service is unreachable';
      throw new DependencyUnavailableError('profile', message);
    } finally {
      clearTimeout(timer);
    }
  }
}
