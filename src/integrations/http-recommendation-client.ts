/**
 * The HTTP recommendation service: `POST <RECOMMEND_URL>/scores` with the JSON RecommendationQuery answers
 * `{ "scores": { "<rewardId>": <number ≥ 0>, … } }`. Ids that were not asked about are ignored; a reward
 * left out keeps its YAML score. A timeout (RECOMMEND_TIMEOUT_MS), a network error, a status other than
 * 200, or an answer of another shape (no `scores` object, a score that is not a finite number ≥ 0) is
 * DependencyUnavailableError('recommendation'): the whole answer is refused, never half used.
 */
import { DependencyUnavailableError } from '../errors/app-error';
import { isRecord } from '../shared/is-record';
import { postJson } from './post-json';
import type { RecommendationQuery, RecommendationSource } from './recommendation-source';

export interface HttpRecommendationClientOptions {
  baseUrl: string;
  timeoutMs: number;
}

/** A score per reward of one segment; anything much bigger is not that. */
const MAX_ANSWER_BYTES = 65536;

function refuse(message: string): DependencyUnavailableError {
  return new DependencyUnavailableError('recommendation', `recommendation answer ${message}`);
}

export class HttpRecommendationClient implements RecommendationSource {
  private readonly url: string;

  constructor(private readonly options: HttpRecommendationClientOptions) {
    this.url = `${options.baseUrl.replace(/\/+$/, '')}/scores`;
  }

  async scores(query: RecommendationQuery): Promise<Record<string, number>> {
    const body = await postJson({
      dependency: 'recommendation',
      url: this.url,
      body: query,
      timeoutMs: this.options.timeoutMs,
      maxBytes: MAX_ANSWER_BYTES,
    });
    const given = isRecord(body) ? body['scores'] : undefined;
    if (!isRecord(given)) throw refuse('has no scores object');
    const scores: Record<string, number> = {};
    for (const id of query.rewardIds) {
      if (!Object.hasOwn(given, id)) continue;
      const score = given[id];
      if (typeof score !== 'number' || !Number.isFinite(score) || score < 0) {
        const shown = typeof score === 'number' ? String(score) : JSON.stringify(score);
        throw refuse(`scores ${JSON.stringify(id)} with ${shown}, not a finite number ≥ 0`);
      }
      scores[id] = score;
    }
    return scores;
  }
}
