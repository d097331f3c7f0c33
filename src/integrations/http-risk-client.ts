/**
 * The HTTP risk service: `POST <RISK_URL>/score` with the JSON RiskQuery answers `{ "score": <number> }`.
 * A timeout (RISK_TIMEOUT_MS), a network error, a status other than 200 or an answer of another shape is
 * DependencyUnavailableError('risk'); the campaign's `risk.onError` decides what that means.
 */
import { DependencyUnavailableError } from '../errors/app-error';
import type { RiskClient, RiskQuery } from './risk-client';

export interface HttpRiskClientOptions {
  baseUrl: string;
  timeoutMs: number;
}

/** Answers are small; anything bigger is not a score. */
const MAX_ANSWER_BYTES = 4096;

export class HttpRiskClient implements RiskClient {
  private readonly url: string;

  constructor(private readonly options: HttpRiskClientOptions) {
    this.url = `${options.baseUrl.replace(/\/+$/, '')}/score`;
  }

  async score(query: RiskQuery): Promise<number> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.options.timeoutMs);
    try {
      const response = await fetch(this.url, {
        method: 'POST',
        signal: controller.signal,
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(query),
      });
      if (response.status !== 200) {
        await response.body?.cancel().catch(() => undefined);
        throw new DependencyUnavailableError('risk', `risk service answered ${response.status}`);
      }
      const text = await response.text();
      if (text.length > MAX_ANSWER_BYTES)
        throw new DependencyUnavailableError('risk', 'risk answer is too large');
      const body = JSON.parse(text) as unknown;
      const score = (body as { score?: unknown } | null)?.score;
      if (typeof body !== 'object' || typeof score !== 'number' || !Number.isFinite(score)) {
        throw new DependencyUnavailableError('risk', 'risk answer has no numeric score');
      }
      return score;
    } catch (error) {
      if (error instanceof DependencyUnavailableError) throw error;
      const timedOut = controller.signal.aborted;
      throw new DependencyUnavailableError(
        'risk',
        timedOut
          ? `risk service did not answer within ${this.options.timeoutMs} ms`
          : 'risk service is unreachable',
      );
    } finally {
      clearTimeout(timer);
    }
  }
}
