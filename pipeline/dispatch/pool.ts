/**
 * Runs `fn` over `items` with at most `limit` calls in flight. Stops starting new items once `shouldStop()` is
 * true; returns, per item, whether its call succeeded, and the errors.
 */
export async function boundedMap<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<unknown>,
  shouldStop: () => boolean = () => false,
): Promise<{ ok: boolean[]; errors: unknown[] }> {
  const ok = new Array<boolean>(items.length).fill(false);
  const errors: unknown[] = [];
  let next = 0;
  async function lane(): Promise<void> {
    while (next < items.length && errors.length === 0 && !shouldStop()) {
      const i = next++;
      try {
        await fn(items[i]);
        ok[i] = true;
      } catch (err) {
        errors.push(err);
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  return { ok, errors };
}
