/**
 * The issuers' own secrets: `ISSUER_<TYPE>_SECRET` signs every request to the issuer of `ISSUER_<TYPE>_URL` (its
 * grants and the listings reconciliation reads), `ISSUER_<TYPE>_SECRET_PREVIOUS` adds a second signature during
 * a rotation. A type without one signs with WEBHOOK_SECRET, as every issuer did before (config.ts,
 * issuerSigning). Read and checked at boot with the other secrets; these are the checks only they have.
 */
import type { RewardKind } from '../config';
import { issuerBase } from './issuer-base';

export const ISSUER_KINDS: readonly RewardKind[] = ['red_packet', 'coupon', 'voucher'];

/** `ISSUER_<TYPE>_<suffix>`: ISSUER_RED_PACKET_URL, ISSUER_COUPON_SECRET, ISSUER_VOUCHER_SECRET_PREVIOUS. */
export function issuerVariable(kind: RewardKind, suffix: 'URL' | 'SECRET' | 'SECRET_PREVIOUS'): string {
  return `ISSUER_${kind.toUpperCase()}_${suffix}`;
}

/** Every ISSUER_<TYPE>_SECRET and ISSUER_<TYPE>_SECRET_PREVIOUS, for the list of variables never echoed. */
export const ISSUER_SECRET_VARIABLES: readonly string[] = ISSUER_KINDS.flatMap((kind) => [
  issuerVariable(kind, 'SECRET'),
  issuerVariable(kind, 'SECRET_PREVIOUS'),
]);

export interface IssuerSecret {
  current: string;
  /** During a rotation, the value being replaced: each request then carries a second signature made with it. */
  previous: string | null;
}

/** The reward types that have a secret of their own; the others sign with WEBHOOK_SECRET. */
export type IssuerSecrets = Partial<Record<RewardKind, IssuerSecret>>;

/** A refused variable and why (config.ts shows its value hidden). */
export type IssuerSecretProblem = [name: string, problem: string];

/** Each issuer secret variable with its value (null: unset), the current ones first. */
export function issuerSecretValues(read: (name: string) => string | null): Array<[string, string | null]> {
  return [
    ...ISSUER_KINDS.map((kind): [string, string | null] => [
      issuerVariable(kind, 'SECRET'),
      read(issuerVariable(kind, 'SECRET')),
    ]),
    ...ISSUER_KINDS.map((kind): [string, string | null] => [
      issuerVariable(kind, 'SECRET_PREVIOUS'),
      read(issuerVariable(kind, 'SECRET_PREVIOUS')),
    ]),
  ];
}

/**
 * The issuer secrets set, or what is wrong with them:
 * - a `_PREVIOUS` without its current secret: nothing is signed with a previous secret alone, and the type's
 *   requests would be signed with WEBHOOK_SECRET, not with what the variable says;
 * - types whose URLs name one issuer (issuerBase) with different secrets: that issuer verifies one secret, and
 *   reconciliation reads it once, with one of them.
 */
export function readIssuerSecrets(
  read: (name: string) => string | null,
  urls: Partial<Record<RewardKind, string>>,
): { secrets: IssuerSecrets; problems: IssuerSecretProblem[] } {
  const secrets: IssuerSecrets = {};
  const problems: IssuerSecretProblem[] = [];
  for (const kind of ISSUER_KINDS) {
    const current = read(issuerVariable(kind, 'SECRET'));
    const previous = read(issuerVariable(kind, 'SECRET_PREVIOUS'));
    if (current !== null) secrets[kind] = { current, previous };
    else if (previous !== null) {
      problems.push([
        issuerVariable(kind, 'SECRET_PREVIOUS'),
        `is set without ${issuerVariable(kind, 'SECRET')}: nothing is signed with a previous secret alone ` +
          `(set ${issuerVariable(kind, 'SECRET')} to the new secret, or unset both: the issuer's requests are ` +
          'then signed with WEBHOOK_SECRET)',
      ]);
    }
  }
  const firstOfIssuer = new Map<string, RewardKind>();
  for (const kind of ISSUER_KINDS) {
    const url = urls[kind];
    if (url === undefined) continue;
    const base = issuerBase(url);
    const first = firstOfIssuer.get(base);
    if (first === undefined) {
      firstOfIssuer.set(base, kind);
      continue;
    }
    for (const suffix of ['SECRET', 'SECRET_PREVIOUS'] as const) {
      if (read(issuerVariable(kind, suffix)) === read(issuerVariable(first, suffix))) continue;
      problems.push([
        issuerVariable(kind, suffix),
        `must be the same as ${issuerVariable(first, suffix)} (both set to one value, or both unset): ` +
          `${issuerVariable(kind, 'URL')} and ${issuerVariable(first, 'URL')} name one issuer, ${base}, ` +
          'which verifies one secret',
      ]);
    }
  }
  return { secrets, problems };
}

/**
 * Which two secret variables may hold one value, against the rule that each secret has its own holder:
 * - the issuer secrets of types whose URLs name one issuer (the same holder, which readIssuerSecrets requires);
 * - an `ISSUER_<TYPE>_SECRET_PREVIOUS` and WEBHOOK_SECRET or WEBHOOK_SECRET_PREVIOUS: an issuer moving off the
 *   shared webhook secret to its own gets both signatures meanwhile (README, "Rotating a secret"). Its holders
 *   could sign for it before; they still can until the `_PREVIOUS` is unset.
 */
export function issuerSecretsMayShare(
  a: string,
  b: string,
  urls: Partial<Record<RewardKind, string>>,
): boolean {
  const [kindA, suffixA] = issuerSecretVariable(a);
  const [kindB, suffixB] = issuerSecretVariable(b);
  const urlA = kindA && urls[kindA];
  const urlB = kindB && urls[kindB];
  if (urlA && urlB && suffixA === suffixB) return issuerBase(urlA) === issuerBase(urlB);
  const webhook = (name: string): boolean => name === 'WEBHOOK_SECRET' || name === 'WEBHOOK_SECRET_PREVIOUS';
  return (suffixA === 'SECRET_PREVIOUS' && webhook(b)) || (suffixB === 'SECRET_PREVIOUS' && webhook(a));
}

/** The type and suffix of an ISSUER_<TYPE>_SECRET(_PREVIOUS) variable; [null, null] for any other. */
function issuerSecretVariable(name: string): [RewardKind | null, string | null] {
  for (const kind of ISSUER_KINDS) {
    for (const suffix of ['SECRET', 'SECRET_PREVIOUS'] as const) {
      if (name === issuerVariable(kind, suffix)) return [kind, suffix];
    }
  }
  return [null, null];
}

/**
 * The reward types whose issuer signs with WEBHOOK_SECRET (no secret of its own) while that secret has another
 * holder too, a webhook receiver (`notify`) or another issuer: each holder can then sign what the others accept.
 * Empty when WEBHOOK_SECRET reaches one party only. For the notice `serve` and `worker` log at start.
 */
export function issuersSharingWebhookSecret(
  urls: Partial<Record<RewardKind, string>>,
  secrets: IssuerSecrets,
  notify: boolean,
): RewardKind[] {
  const fallbacks = ISSUER_KINDS.filter((kind) => urls[kind] !== undefined && secrets[kind] === undefined);
  const issuers = new Set(fallbacks.map((kind) => issuerBase(urls[kind] ?? '')));
  return issuers.size + (notify ? 1 : 0) > 1 ? fallbacks : [];
}
