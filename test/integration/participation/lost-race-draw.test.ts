/**
 * A weighted campaign draws once per participation (README Decisions → Decision, "Weighted"): a user whose draw
 * lands on a reward that sold out between the service's read of the counters and its reserve (a lost race, as
 * at the moment a grand prize sells out under a burst) gets the fallback, exactly as a user whose read already
 * showed it sold out. The retry after the lost reserve used to draw again, so those users had a second chance
 * at the other rewards, which got more than their published share.
 */
import type { HotState } from '../../../src/hot-state/hot-state';
import type { Random } from '../../../src/decision/random';
import { createBackends, describeEachBackend, type TestBackends } from '../../helpers/pocket';
import { grantOf, startPockets, type PocketSet } from './invariant-harness';

const CAMPAIGN = 'one-grand-prize';

const campaigns = {
  [CAMPAIGN]: `
rewards:
  - { id: grand, type: coupon, name: Grand, value: 100000, minSpend: 0, cost: 100, stock: 1 }
  - { id: small, type: coupon, name: Small, value: 100, minSpend: 0, cost: 1 }
  - { id: thanks, type: none, name: Thanks }
segments:
  - id: everyone
    rewards: [{ reward: grand, weight: 1 }, { reward: small, weight: 1 }]
decision: { strategy: weighted, fallback: thanks }
`,
};

/** Each participation's draw: 0.25 lands on grand; a second draw, if one were made, 0.75 lands on small. */
const draws: number[] = [];
const random: Random = () => draws.shift() ?? 0.75;

/**
 * The hot state of the service, whose read before the choice never sees the grand prize taken: the read of a
 * request that was in flight while the last one went. The reserve, and any later read, see the truth.
 */
function staleReads(hot: HotState): HotState {
  return new Proxy(hot, {
    get(target, prop, receiver) {
      if (prop === 'beginAndRead') {
        return async (...args: Parameters<HotState['beginAndRead']>) => {
          const result = await target.beginAndRead(...args);
          return { ...result, availability: { ...result.availability, stockUsed: {} } };
        };
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

describeEachBackend('a lost reserve race keeps the weighted draw', (backend) => {
  let backends: TestBackends | undefined;
  let set: PocketSet | undefined;
  beforeAll(async () => {
    backends = await createBackends(backend);
    set = await startPockets(backends, campaigns, {
      overrides: { random, hotState: staleReads(backends.hotState()) },
    });
  });
  afterAll(async () => {
    await set?.close();
    await backends?.destroy();
  });

  it('gives the fallback to a user whose draw landed on a prize taken meanwhile, without drawing again', async () => {
    const server = set?.servers[0];
    if (!server) throw new Error('no server');
    draws.length = 0;
    draws.push(0.25);
    const first = await server.participate(CAMPAIGN, { userId: 'u-first', key: 'k-first' });
    expect(grantOf(first).rewardId).toBe('grand');

    draws.push(0.25, 0.75);
    const second = await server.participate(CAMPAIGN, { userId: 'u-second', key: 'k-second' });
    expect(second.status).toBe(201);
    expect(grantOf(second).rewardId).toBe('thanks');
    expect(draws).toEqual([0.75]); // one draw for the participation, none for the retry
  });
});
