/**
 * A resolved campaign that cannot be compiled: a rule that the loader should have refused (unknown fact,
 * operator or path) or a segment naming an unknown rule. Thrown at compile time, never per decision.
 */
export class RuleCompilationError extends Error {
  override readonly name = 'RuleCompilationError';

  constructor(
    readonly ruleId: string,
    readonly conditionPath: string,
    readonly detail: string,
  ) {
    super(`rule "${ruleId}"${conditionPath ? ` at ${conditionPath}` : ''}: ${detail}`);
  }
}
