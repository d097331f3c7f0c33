import { atStakeTotals, budgetCharge } from '../../../src/reconciliation/money-at-stake';
import { totalsText } from '../../../src/shared/money';

describe('money at stake', () => {
  it('totals charges per currency, exactly past 2^53, leaving out the listed items without a grant', () => {
    const max = Number.MAX_SAFE_INTEGER;
    const totals = atStakeTotals([
      { charge: 1234, currency: 'KWD' },
      { charge: max, currency: 'JPY' },
      { charge: null, currency: null },
      { charge: 1, currency: 'KWD' },
      { charge: max, currency: 'JPY' },
      { charge: 500, currency: null },
    ]);
    expect(totals).toEqual([
      { currency: 'KWD', charge: 1235 },
      { currency: 'JPY', charge: '18014398509481982' },
      { currency: null, charge: 500 },
    ]);
    expect(totalsText(totals)).toBe('1.235 KWD, 18,014,398,509,481,982 JPY, 500 (minor units, no currency)');
    expect(totalsText([])).toBe('none');
  });

  it("counts a tester's grant as no charge: testers spend nothing", () => {
    expect(budgetCharge({ charge: 300, test: false })).toBe(300);
    expect(budgetCharge({ charge: 300, test: true })).toBe(0);
  });
});
