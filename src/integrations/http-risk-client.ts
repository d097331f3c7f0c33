/**
 * The HTTP risk service: `POST <RISK_URL>/score` with the JSON RiskQuery answers `{ "score": <number> }`.
 * A timeout (RISK_TIMEOUT_MS), a network error, a status other than 200 or an answer of another shape is
 * DependencyUnavailableError('risk'); the campaign's `risk.onError` decides what that means.
 */
import { DependencyUnavailableError } from '../errors/app-error';
import { postJson } from './post-json';
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
    const body = await postJson({
      dependency: 'risk',
      url: this.url,
      body: query,
      timeoutMs: this.options.timeoutMs,
      maxBytes: MAX_ANSWER_BYTES,
    });
    const score = (body as { score?: unknown } | null)?.score;
    if (typeof body !== 'object' || typeof score !== 'number' || !Number.isFinite(score)) {
      throw new DependencyUnavailableError('risk', 'risk answer has no numeric score');
    }
    return score;
  }
}
