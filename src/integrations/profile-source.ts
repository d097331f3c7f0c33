/** Where `profile` facts come from: the HTTP profile/crowd service, or a local file in the embedded mode. */
export interface ProfileSource {
  /** The user's profile; `{}` for an unknown user. Throws DependencyUnavailableError when the source is down. */
  profile(userId: string): Promise<Record<string, unknown>>;
}
