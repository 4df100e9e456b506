// Long loops give the event loop a turn now and then, so a worker still receives messages (a cancel, a
// progress round-trip) while the pipeline runs.

/** How long a loop may run before it yields. */
export const YIELD_EVERY_MS = 50;

export function yielder(): () => Promise<void> | undefined {
  let last = Date.now();
  return () => {
    const now = Date.now();
    if (now - last < YIELD_EVERY_MS) return undefined;
    last = now;
    return new Promise<void>((resolve) => setTimeout(resolve, 0));
  };
}
