/**
 * Money in the CLI's text outputs. The ledger, the reports and every JSON output count integer minor units
 * (fen, cents); a person reads major units: 4535421 CNY minor is shown as "45,354.21 CNY", with as many
 * fraction digits as the currency has (JPY none). CSV and JSON keep the integers.
 */

/** The fraction digits of an ISO 4217 currency (CNY 2, JPY 0, KWD 3), or null for an unknown code. */
function fractionDigits(currency: string): number | null {
  try {
    return (
      new Intl.NumberFormat('en-US', { style: 'currency', currency }).resolvedOptions()
        .maximumFractionDigits ?? null
    );
  } catch {
    return null;
  }
}

/** `minor` in major units, grouped, without the currency code ("45,354.21"); as is without a currency. */
export function majorUnits(minor: number, currency: string | null | undefined): string {
  const digits = currency ? fractionDigits(currency) : null;
  if (digits === null) return String(minor);
  return new Intl.NumberFormat('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(minor / 10 ** digits);
}

/** `minor` in major units followed by the currency code ("45,354.21 CNY"). */
export function formatMoney(minor: number, currency: string | null | undefined): string {
  return currency ? `${majorUnits(minor, currency)} ${currency}` : String(minor);
}
