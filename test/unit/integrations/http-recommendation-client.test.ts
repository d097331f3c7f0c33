/**
 * The HTTP recommendation client against a nock service: the request it sends, the scores it keeps (asked-for
 * ids only), and every way the service can fail (slow, down, non-200, too big, garbage, a bad score) →
 * DependencyUnavailable('recommendation'), which the pipeline turns into the YAML scores.
 */
import nock from 'nock';
import { HttpRecommendationClient } from '../../../src/integrations/http-recommendation-client';
import type { RecommendationQuery } from '../../../src/integrations/recommendation-source';
import { dependencyUnavailable, useStrictNock } from './http-client-fixtures';

const BASE = 'http://recommend.test';

const QUERY: RecommendationQuery = {
  campaignId: 'spring',
  userId: 'u1',
  rewardIds: ['rp', 'coupon'],
  context: { channel: 'app' },
};

describe('HttpRecommendationClient', () => {
  const client = (timeoutMs = 200) => new HttpRecommendationClient({ baseUrl: `${BASE}/`, timeoutMs });

  useStrictNock();

  const unavailable = (message: RegExp) => dependencyUnavailable('recommendation', message);

  it('POSTs the query as JSON to <base>/scores and returns the scores of the asked-for rewards', async () => {
    let sent: unknown;
    nock(BASE)
      .post('/scores')
      .matchHeader('content-type', 'application/json')
      .reply(200, (_uri, body) => {
        sent = body;
        return { scores: { rp: 0.5, coupon: 9, 'not-asked': 100 }, model: 'v7' };
      });
    expect(await client().scores(QUERY)).toEqual({ rp: 0.5, coupon: 9 });
    expect(sent).toEqual(QUERY);
  });

  it('leaves out the rewards the service does not score, and accepts a score of 0', async () => {
    nock(BASE)
      .post('/scores')
      .reply(200, { scores: { coupon: 0 } });
    expect(await client().scores(QUERY)).toEqual({ coupon: 0 });
    nock(BASE).post('/scores').reply(200, { scores: {} });
    expect(await client().scores(QUERY)).toEqual({});
  });

  it('ignores a bad value for a reward it did not ask about', async () => {
    nock(BASE)
      .post('/scores')
      .reply(200, { scores: { rp: 2, other: 'high' } });
    expect(await client().scores(QUERY)).toEqual({ rp: 2 });
  });

  it('is unavailable when the service is slow (timeout)', async () => {
    nock(BASE)
      .post('/scores')
      .delay(500)
      .reply(200, { scores: { rp: 1 } });
    await expect(client(50).scores(QUERY)).rejects.toEqual(unavailable(/did not answer within 50 ms/));
  });

  it('is unavailable when the service is down or answers a status other than 200', async () => {
    nock(BASE).post('/scores').replyWithError({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' });
    await expect(client().scores(QUERY)).rejects.toEqual(unavailable(/unreachable/));
    nock(BASE).post('/scores').reply(500, 'boom');
    await expect(client().scores(QUERY)).rejects.toEqual(unavailable(/answered 500/));
    nock(BASE)
      .post('/scores')
      .reply(204, { scores: { rp: 1 } });
    await expect(client().scores(QUERY)).rejects.toEqual(unavailable(/answered 204/));
  });

  it('is unavailable when the answer is too large', async () => {
    const scores = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`reward-${i}`, i]));
    nock(BASE).post('/scores').reply(200, { scores });
    await expect(client().scores(QUERY)).rejects.toEqual(unavailable(/too large/));
  });

  it.each([
    ['not JSON', '<html>oops</html>', /not JSON/],
    ['null', 'null', /no scores object/],
    ['an array', '[1, 2]', /no scores object/],
    ['no scores', JSON.stringify({ rp: 1 }), /no scores object/],
    ['scores as an array', JSON.stringify({ scores: [1, 2] }), /no scores object/],
    ['a string score', JSON.stringify({ scores: { rp: '3' } }), /"rp" with "3"/],
    ['a negative score', JSON.stringify({ scores: { rp: 1, coupon: -1 } }), /"coupon" with -1/],
    ['a null score', JSON.stringify({ scores: { rp: null } }), /"rp" with null/],
    ['an overflowing score', '{"scores":{"rp":1e999}}', /"rp" with Infinity/],
  ])('refuses the whole answer when it is %s', async (_name, body, message) => {
    nock(BASE).post('/scores').reply(200, body, { 'Content-Type': 'application/json' });
    await expect(client().scores(QUERY)).rejects.toEqual(unavailable(message));
  });
});
