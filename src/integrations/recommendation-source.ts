/** The external recommendation service, as the efficiency strategy uses it for reward scores. */
export interface RecommendationQuery {
  campaignId: string;
  userId: string;
  /** The rewards to score: the matched segment's rewards that are not consolations. */
  rewardIds: string[];
  /** The request's context (channel, deviceId, appVersion, platform, locale), as the client sent it. */
  context: Record<string, unknown>;
}

export interface RecommendationSource {
  /**
   * Scores (finite, ≥ 0) by reward id, for some or all of `rewardIds`; a reward left out keeps its YAML score.
   * Throws DependencyUnavailableError('recommendation') when it cannot tell.
   */
  scores(query: RecommendationQuery): Promise<Record<string, number>>;
}
