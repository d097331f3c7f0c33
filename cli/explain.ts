/** `pocket explain <campaign> --profile JSON`: every condition's result and the decision for one user. */
import type { Command } from 'commander';
import { unlimitedAvailability } from '../src/decision/availability';
import { campaignWindow } from '../src/decision/campaign-window';
import { seededRandom } from '../src/decision/random';
import { contextProblemText } from '../src/rules/context-shape';
import { historyInputProblems, historyProblemText } from '../src/rules/history-shape';
import { typeSlipHint } from '../src/rules/type-slip-hint';
import { accountAgeText } from '../src/simulation/account-age-text';
import { refusalText } from '../src/simulation/refusal-text';
import {
  decidedBeforeSegments,
  evaluateParticipant,
  possibleRewards,
} from '../src/simulation/evaluate-participant';
import { loadCompiled, parseJsonObject, parseTime, rootOf } from './definitions';
import { localTime } from '../src/shared/local-time';
import { action, CliFailure, parseFormat, printJson, printLines } from './output';

interface Options {
  profile?: string;
  context?: string;
  history?: string;
  at?: string;
  format: string;
}

/** `--history` must have the history fact's shape (its reward ids, the campaign's rewards, once known). */
function checkHistory(
  history: Record<string, unknown>,
  rewards?: { known: string[]; campaign: string },
): void {
  const problem = historyInputProblems(history, 'field', rewards)[0];
  if (problem !== undefined) throw new CliFailure(`--history: ${historyProblemText(problem)}`, 2);
}

export function registerExplain(program: Command): void {
  program
    .command('explain <campaign>')
    .description('show every condition result and the decision for one profile')
    .requiredOption('--profile <json>', 'the profile facts (required), e.g. \'{"gender":"female","age":22}\'')
    .option('--context <json>', 'the request context, e.g. \'{"channel":"app"}\'')
    .option('--history <json>', 'history facts, e.g. \'{"grants":1}\'')
    .option('--at <time>', 'ISO 8601 time (default: the middle of the window)')
    .option('--format <format>', 'text | json', 'text')
    .action(
      action(async (campaignId: string, opts: Options, command: Command) => {
        const format = parseFormat(opts.format, ['text', 'json']);
        const profile = parseJsonObject(opts.profile, '--profile');
        const context = parseJsonObject(opts.context, '--context');
        const contextProblem = contextProblemText(context);
        if (contextProblem !== undefined) throw new CliFailure(`--context: ${contextProblem}`, 2);
        const history = parseJsonObject(opts.history, '--history');
        checkHistory(history);
        const compiled = await loadCompiled(rootOf(command), campaignId);
        const campaign = compiled.resolved.definition;
        checkHistory(history, { known: campaign.rewards.map((r) => r.id), campaign: campaign.id });
        const window = campaignWindow(campaign);
        const at =
          parseTime(opts.at, '--at') ?? new Date(window.start + Math.floor((window.end - window.start) / 2));
        const evaluation = await evaluateParticipant({
          compiled,
          user: { userId: 'explain', profile, context, history },
          now: at,
          availability: unlimitedAvailability(),
          random: seededRandom('explain'),
        });
        const explanation = await compiled.explain(evaluation.facts);
        // Only a granted participation gives a reward: a user over the limit (or outside the window) gets none.
        const rewards =
          evaluation.outcome === 'granted' ? possibleRewards(evaluation, campaign.decision) : [];
        const result = {
          campaign: campaign.id,
          at: at.toISOString(),
          outcome: evaluation.outcome,
          // The decision's segment, as `pocket test` and the service give it: none when liveness or the
          // channel refused the participation first, even if the conditions (in `segments`) match one.
          segment: evaluation.segment?.id ?? null,
          reward: rewards.length === 1 ? rewards[0] : null,
          rewards,
          // The anti-fraud decisions simulated, as the service stores them (its `fraud` decision): only the
          // account age (minAccountAgeDays); empty when the campaign has no such check or it was not reached.
          fraud: evaluation.accountAge ? { accountAge: evaluation.accountAge } : {},
          segments: explanation.segments,
          candidates: evaluation.choice?.candidates ?? [],
        };
        if (format === 'json') {
          printJson(result);
          return;
        }
        const lines = [`${campaign.id} at ${localTime(result.at, campaign.timezone)}`];
        for (const s of explanation.segments) {
          lines.push(
            `segment ${s.segment}${s.rule ? ` (rule ${s.rule})` : ' (everyone)'}: ${s.matched ? 'MATCH' : 'no match'}`,
          );
          for (const c of s.conditions) {
            const got = c.factValue === undefined ? 'missing' : JSON.stringify(c.factValue);
            lines.push(
              `  ${c.result ? 'true ' : 'false'} ${c.path}: ${c.fact}${c.factPath ? `.${c.factPath.replace(/^\$\./, '')}` : ''} ${c.operator} ${JSON.stringify(c.value)} (got ${got})`,
            );
            const hint = typeSlipHint(c);
            if (hint !== undefined) lines.push(`        hint: ${hint}`);
          }
        }
        const unreached =
          decidedBeforeSegments(evaluation) && explanation.segment !== null
            ? ` (${result.outcome} is decided before segments; the conditions alone match ${explanation.segment})`
            : '';
        if (evaluation.accountAge)
          lines.push(`account age: ${accountAgeText(evaluation.accountAge, evaluation.facts.profile)}`);
        const refused = refusalText(campaign, evaluation.outcome, context, at);
        if (refused) lines.push(`${refused[0]}: ${refused[1]}`);
        lines.push(`outcome: ${result.outcome}`, `segment: ${result.segment ?? 'none'}${unreached}`);
        lines.push(
          `reward: ${rewards.length === 0 ? 'none' : rewards.length === 1 ? rewards[0] : `one of ${rewards.join(', ')}`}`,
        );
        printLines(lines);
      }),
    );
}
