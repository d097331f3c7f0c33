import { MAX_CHANGE_TEXT } from '../src/publishing/lifecycle';
import { CliFailure } from './output';

/**
 * A `--note` as the change records it, held to the admin endpoints' limit: a note the ledger took locally was a
 * 400 through `--server`, so a pipeline that worked against one failed against the other. Absent: null.
 */
export function noteOption(value: string | undefined): string | null {
  if (value === undefined) return null;
  if (value.length > MAX_CHANGE_TEXT) {
    throw new CliFailure(`--note must be at most ${MAX_CHANGE_TEXT} characters (got ${value.length})`, 2);
  }
  return value;
}
