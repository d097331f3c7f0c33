/** The external risk-scoring service, as the anti-fraud screen uses it. */
export interface RiskQuery {
  campaignId: string;
  userId: string;
  deviceId: string | null;
  ip: string;
  channel: string | null;
}

export interface RiskClient {
  /** The user's risk score (higher is riskier). Throws DependencyUnavailableError('risk') when it cannot tell. */
  score(query: RiskQuery): Promise<number>;
}
