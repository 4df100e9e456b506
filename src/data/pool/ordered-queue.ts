// Answers consumed in the order the work was handed out, with at most `limit` pieces of work in flight: the
// pipeline's decisions keep input order, and the memory held by chunks in flight stays bounded whatever the
// input size (the limit is counted in chunks, and chunks are bounded in records and characters).

export class OrderedQueue<T> {
  private readonly queue: Promise<T>[] = [];

  constructor(private readonly limit: number) {
    if (!(limit >= 1)) throw new Error('an ordered queue needs room for one piece of work');
  }

  get length(): number {
    return this.queue.length;
  }

  get full(): boolean {
    return this.queue.length >= this.limit;
  }

  /** Queues a started piece of work. Rejections are held until it is taken, not reported as unhandled. */
  push(work: Promise<T>): void {
    if (this.full) throw new Error('ordered queue over its limit: take() first');
    work.catch(() => {});
    this.queue.push(work);
  }

  /** The oldest piece of work's answer. */
  take(): Promise<T> {
    const next = this.queue.shift();
    if (!next) throw new Error('ordered queue is empty');
    return next;
  }
}
