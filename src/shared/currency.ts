/**
 * ISO 4217, the list every amount is counted against: budgets and grants are integer minor units of the
 * campaign's currency, and the minor unit is ISO's (CNY 2, JPY 0, KWD 3, HUF 2). Not Intl's CLDR digits, which
 * show HUF, IDR or IQD without decimals and would print their minor units 100× too large.
 */
import * as currencyCodes from 'currency-codes';

/** The currency's minor unit digits, or null for a code that is not on the ISO 4217 list. */
export function minorDigits(currency: string): number | null {
  return currencyCodes.code(currency)?.digits ?? null;
}

/** Every ISO 4217 code (for suggestions). */
export function currencyCodesList(): string[] {
  return currencyCodes.codes();
}
