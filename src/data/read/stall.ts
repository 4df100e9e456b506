// A watchdog around a file's record stream: when a file yields no record and consumes no byte for `stallMs`
// (a read that never resolves, a library awaiting forever), the file is reported as stuck and abandoned, and
// the run goes on with the next file. It cannot stop a synchronous loop (nothing on the thread runs until the
// loop ends), which is why parquet-check.ts refuses the inputs known to spin hyparquet before it sees them.

/** Long enough for the slowest honest step (one large Parquet row group from a slow disk), short enough to notice. */
export const DEFAULT_STALL_MS = 60_000;

export interface Progress {
  /** Bumped by the reader as bytes arrive. */
  ticks: number;
}

export async function* watchStalls<T>(source: AsyncGenerator<T>, stallMs: number, progress: Progress,
                                      onStall: (ms: number) => void): AsyncGenerator<T> {
  let finished = false;
  try {
    for (;;) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const stalled = new Promise<'stalled'>((resolve) => {
        let seen = progress.ticks;
        let idle = 0;
        const step = Math.max(1, Math.min(stallMs, 1000));
        const check = () => {
          if (progress.ticks !== seen) { seen = progress.ticks; idle = 0; } else idle += step;
          if (idle >= stallMs) resolve('stalled'); else timer = setTimeout(check, step);
        };
        timer = setTimeout(check, step);
      });
      const r = await Promise.race([source.next(), stalled]).finally(() => clearTimeout(timer));
      if (r === 'stalled') {
        onStall(stallMs);
        // The stuck step may never settle: ask the reader to stop, without waiting for it.
        finished = true;
        source.return(undefined).catch(() => {});
        return;
      }
      if (r.done) { finished = true; return; }
      yield r.value;
    }
  } finally {
    if (!finished) await source.return(undefined);
  }
}
