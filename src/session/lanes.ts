/**
 * Work on a list with at most `lanes` items under way at once, each lane taking the next item
 * as soon as it is done with one; the results in the list's order. For work that is mostly
 * waiting on other processes (validators, qpdf), where two at a time keep both cores busy.
 */
export async function inLanes<T, R>(items: readonly T[], lanes: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(lanes, items.length)) }, lane));
  return results;
}
