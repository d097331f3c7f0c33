import { AppError } from '../errors/app-error';
import { Diagnostic, formatDiagnostic } from './diagnostic';

/** The definitions have at least one error; `diagnostics` holds every error and warning. */
export class DefinitionsInvalidError extends AppError {
  constructor(readonly diagnostics: readonly Diagnostic[]) {
    const errors = diagnostics.filter((d) => d.severity === 'error');
    const shown = errors.slice(0, 10).map(formatDiagnostic);
    if (errors.length > shown.length) shown.push(`… and ${errors.length - shown.length} more`);
    super(422, 'definitions_invalid', `invalid definitions (${errors.length} errors):\n${shown.join('\n')}`, {
      diagnostics,
    });
  }
}
