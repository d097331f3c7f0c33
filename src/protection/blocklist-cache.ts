/**
 * The blocklist as the pipeline reads it: an in-memory set, O(1) per lookup. At most once per `ttlMs`
 * (default 1 s) a request checks the list's revision (one tiny read) and reloads the set only when it
 * changed, so `pocket blocklist add` takes effect on every instance within about a second. Concurrent
 * requests share one refresh. Without a loaded set (ledger down at start) the check fails closed (503).
 *
 * The request that starts a refresh waits at most `waitMs` (default 500 ms) for it, then uses the last loaded set;
 * requests that come while it runs use the last loaded set at once (with none loaded, they wait too). A refresh
 * stuck on a ledger that stopped answering (a failover, a network partition) used to hold every participation
 * of the instance until the ledger answered again.
 */
import { DependencyUnavailableError } from '../errors/app-error';
import type { BlockEntry, BlockKind } from '../ledger/blocklist-store';
import { normalizeIp } from '../shared/ip-address';
import { blockKey } from './block-subject';

export interface BlocklistSource {
  revision(): Promise<number>;
  list(): Promise<BlockEntry[]>;
}

export interface BlockHit {
  kind: BlockKind;
  value: string;
  reason: string | null;
}

export class BlocklistCache {
  private entries = new Map<string, BlockEntry>();
  private revision = -1;
  private checkedAt = -Infinity;
  private refreshing: Promise<void> | null = null;
  private readonly ttlMs: number;
  private readonly waitMs: number;
  private readonly now: () => number;

  constructor(
    private readonly source: BlocklistSource,
    options: { ttlMs?: number; waitMs?: number; now?: () => number } = {},
  ) {
    this.ttlMs = options.ttlMs ?? 1000;
    this.waitMs = options.waitMs ?? 500;
    this.now = options.now ?? Date.now;
  }

  /** The first blocked subject among user, device and IP, or null. */
  async find(subject: {
    userId: string;
    deviceId?: string | undefined;
    ip: string;
  }): Promise<BlockHit | null> {
    await this.fresh();
    const candidates: Array<[BlockKind, string | undefined]> = [
      ['user', subject.userId],
      ['device', subject.deviceId],
      ['ip', subject.ip === '' ? undefined : normalizeIp(subject.ip)],
    ];
    for (const [kind, value] of candidates) {
      if (value === undefined) continue;
      const entry = this.entries.get(blockKey(kind, value));
      if (entry) return { kind, value, reason: entry.reason };
    }
    return null;
  }

  private async fresh(): Promise<void> {
    if (this.now() - this.checkedAt < this.ttlMs) return;
    // The request that started the refresh waits for it; the others use the last list meanwhile, so a refresh
    // stuck on a stalled ledger costs one request waitMs, not every request that comes while it lasts.
    if (this.refreshing !== null && this.revision >= 0) return;
    this.refreshing ??= this.refresh().finally(() => {
      this.refreshing = null;
    });
    let timer: NodeJS.Timeout | undefined;
    const patience = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), this.waitMs);
    });
    try {
      const done = await Promise.race([this.refreshing, patience]);
      if (done === 'late')
        throw new DependencyUnavailableError('ledger', 'the blocklist read is not answered');
    } catch {
      // Keep serving the last loaded list; with none loaded yet, fail closed.
      if (this.revision < 0) throw new DependencyUnavailableError('ledger', 'the blocklist cannot be read');
    } finally {
      clearTimeout(timer);
    }
  }

  private async refresh(): Promise<void> {
    const revision = await this.source.revision();
    if (revision !== this.revision) {
      const list = await this.source.list();
      // An IP as every instance compares it, whatever spelling wrote it (an older CLI stored IPv6 as typed).
      const key = (e: BlockEntry): string =>
        blockKey(e.kind, e.kind === 'ip' ? normalizeIp(e.value) : e.value);
      this.entries = new Map(list.map((e) => [key(e), e]));
      this.revision = revision;
    }
    this.checkedAt = this.now();
  }
}
