import { describeEachLedger, useLedger } from '../../helpers/ledger';
import { participation, participations } from './ledger-fixtures';

describeEachLedger('participation store', (kind) => {
  const ledger = useLedger(kind);
  const db = () => ledger.current.db;

  it('finds a participation by its scope, with the exact response to replay', async () => {
    const response = '{"outcome":"granted","grant":{"id":"g1","amount":88},"note":"新年快乐 \\u2603"}\n';
    const stored = participation({
      idemKey: 'k1',
      response,
      statusCode: 201,
      grantId: 'g1',
      clientId: 'gateway',
      codeNonce: 'n1',
      decision: { risk: { score: 12, action: 'allow' }, reasons: ['ok'] },
    });
    await participations.insert(db(), stored);
    const found = await participations.findByScope(db(), 'c1', 'u1', 'k1');
    expect(found).toEqual(stored);
    expect(found?.response).toBe(response);
  });

  it('keeps refusals with their status and no grant', async () => {
    const refused = participation({
      idemKey: 'k2',
      outcome: 'code_used',
      reason: 'code_used',
      statusCode: 403,
      response: '{"code":"code_used"}',
      campaignVersion: null,
      businessDate: null,
      segmentId: null,
    });
    await participations.insert(db(), refused);
    expect(await participations.findByScope(db(), 'c1', 'u1', 'k2')).toEqual(refused);
  });

  it('scopes keys by campaign and user', async () => {
    await participations.insert(db(), participation({ idemKey: 'k' }));
    expect(await participations.findByScope(db(), 'c1', 'u2', 'k')).toBeNull();
    expect(await participations.findByScope(db(), 'c2', 'u1', 'k')).toBeNull();
  });
});
