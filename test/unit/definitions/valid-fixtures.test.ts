import { formatDiagnostic } from '../../../src/definitions/diagnostic';
import { loadDefinitions } from '../../../src/definitions/load-definitions';
import { FIXTURES } from './fixture-paths';

async function diagnosticsOf(fixture: string): Promise<string[]> {
  const set = await loadDefinitions({ root: FIXTURES, paths: [`${FIXTURES}/${fixture}`] });
  return set.diagnostics.map(formatDiagnostic);
}

describe('valid definition fixtures', () => {
  it('warns when one reward stock could spend more than the total budget', async () => {
    expect(await diagnosticsOf('valid-budget-warning.yaml')).toEqual([
      `${FIXTURES}/valid-budget-warning.yaml:13:77: warning: rewards[0].stock: stock × maximum charge (1000 × 2000 = 2000000) is above budget.total (1000000) (20,000.00 CNY > 10,000.00 CNY): the budget can run out before the stock`,
    ]);
  });

  it('warns on the later of two overlapping segments, saying who gets the users', async () => {
    expect(await diagnosticsOf('valid-overlap.yaml')).toEqual([
      `${FIXTURES}/valid-overlap.yaml:18:11: warning: segments[1].when: overlaps earlier segment "new-women"; users matching both get "new-women"`,
      `${FIXTURES}/valid-overlap.yaml:24:11: warning: segments[3].when: overlaps earlier segment "new-women"; users matching both get "new-women"`,
    ]);
  });

  it('loads warning-only campaigns into the set', async () => {
    const set = await loadDefinitions({ root: FIXTURES, paths: [`${FIXTURES}/valid-overlap.yaml`] });
    expect(set.campaigns.get('valid-overlap')?.file).toBe(`${FIXTURES}/valid-overlap.yaml`);
    expect(set.rules.get('new-user')?.file).toBe(`${FIXTURES}/rules/fixture-rules.yaml`);
  });

  it('reports nothing for the fixture rules file itself', async () => {
    expect(await diagnosticsOf('rules/fixture-rules.yaml')).toEqual([]);
  });
});
