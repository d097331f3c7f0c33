import {
  BatchQueueFull,
  BatchWaitExpired,
  NaturalBatcher,
  type Settled,
} from '../../../src/shared/natural-batcher';

/** A batch runner whose batches finish when the test says so. */
function controlled<I>() {
  const batches: Array<{
    items: readonly I[];
    finish(results: Array<Settled<string>>): void;
    fail(e: unknown): void;
  }> = [];
  const run = (items: readonly I[]) =>
    new Promise<ReadonlyArray<Settled<string>>>((resolve, reject) => {
      batches.push({ items, finish: resolve, fail: reject });
    });
  return { batches, run };
}

const ok = (value: string): Settled<string> => ({ ok: true, value });
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('NaturalBatcher', () => {
  it('starts an item at once while a slot is free, and groups the items that wait for one', async () => {
    const { batches, run } = controlled<number>();
    const batcher = new NaturalBatcher(run, { concurrency: 2, maxBatch: 10 });
    const answers = [1, 2, 3, 4, 5].map((i) => batcher.add(i));
    expect(batches.map((b) => b.items)).toEqual([[1], [2]]);

    batches[0]?.finish([ok('one')]);
    await tick();
    expect(batches.map((b) => b.items)).toEqual([[1], [2], [3, 4, 5]]);
    batches[1]?.finish([ok('two')]);
    batches[2]?.finish([ok('three'), ok('four'), ok('five')]);
    expect(await Promise.all(answers)).toEqual(['one', 'two', 'three', 'four', 'five']);
  });

  it('never puts more than maxBatch items in one batch', async () => {
    const { batches, run } = controlled<number>();
    const batcher = new NaturalBatcher(run, { concurrency: 1, maxBatch: 2 });
    const answers = [1, 2, 3, 4, 5].map((i) => batcher.add(i));
    for (let i = 0; i < 4; i++) {
      const batch = batches[i];
      batch?.finish(batch.items.map((n) => ok(String(n))));
      await tick();
    }
    expect(batches.map((b) => b.items)).toEqual([[1], [2, 3], [4, 5]]);
    expect(await Promise.all(answers)).toEqual(['1', '2', '3', '4', '5']);
  });

  it('gives each item its own result, and fails every item of a batch that failed as a whole', async () => {
    const { batches, run } = controlled<number>();
    const batcher = new NaturalBatcher(run, { concurrency: 1, maxBatch: 10 });
    const first = batcher.add(1);
    const [second, third] = [batcher.add(2), batcher.add(3)];
    batches[0]?.fail(new Error('connection lost'));
    await expect(first).rejects.toThrow('connection lost');
    await tick();
    batches[1]?.finish([ok('two'), { ok: false, error: new Error('fence') }]);
    await expect(second).resolves.toBe('two');
    await expect(third).rejects.toThrow('fence');
  });

  it('turns a runner that throws at once into rejections, and keeps serving', async () => {
    let calls = 0;
    const batcher = new NaturalBatcher<number, string>(
      (items) => {
        calls += 1;
        if (calls === 1) throw new Error('bad batch');
        return Promise.resolve(items.map((i) => ok(String(i))));
      },
      { concurrency: 1, maxBatch: 10 },
    );
    await expect(batcher.add(1)).rejects.toThrow('bad batch');
    await expect(batcher.add(2)).resolves.toBe('2');
  });

  it('maxWaitMs: an item still waiting then leaves the queue unsent, rejected with BatchWaitExpired; items already sent wait for their batch', async () => {
    const { batches, run } = controlled<number>();
    const batcher = new NaturalBatcher(run, { concurrency: 1, maxBatch: 10, maxWaitMs: 20 });
    const sent = batcher.add(1);
    const waiting = [batcher.add(2), batcher.add(3)];
    for (const w of waiting) await expect(w).rejects.toBeInstanceOf(BatchWaitExpired);
    const later = batcher.add(4);
    batches[0]?.finish([ok('one')]);
    await expect(sent).resolves.toBe('one');
    await tick();
    expect(batches.map((b) => b.items)).toEqual([[1], [4]]);
    batches[1]?.finish([ok('four')]);
    await expect(later).resolves.toBe('four');
  });

  it('maxWaiting: an item finding every slot taken and the queue full is refused at once, never sent', async () => {
    const { batches, run } = controlled<number>();
    const batcher = new NaturalBatcher(run, { concurrency: 2, maxBatch: 1, maxWaiting: 2 });
    const accepted = [1, 2, 3, 4].map((i) => batcher.add(i));
    await expect(batcher.add(5)).rejects.toBeInstanceOf(BatchQueueFull);
    batches[0]?.finish([ok('one')]);
    await tick();
    // A slot freed: the queue moved up and has room for one again.
    const sixth = batcher.add(6);
    await expect(batcher.add(7)).rejects.toBeInstanceOf(BatchQueueFull);
    for (let i = 1; i < 5; i += 1) {
      const b = batches[i];
      b?.finish([ok(String(b.items[0]))]);
      await tick();
    }
    expect(await Promise.all([...accepted, sixth])).toEqual(['one', '2', '3', '4', '6']);
    expect(batches.map((b) => b.items)).toEqual([[1], [2], [3], [4], [6]]);
  });
});
