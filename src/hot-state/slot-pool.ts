import type { SlotCounter } from './campaign-counters';

/** In-memory stock of one reward: the highest slot handed out plus released slots below it (sorted). */
export class SlotPool {
  private top: number;
  private readonly free: number[];

  constructor(counter: SlotCounter = { top: 0, free: [] }) {
    this.top = counter.top;
    this.free = [...counter.free];
  }

  get used(): number {
    return this.top - this.free.length;
  }

  /** The slot a reserve would get under `stock`: the lowest released one, else top + 1; null when none. */
  plan(stock: number): number | null {
    const lowest = this.free[0];
    if (lowest !== undefined && lowest <= stock) return lowest;
    return this.top < stock ? this.top + 1 : null;
  }

  /** Takes a slot returned by `plan` (nothing may run in between). */
  take(slot: number): void {
    if (this.free[0] === slot) this.free.shift();
    else this.top = slot;
  }

  /** Gives a slot back: lowers the top (past any released slots under it) or keeps it as released. */
  give(slot: number): void {
    if (slot < 1 || slot > this.top) return;
    if (slot === this.top) {
      this.top -= 1;
      while (this.free.length > 0 && this.free[this.free.length - 1] === this.top) {
        this.free.pop();
        this.top -= 1;
      }
      return;
    }
    const at = this.free.findIndex((s) => s >= slot);
    if (at === -1) this.free.push(slot);
    else if (this.free[at] !== slot) this.free.splice(at, 0, slot);
  }

  snapshot(): SlotCounter {
    return { top: this.top, free: [...this.free] };
  }
}
