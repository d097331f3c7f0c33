/**
 * Collects a decision trace while the pipeline runs, for the requests that are traced (see `tracePolicy`):
 * the pipeline hands it what it already has (facts, choices, counters) and asks for `explain` only here, so
 * an untraced request pays nothing.
 */
import type { Choice } from '../../decision/choice';
import type { AvailabilitySnapshot } from '../../hot-state/hot-state';
import type { CampaignSnapshot } from '../../publishing/campaign-snapshot';
import type { Facts } from '../../rules/facts';
import { counterSnapshot, type DecisionTrace } from './decision-trace';
import type { StepTimer } from './step-timer';

export interface TracePolicy {
  /** Record a trace for this request at all. */
  record: boolean;
  /** Put it in the answer (a tester asking with ?trace=1). */
  respond: boolean;
  /** Log the fine line (campaign `log: fine`, or a traced tester). */
  fine: boolean;
}

/**
 * `observability.trace` (default `testers`): testers' participations are traced, and returned to a tester who
 * asks with `?trace=1`; `none` traces nobody. `observability.log: fine` traces and logs everyone.
 */
export function tracePolicy(
  definition: Pick<CampaignSnapshot['definition'], 'observability'>,
  tester: boolean,
  asked: boolean,
): TracePolicy {
  const testers = tester && (definition.observability?.trace ?? 'testers') === 'testers';
  const fine = testers || definition.observability?.log === 'fine';
  return { record: fine, respond: testers && asked, fine };
}

export class TraceRecorder {
  private facts: Facts | null = null;
  private segments: DecisionTrace['segments'] = [];
  private segment: string | null = null;
  private fraud: Record<string, unknown> | null = null;
  private readonly choices: DecisionTrace['choices'] = [];
  private before: AvailabilitySnapshot | null = null;
  private after: AvailabilitySnapshot | null = null;

  constructor(
    private readonly snapshot: CampaignSnapshot,
    private readonly businessDate: string,
    private readonly tester: boolean,
    /** The answer carries the trace (a tester asked with ?trace=1). */
    readonly respond = false,
  ) {}

  /** The campaign version the request pinned. */
  get version(): number {
    return this.snapshot.version;
  }

  /** The segment the decision used, once known. */
  get segmentId(): string | null {
    return this.segment;
  }

  async decided(facts: Facts, fraud: Record<string, unknown>, segment: string | null): Promise<void> {
    this.facts = facts;
    this.fraud = fraud;
    this.segment = segment;
    this.segments = (await this.snapshot.compiled.explain(facts)).segments;
  }

  chose(choice: Choice): void {
    this.choices.push({
      strategy: this.snapshot.definition.decision.strategy,
      candidates: choice.candidates,
      draw: choice.draw ?? null,
      picked: choice.kind === 'reward' ? choice.reward.id : null,
      amount: choice.kind === 'reward' ? choice.amount : null,
      charge: choice.kind === 'reward' ? choice.charge : null,
      reserve: null,
    });
  }

  reserved(result: string): void {
    const last = this.choices[this.choices.length - 1];
    if (last) last.reserve = result;
  }

  counters(when: 'before' | 'after', availability: AvailabilitySnapshot | null): void {
    if (when === 'before') this.before ??= availability;
    else this.after = availability;
  }

  build(timer: StepTimer): DecisionTrace {
    return {
      campaignId: this.snapshot.campaignId,
      campaignVersion: this.snapshot.version,
      businessDate: this.businessDate,
      tester: this.tester,
      facts: this.facts,
      segments: this.segments,
      segment: this.segment,
      fraud: this.fraud,
      choices: this.choices,
      counters: { before: counterSnapshot(this.before), after: counterSnapshot(this.after) },
      steps: timer.steps(),
    };
  }
}
