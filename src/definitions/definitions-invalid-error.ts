import { AppError } from '../errors/app-error';
import type { DefinitionCounts } from './definition-set';
import { Diagnostic, formatDiagnostic } from './diagnostic';

/** The definitions have at least one error; `diagnostics` holds every error and warning. */
export class DefinitionsInvalidError extends AppError {
  constructor(
    readonly diagnostics: readonly Diagnostic[],
    /** The valid definitions beside them (`pocket validate`'s counts). */
    readonly counts: DefinitionCounts,
  ) {
    const errors = diagnostics.filter((d) => d.severity === 'error');
    const shown = errors.slice(0, 10).map(formatDiagnostic);
    if (errors.length > shown.length) shown.push(`… and ${errors.length - shown.length} more`);
    super(
      422,
      'definitions_invalid',
      `invalid definitions (${errors.length} error${errors.length === 1 ? '' : 's'}):\n${shown.join('\n')}`,
      {
        diagnostics,
      },
    );
  }
}
