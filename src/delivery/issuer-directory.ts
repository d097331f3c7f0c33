/**
 * Which issuer pays which grant: test grants always go to the sandbox; other grants go to the issuer configured
 * for their reward type, or to the sandbox when there is none (the embedded default).
 */
import type { RewardKind } from '../config';
import { HttpIssuer } from '../integrations/http-issuer';
import type { Issuer } from '../integrations/issuer';

export class IssuerDirectory {
  constructor(
    private readonly byType: Partial<Record<string, Issuer>>,
    readonly sandbox: Issuer,
    /** ISSUER_TIMEOUT_MS: the longest an issuer call lasts (the relay's claims outlive it; claim-lease.ts). */
    readonly timeoutMs: number,
  ) {}

  /** One HttpIssuer per distinct URL, so that types sharing an issuer are paged once by reconciliation. */
  static fromConfig(
    urls: Partial<Record<RewardKind, string>>,
    timeoutMs: number,
    sandbox: Issuer,
  ): IssuerDirectory {
    const byUrl = new Map<string, Issuer>();
    const byType: Partial<Record<string, Issuer>> = {};
    for (const [type, url] of Object.entries(urls)) {
      if (!url) continue;
      let issuer = byUrl.get(url);
      if (!issuer) {
        issuer = new HttpIssuer({ baseUrl: url, timeoutMs });
        byUrl.set(url, issuer);
      }
      byType[type] = issuer;
    }
    return new IssuerDirectory(byType, sandbox, timeoutMs);
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
