/**
 * Waiting on conditions with a bound. Interop tests order nothing by sleeping: they poll a
 * predicate until it holds and fail with a named reason when the bound passes.
 */

/** Polls `predicate` every `intervalMs` until it returns true; rejects after `timeoutMs`. */
export async function waitFor(
  predicate: () => boolean,
  timeoutMs: number,
  what: string,
  intervalMs = 5,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (predicate()) return;
    if (Date.now() >= deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise<void>((resolve) => setTimeout(resolve, intervalMs));
  }
}
