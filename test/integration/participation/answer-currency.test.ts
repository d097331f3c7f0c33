/**
 * A granted answer's `grant.currency` (README HTTP API; additive to DESIGN.md's `grant { … }`): the currency of
 * the budget of the version that granted, as on the grant row, and null in a version without a budget (valid,
 * with a warning); the same on a replay of the answer (DESIGN.md Idempotency: byte for byte).
 */
import { describeEachBackend } from '../../helpers/pocket';
import { grantOf, usePockets } from './invariant-harness';

const REWARDS = `
rewards:
  - { id: rp, type: red_packet, name: Packet, amount: { min: 300, max: 300 }, stock: 10 }
segments:
  - id: everyone
    rewards: [{ reward: rp, weight: 1 }]
decision: { strategy: weighted }
`;

const campaigns = {
  'in-yen': `budget: { currency: JPY }\n${REWARDS}`,
  'no-budget': REWARDS,
};

describeEachBackend('grant.currency of a participation answer', (backend) => {
  const live = usePockets(backend, campaigns);

  const grantCurrencyRow = async (id: string): Promise<unknown> => {
    const row = (await live.server.pocket.db('grants').where({ id }).first('currency')) as
      { currency: unknown } | undefined;
    return row?.currency;
  };

  it.each([
    ['in-yen', 'JPY'],
    ['no-budget', null],
  ])('%s: %s on the first answer and on its replay, as on the grant row', async (campaign, currency) => {
    const p = { userId: `u-${campaign}`, key: 'k-1' };
    const first = await live.server.participate(campaign, p);
    const grant = grantOf(first);
    expect(grant).toMatchObject({ rewardId: 'rp', amount: 300, charge: 300, currency });
    // Present (null included), after DESIGN.md's fields in their order.
    expect(Object.keys(grant)).toEqual(['id', 'rewardId', 'type', 'amount', 'charge', 'test', 'currency']);
    expect(await grantCurrencyRow(grant.id)).toBe(currency);

    const again = await live.server.participate(campaign, p);
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.text).toBe(first.text);
    expect(grantOf(again).currency).toBe(currency);
  });
});
