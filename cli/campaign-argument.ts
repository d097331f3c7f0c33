/**
 * The `<campaign>` argument of the verbs that take `--server`, checked before either path is taken: the service
 * refuses an id that is not kebab-case with a 400 (`invalid request`) while the ledger answered
 * `campaign_not_found`, and fetch resolves `.` and `..` away (`pocket pause ..` asked for `POST /admin/pause`),
 * so the same mistake gave three different errors. Now it gets one usage error on both paths.
 */
import { isCampaignId } from '../src/http/campaign-id';
import { CliFailure } from './output';

/** Not the type guard: a string it refuses is still a string, whose lower case may be an id. */
const valid = (value: string): boolean => isCampaignId(value);

/** `value` if it is a campaign id, else a usage error; `option` names the option it came from (`--campaign`). */
export function campaignArgument(value: string, option?: string): string {
  if (valid(value)) return value;
  const lower = value.toLowerCase();
  const hint = valid(lower) ? ` (did you mean "${lower}"?)` : '';
  throw new CliFailure(
    `${option ? `${option}: ` : ''}${JSON.stringify(value)} is not a campaign id: ids are kebab-case (a-z, 0-9 and single hyphens), ` +
      `1-64 characters${hint}`,
    2,
    { code: 'usage', details: { campaign: value } },
  );
}
