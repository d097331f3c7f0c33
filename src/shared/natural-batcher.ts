/**
 * Natural batching, without a timer: an item starts at once while fewer than `concurrency` batches are
 * running; otherwise it waits and leaves with the next batch, together with every item that arrived
 * meanwhile (at most `maxBatch`). At low load each batch holds one item and adds no delay; under load the
 * batches grow by themselves, so N waiting items cost one round trip instead of N.
 *
 * `maxWaitMs` bounds the wait: an item still waiting then leaves the queue, never sent, and is rejected with a
 * BatchWaitExpired. Without it a batch stuck on a database that stopped answering (a failover, a network
 * partition) held every later item until the database answered again: the whole flash sale hung instead of
 * answering 503.
 *
 * `maxWaiting` bounds the queue: an item that finds every slot taken and that many items already waiting is
 * rejected at once with a BatchQueueFull, never queued.
 */
export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

interface Waiting<I, O> {
  item: I;
  resolve(value: O): void;
  reject(error: unknown): void;
  timer?: NodeJS.Timeout;
  started?: boolean;
}

/** The item waited `maxWaitMs` for a batch to take it and was never sent. */
export class BatchWaitExpired extends Error {
  constructor(waitedMs: number) {
    super(`not started within ${waitedMs} ms: the batch before it has not been answered`);
  }
}

/** Every slot was taken and `maxWaiting` items already waited: the item was refused, never queued. */
export class BatchQueueFull extends Error {
  constructor(waiting: number) {
    super(`${waiting} items already wait for a batch`);
  }
}

export interface NaturalBatcherOptions {
  /** Batches running at once (e.g. the pool connections they may hold). */
  concurrency: number;
  maxBatch: number;
  /** How long an item may wait for a batch to take it (default: no limit). */
  maxWaitMs?: number;
  /** How many items may wait while every slot is taken (default: no limit). */
  maxWaiting?: number;
}

export class NaturalBatcher<I, O> {
  private readonly waiting: Array<Waiting<I, O>> = [];
  private running = 0;

  /** `run` answers one result per item, in order; a rejection fails every item of the batch. */
  constructor(
    private readonly run: (items: readonly I[]) => Promise<ReadonlyArray<Settled<O>>>,
    private readonly options: NaturalBatcherOptions,
  ) {}

  add(item: I): Promise<O> {
    const { concurrency, maxWaiting } = this.options;
    if (maxWaiting !== undefined && this.running >= concurrency && this.waiting.length >= maxWaiting) {
      return Promise.reject(new BatchQueueFull(this.waiting.length));
    }
    return new Promise<O>((resolve, reject) => {
      const waiting: Waiting<I, O> = { item, resolve, reject };
      this.waiting.push(waiting);
      this.pump();
      const { maxWaitMs } = this.options;
      if (maxWaitMs === undefined || waiting.started) return;
      waiting.timer = setTimeout(() => {
        if (waiting.started) return;
        // Items expire in the order they came, so this one is at or near the front.
        this.waiting.splice(this.waiting.indexOf(waiting), 1);
        reject(new BatchWaitExpired(maxWaitMs));
      }, maxWaitMs);
      waiting.timer.unref();
    });
  }

  private pump(): void {
    while (this.running < this.options.concurrency && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.options.maxBatch);
      for (const w of batch) {
        w.started = true;
        clearTimeout(w.timer);
      }
      this.running += 1;
      this.start(batch)
        .then(
          (results) =>
            batch.forEach((w, i) => {
              const r = results[i];
              if (r?.ok) w.resolve(r.value);
              else w.reject(r ? r.error : new Error('batch answered no result for this item'));
            }),
          (error: unknown) => batch.forEach((w) => w.reject(error)),
        )
        .finally(() => {
          this.running -= 1;
          this.pump();
        });
    }
  }

  private async start(batch: ReadonlyArray<Waiting<I, O>>): Promise<ReadonlyArray<Settled<O>>> {
    return this.run(batch.map((w) => w.item));
  }
}
