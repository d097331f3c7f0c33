import type { ResolvedCampaign } from '../definitions/resolve-campaign';
import { compileCampaign } from './compile-campaign';
import type { CompiledCampaign } from './compiled-campaign';

/**
 * Compiled campaigns keyed by fingerprint (the sha256 of the canonical resolved campaign), so one campaign
 * version is compiled once however many requests, reloads or CLI cases ask for it. Least recently used
 * versions are dropped beyond `capacity`, so a long-running server that sees many publishes stays bounded.
 */
export class CompiledCampaignCache {
  private readonly entries = new Map<string, CompiledCampaign>();

  constructor(
    private readonly capacity = 256,
    private readonly compile: (resolved: ResolvedCampaign) => CompiledCampaign = compileCampaign,
  ) {}

  get(resolved: ResolvedCampaign): CompiledCampaign {
    const cached = this.entries.get(resolved.fingerprint);
    if (cached !== undefined) {
      this.entries.delete(resolved.fingerprint);
      this.entries.set(resolved.fingerprint, cached);
      return cached;
    }
    const compiled = this.compile(resolved);
    this.entries.set(resolved.fingerprint, compiled);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    return compiled;
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }
}

/** The process-wide cache. */
export const compiledCampaignCache = new CompiledCampaignCache();

export function getCompiledCampaign(resolved: ResolvedCampaign): CompiledCampaign {
  return compiledCampaignCache.get(resolved);
}
