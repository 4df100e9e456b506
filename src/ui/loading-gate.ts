// What the page is still waiting for on opening (the adapter, the default corpus, the autosave check), as
// one sentence for the controls that cannot work yet. A control is never offered before the things it
// needs have arrived: it stays disabled with this sentence beside it, and enables the moment they have.

export class LoadingGate {
  private readonly pending = new Set<string>();

  /** `show` receives the sentence while anything is pending, then null once. */
  constructor(private readonly show: (reason: string | null) => void) {}

  /** Waits for `task`, naming it (`loading the default corpus`) while it runs; its failure clears it too. */
  track<T>(what: string, task: Promise<T>): Promise<T> {
    this.pending.add(what);
    this.changed();
    return task.finally(() => {
      this.pending.delete(what);
      this.changed();
    });
  }

  get reason(): string | null {
    return this.pending.size ? `Wait: ${[...this.pending].join(', ')}…` : null;
  }

  private changed(): void {
    this.show(this.reason);
  }
}
