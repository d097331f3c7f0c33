/**
 * Money in text a person reads (the CLI's outputs, a publish's refusals). The ledger, the reports and every JSON
 * output count integer minor units (fen, cents); a person reads major units: 4535421 CNY minor is shown as "45,354.21 CNY", with as many
 * fraction digits as the currency has (JPY none). CSV and JSON keep the integers.
 */
import { minorDigits } from './currency';
import type { MinorUnits } from './minor-units';

/** An integer amount of minor units: a number, a report's total (digits past 2^53 − 1) or a bigint. */
export type Minor = MinorUnits | bigint;

const exact = (minor: Minor): bigint =>
  typeof minor === 'number' ? BigInt(Math.trunc(minor)) : BigInt(minor);

/** `minor` in major units, grouped, without the currency code ("45,354.21"); as is without a currency. */
export function majorUnits(minor: Minor, currency: string | null | undefined): string {
  const digits = currency ? minorDigits(currency) : null;
  if (digits === null) return String(minor);
  return new Intl.NumberFormat('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(decimalText(minor, digits) as unknown as number);
}

/**
 * The exact decimal text of `minor / 10^digits` ("-45354.21"): Intl formats a decimal string exactly, where the
 * float division would round near 2^53 (9007199254740991 fen is 90,071,992,547,409.91, not …409.90).
 */
function decimalText(minor: Minor, digits: number): string {
  const whole = exact(minor);
  const abs = whole < 0n ? -whole : whole;
  const scale = 10n ** BigInt(digits);
  const fraction = (abs % scale).toString().padStart(digits, '0');
  return `${whole < 0n ? '-' : ''}${abs / scale}${digits > 0 ? `.${fraction}` : ''}`;
}

/** `minor` in major units followed by the currency code ("45,354.21 CNY"). */
export function formatMoney(minor: Minor, currency: string | null | undefined): string {
  return currency ? `${majorUnits(minor, currency)} ${currency}` : String(minor);
}

/**
 * `part` as a share of `whole` with one decimal ("37.5%"), '-' without a whole. Below the whole it never rounds up
 * to 100.0%: 49,998 of a 50,000 budget is 99.9%, not a figure that looks exhausted while some remains.
 */
export function percentOf(part: Minor, whole: Minor | null): string {
  if (whole === null || !(Number(whole) > 0)) return '-';
  const share = (100 * Number(part)) / Number(whole);
  return `${(exact(part) < exact(whole) ? Math.min(99.9, share) : share).toFixed(1)}%`;
}

/** Totals per currency, "12.34 CNY, 5 JPY" (one without a currency in bare minor units); "none" for no total. */
export function totalsText(totals: ReadonlyArray<{ currency: string | null; charge: Minor }>): string {
  if (totals.length === 0) return 'none';
  return totals
    .map((t) =>
      t.currency ? formatMoney(t.charge, t.currency) : `${String(t.charge)} (minor units, no currency)`,
    )
    .join(', ');
}
