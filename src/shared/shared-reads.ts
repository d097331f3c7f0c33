/**
 * One read per key at a time: the callers that come while it runs get its answer instead of sending their own
 * (and, with `keepMs`, those that come that long after it answered). A failed read is not kept: the callers
 * sharing it all get its error, and the next one reads again. Without `keepMs` nothing is kept once answered.
 */
export class SharedReads<V> {
  private readonly entries = new Map<string, { answeredAt: number | null; value: Promise<V> }>();

  constructor(
    private readonly keepMs = 0,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string, read: () => Promise<V>): Promise<V> {
    const hit = this.entries.get(key);
    if (hit && (hit.answeredAt === null || this.now() - hit.answeredAt < this.keepMs)) return hit.value;
    const value = read();
    const entry: { answeredAt: number | null; value: Promise<V> } = { answeredAt: null, value };
    this.entries.set(key, entry);
    const drop = (): void => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    };
    void value.then(() => (this.keepMs > 0 ? (entry.answeredAt = this.now()) : drop()), drop);
    return value;
  }
}
