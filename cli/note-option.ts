import { changeTextLength, MAX_CHANGE_TEXT } from '../src/publishing/lifecycle';
import { CliFailure } from './output';

/**
 * A note, author or commit as the change records it, held to the admin endpoints' limit: a note the ledger took
 * locally was a 400 through `--server`, so a pipeline that worked against one failed against the other. Counted
 * in characters, as the message says (600 emoji were "1200 characters").
 */
export function withinChangeLimit(value: string, source: string): string {
  const length = changeTextLength(value);
  if (length <= MAX_CHANGE_TEXT) return value;
  throw new CliFailure(`${source} must be at most ${MAX_CHANGE_TEXT} characters (got ${length})`, 2);
}

/** `--note` as the change records it; absent or blank (`--note ""`): null, not an empty note in the history. */
export function noteOption(value: string | undefined): string | null {
  return value === undefined || value.trim() === '' ? null : withinChangeLimit(value, '--note');
}
