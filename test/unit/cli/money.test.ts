/** Money in the CLI's text outputs: integer minor units shown in major units, the currency's own digits. */
import { formatMoney, majorUnits } from '../../../cli/money';

describe('formatMoney', () => {
  it('shows minor units in major units, grouped, with the currency code', () => {
    expect(formatMoney(4_535_421, 'CNY')).toBe('45,354.21 CNY');
    expect(formatMoney(600, 'CNY')).toBe('6.00 CNY');
    expect(formatMoney(0, 'USD')).toBe('0.00 USD');
  });

  it("uses the currency's fraction digits: none for JPY, three for KWD", () => {
    expect(formatMoney(1234, 'JPY')).toBe('1,234 JPY');
    expect(formatMoney(12_345, 'KWD')).toBe('12.345 KWD');
  });

  it('leaves an amount without a usable currency as it is', () => {
    expect(formatMoney(600, null)).toBe('600');
    expect(majorUnits(600, undefined)).toBe('600');
    expect(majorUnits(600, 'not a code')).toBe('600');
  });
});
