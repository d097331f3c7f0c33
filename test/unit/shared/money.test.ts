/** Money in the CLI's text outputs: integer minor units shown in major units, the currency's own digits. */
import { formatMoney, majorUnits } from '../../../src/shared/money';

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

  it('uses ISO 4217 minor units where CLDR differs: HUF and IDR have two decimals, IQD three', () => {
    expect(formatMoney(123_456, 'HUF')).toBe('1,234.56 HUF');
    expect(formatMoney(123_456, 'IDR')).toBe('1,234.56 IDR');
    expect(formatMoney(123_456, 'IQD')).toBe('123.456 IQD');
  });

  it('is exact up to 2^53 − 1 minor units, and for negative amounts', () => {
    expect(majorUnits(9_007_199_254_740_991, 'CNY')).toBe('90,071,992,547,409.91');
    expect(majorUnits(9_007_199_254_740_368, 'CNY')).toBe('90,071,992,547,403.68');
    expect(majorUnits(-150, 'CNY')).toBe('-1.50');
    expect(majorUnits(-1, 'KWD')).toBe('-0.001');
  });

  it('leaves an amount without a usable currency as it is', () => {
    expect(formatMoney(600, null)).toBe('600');
    expect(majorUnits(600, undefined)).toBe('600');
    expect(majorUnits(600, 'not a code')).toBe('600');
  });
});
