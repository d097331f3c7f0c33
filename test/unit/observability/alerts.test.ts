import { nextEpisode, type EpisodeState } from '../../../src/observability/alerts/alert-episode';
import type { AlertLevel } from '../../../src/observability/alerts/alert-level';
import { burnRate, type BurnRateInput } from '../../../src/observability/alerts/burn-rate';
import { spikeLevel } from '../../../src/observability/alerts/error-spike';

const HOUR = 3_600_000;
const T0 = new Date('2026-11-11T02:00:00Z');
const at = (ms: number): Date => new Date(T0.getTime() + ms);

describe('burnRate', () => {
  // A 10-hour window, 2 hours in, with an hour of history.
  const base: BurnRateInput = {
    limit: 10_000,
    spent: 2_000,
    recentSpend: 1_000,
    lookbackStart: at(HOUR),
    now: at(2 * HOUR),
    end: at(10 * HOUR),
  };

  it('fires when the recent pace exhausts the budget before the end', () => {
    // 8,000 left at 1,000/h: 8 h more, the window has 8 h left → exactly at the end: not before it.
    expect(burnRate(base)).toEqual({
      level: 'hold',
      remaining: 8000,
      perHour: 1000,
      exhaustsAt: at(10 * HOUR),
    });
    // 1,100/h: out after 7.27 h, before the end.
    const fast = burnRate({ ...base, recentSpend: 1_100 });
    expect([fast.level, fast.perHour]).toEqual(['firing', 1100]);
    expect(fast.exhaustsAt?.getTime()).toBeLessThan(at(10 * HOUR).getTime());
  });

  it('recovers only with a margin past the end (10% of the time left), holding in between', () => {
    expect(burnRate({ ...base, recentSpend: 950 }).level).toBe('hold'); // out at +8.42 h: inside the margin
    expect(burnRate({ ...base, recentSpend: 900 }).level).toBe('ok'); // +8.89 h ≥ 8 h + 0.8 h
    expect(burnRate({ ...base, recentSpend: 0 })).toMatchObject({
      level: 'ok',
      exhaustsAt: null,
      perHour: 0,
    });
  });

  it('keeps firing on an exhausted budget with time left; the end of the period is always ok', () => {
    expect(burnRate({ ...base, spent: 10_000, recentSpend: 0 })).toMatchObject({
      level: 'firing',
      remaining: 0,
    });
    expect(burnRate({ ...base, spent: 12_000 }).remaining).toBe(0);
    expect(burnRate({ ...base, now: at(10 * HOUR), spent: 10_000 }).level).toBe('ok');
  });

  it('does not judge on less than five minutes of history', () => {
    const early = { ...base, lookbackStart: at(0), now: at(4 * 60_000), recentSpend: 5_000 };
    expect(burnRate(early).level).toBe('hold');
    expect(burnRate({ ...early, now: at(5 * 60_000) }).level).toBe('firing');
  });
});

describe('spikeLevel', () => {
  it('fires at 5% of at least 20 requests, recovers under 1%, holds in between', () => {
    expect(spikeLevel(1, 20)).toBe('firing');
    expect(spikeLevel(4, 100)).toBe('hold');
    expect(spikeLevel(5, 100)).toBe('firing');
    expect(spikeLevel(1, 100)).toBe('hold');
    expect(spikeLevel(0, 100)).toBe('ok');
    expect(spikeLevel(1, 101)).toBe('ok');
  });

  it('says nothing on thin traffic except that none failed', () => {
    expect(spikeLevel(19, 19)).toBe('hold');
    expect(spikeLevel(0, 3)).toBe('ok');
    expect(spikeLevel(0, 0)).toBe('ok');
  });
});

describe('nextEpisode', () => {
  function run(levels: AlertLevel[]): Array<string | null> {
    let state: EpisodeState | null = null;
    return levels.map((level, i) => {
      const next = nextEpisode(state, level, at(i * 60_000));
      state = next.state;
      return next.transition && `${next.transition}#${next.state.episode}`;
    });
  }

  it('fires once per episode and recovers once, holding keeps the state', () => {
    expect(
      run(['ok', 'firing', 'firing', 'hold', 'firing', 'hold', 'ok', 'ok', 'hold', 'firing', 'ok']),
    ).toEqual([null, 'fired#1', null, null, null, null, 'recovered#1', null, null, 'fired#2', 'recovered#2']);
    expect(run(['hold', 'ok'])).toEqual([null, null]);
  });

  it('records when the state began and what the episode fired about', () => {
    const fired = nextEpisode(null, 'firing', at(0), 'reward:rp/5');
    expect(fired.state).toEqual({ firing: true, episode: 1, since: at(0), subject: 'reward:rp/5' });
    const kept = nextEpisode(fired.state, 'firing', at(60_000));
    expect(kept.state.since).toEqual(at(0));
    const recovered = nextEpisode(kept.state, 'ok', at(120_000));
    expect(recovered.state).toEqual({
      firing: false,
      episode: 1,
      since: at(120_000),
      subject: 'reward:rp/5',
    });
  });
});
