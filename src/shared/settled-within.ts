/**
 * Whether `work` settles (resolves or fails) within `ms`: for a shutdown that must end however long what it waits
 * for takes (a pool waiting for a statement stuck on a silent ledger). The work goes on either way; the timer does
 * not keep the process up.
 */
export async function settledWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
    timer.unref();
  });
  const settled = work.then(
    () => true,
    () => true,
  );
  try {
    return await Promise.race([settled, late]);
  } finally {
    clearTimeout(timer);
  }
}
