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

/**
 * ISO 4217 codes that are no money a budget is paid in: precious metals, bond-market and accounting units, the
 * testing code and "no currency". The list gives them 0 digits (ISO's "N.A."), so `XXX` passed as a currency of
 * whole units.
 */
const NOT_MONEY: Readonly<Record<string, string>> = {
  XAU: 'gold',
  XAG: 'silver',
  XPD: 'palladium',
  XPT: 'platinum',
  XBA: 'a bond-market unit',
  XBB: 'a bond-market unit',
  XBC: 'a bond-market unit',
  XBD: 'a bond-market unit',
  XDR: "the IMF's special drawing right",
  XSU: 'the ALBA sucre, an accounting unit',
  XUA: "the African Development Bank's unit of account",
  XTS: 'reserved for testing',
  XXX: '"no currency"',
};

/** What an ISO 4217 code that is no money stands for, else undefined. */
export function notMoney(currency: string): string | undefined {
  return NOT_MONEY[currency];
}

/** Every ISO 4217 code of a currency (for suggestions). */
export function currencyCodesList(): string[] {
  return currencyCodes.codes().filter((code) => NOT_MONEY[code] === undefined);
}
