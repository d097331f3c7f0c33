/**
 * Which issuer pays which grant: test grants always go to the sandbox; other grants go to the issuer configured
 * for their reward type, or to the sandbox when there is none (the embedded default).
 */
import type { RewardKind } from '../config';
import { HttpIssuer } from '../integrations/http-issuer';
import type { Issuer } from '../integrations/issuer';
import { issuerBase } from './issuer-base';

/** How HttpIssuers sign their requests (notification-signature.ts). */
export interface IssuerSigning {
  /**
   * Each reward type's issuer secret and the variable holding it (config.ts, issuerSigning): ISSUER_<TYPE>_SECRET,
   * or WEBHOOK_SECRET without one, then its `_PREVIOUS` while set. The secrets are read at the first request to
   * an issuer, then kept: a CLI verb that sends nothing to issuers (`grants void`) never reads them, so in
   * production (secrets checked on use) it runs without them. The verbs that do send check them when they
   * start (worker-runtime.ts).
   */
  forType: (type: RewardKind) => { secretName: string; secrets: () => readonly string[] };
  clock: () => Date;
}

export class IssuerDirectory {
  constructor(
    private readonly byType: Partial<Record<string, Issuer>>,
    readonly sandbox: Issuer,
    /** ISSUER_TIMEOUT_MS: the longest an issuer call lasts (the relay's claims outlive it; claim-lease.ts). */
    readonly timeoutMs: number,
  ) {}

  /**
   * One HttpIssuer per distinct issuer, so that types sharing one are paged once by reconciliation. URLs are
   * compared as URLs (issuerBase): `http://wallet/` and `http://WALLET:80` are `http://wallet`, which read
   * twice listed every grant it issued twice (an `issued_twice` and an alert per grant, paid once). It signs with
   * the first of those types' secrets: the configuration holds types sharing an issuer to one secret.
   */
  static fromConfig(
    urls: Partial<Record<RewardKind, string>>,
    timeoutMs: number,
    sandbox: Issuer,
    signing: IssuerSigning,
  ): IssuerDirectory {
    const byUrl = new Map<string, Issuer>();
    const byType: Partial<Record<string, Issuer>> = {};
    for (const [type, url] of Object.entries(urls) as Array<[RewardKind, string | undefined]>) {
      if (!url) continue;
      const base = issuerBase(url);
      let issuer = byUrl.get(base);
      if (!issuer) {
        const { secretName, secrets: read } = signing.forType(type);
        let kept: readonly string[] | undefined;
        const secrets = (): readonly string[] => (kept ??= read());
        issuer = new HttpIssuer({ baseUrl: base, timeoutMs, secrets, secretName, clock: signing.clock });
        byUrl.set(base, issuer);
      }
      byType[type] = issuer;
    }
    return new IssuerDirectory(byType, sandbox, timeoutMs);
  }

  /** Whether this configuration names the grant's issuer: a test grant's is the sandbox, any other's its URL. */
  configures(grant: { test: boolean; rewardType: string }): boolean {
    return grant.test || this.byType[grant.rewardType] !== undefined;
  }

  forGrant(grant: { test: boolean; rewardType: string }): Issuer {
    if (grant.test) return this.sandbox;
    return this.byType[grant.rewardType] ?? this.sandbox;
  }

  /** Every issuer a grant may have gone to, the sandbox included, each once. */
  all(): Issuer[] {
    const issuers = new Set<Issuer>([this.sandbox]);
    for (const issuer of Object.values(this.byType)) if (issuer) issuers.add(issuer);
    return [...issuers];
  }
}
