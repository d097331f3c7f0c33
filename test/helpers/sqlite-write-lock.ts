/**
 * Another program holding the embedded ledger's write lock, and how long the event loop stood still meanwhile:
 * for the suites of the service's and the worker's wait for the lock (src/ledger/sqlite-write-lock.ts).
 */
import Database from 'better-sqlite3';

/**
 * `BEGIN IMMEDIATE` on a connection of its own, as `sqlite3 pocket.sqlite` then `BEGIN IMMEDIATE;` does; the
 * function returned gives the lock up (ROLLBACK) and closes it.
 */
export function holdWriteLock(sqliteFile: string): () => void {
  const holder = new Database(sqliteFile);
  holder.exec('BEGIN IMMEDIATE');
  return () => {
    holder.exec('ROLLBACK');
    holder.close();
  };
}

/** The longest a 10 ms timer fired late over `ms`: how long the event loop was blocked at once. */
export async function worstTimerDelay(ms: number): Promise<number> {
  let worst = 0;
  for (const end = performance.now() + ms; performance.now() < end;) {
    const asked = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 10));
    worst = Math.max(worst, performance.now() - asked - 10);
  }
  return worst;
}
