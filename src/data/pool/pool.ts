// A pool of workers for the data pipeline's per-record work: one interface, two ways to start the workers
// (pool.node.ts: worker_threads; pool.web.ts: Web Workers). Requests go to the worker with the fewest
// answers outstanding; the pipeline awaits answers in the order it asked (ordered-queue.ts), so every
// decision is still made in one place, in input order.
import type { FromWorker, ToWorker } from './messages';

export interface WorkerPool {
  readonly size: number;
  /** Sends `msg` to every worker; resolves when each has answered (rejects when any failed). */
  broadcast(msg: DistributeMessage): Promise<void>;
  /** Sends `msg` to one worker; resolves with its answer ('failed' answers reject). */
  request(msg: DistributeMessage, transfer?: ArrayBuffer[]): Promise<FromWorker>;
  /** Stops every worker; outstanding requests reject. */
  close(): void;
}

/** A message without its id: the pool numbers them. */
export type DistributeMessage = ToWorker extends infer M ? M extends ToWorker ? Omit<M, 'id'> : never : never;

/** Starts a pool of `workers` workers (1..MAX_WORKERS). */
export type CreateWorkerPool = (workers: number) => Promise<WorkerPool>;

/** More workers than this only cost memory (each holds a copy of the benchmark index). */
export const MAX_WORKERS = 64;

/** Input below which the default is no pool: starting a worker costs about half a second of CPU (the bundle,
 *  tinyld's tables, Mistral's tokenizer, code warming up; measured on the shared 2-core machine), and on
 *  ../shared/data's 12 MB a pool started inside the run took twice the in-process time there. */
export const POOL_MIN_BYTES = 32 * 1024 * 1024;

/** The default worker count: one per core for inputs of POOL_MIN_BYTES or more, none below. */
export function defaultWorkerCount(cores: number, inputBytes: number): number {
  return inputBytes >= POOL_MIN_BYTES ? Math.max(1, Math.min(MAX_WORKERS, cores)) : 0;
}

/** The worker-count check the CLI and the page share; 0 means no pool. */
export function checkWorkerCount(n: number): number {
  if (!(Number.isInteger(n) && n >= 0 && n <= MAX_WORKERS)) throw new Error(`workers must be an integer in 0..${MAX_WORKERS}, got ${n}`);
  return n;
}

/** One started worker as the pool sees it, whatever runs it. */
export interface WorkerEndpoint {
  post(msg: ToWorker, transfer: ArrayBuffer[]): void;
  /** Answers, and a crash (the worker is gone: every request on it rejects). */
  listen(onMessage: (msg: FromWorker) => void, onCrash: (err: Error) => void): void;
  terminate(): void;
}

interface Pending {
  resolve(msg: FromWorker): void;
  reject(err: Error): void;
}

export class EndpointPool implements WorkerPool {
  private nextId = 1;
  private readonly pending: Map<number, Pending>[];
  private closed: Error | null = null;

  constructor(private readonly endpoints: readonly WorkerEndpoint[]) {
    if (endpoints.length === 0 || endpoints.length > MAX_WORKERS) throw new Error(`a worker pool takes 1..${MAX_WORKERS} workers`);
    this.pending = endpoints.map(() => new Map());
    endpoints.forEach((e, w) => e.listen(
      (msg) => this.answer(w, msg),
      (err) => this.crash(new Error(`data worker ${w} stopped: ${err.message}`)),
    ));
  }

  get size(): number {
    return this.endpoints.length;
  }

  async broadcast(msg: DistributeMessage): Promise<void> {
    await Promise.all(this.endpoints.map((_, w) => this.send(w, msg, [])));
  }

  request(msg: DistributeMessage, transfer: ArrayBuffer[] = []): Promise<FromWorker> {
    let best = 0;
    for (let w = 1; w < this.endpoints.length; w++) if (this.pending[w].size < this.pending[best].size) best = w;
    return this.send(best, msg, transfer);
  }

  close(): void {
    this.closed ??= new Error('the worker pool is closed');
    for (let w = 0; w < this.endpoints.length; w++) { this.fail(w, this.closed); this.endpoints[w].terminate(); }
  }

  private send(w: number, msg: DistributeMessage, transfer: ArrayBuffer[]): Promise<FromWorker> {
    if (this.closed) return Promise.reject(this.closed);
    const id = this.nextId++;
    return new Promise<FromWorker>((resolve, reject) => {
      this.pending[w].set(id, { resolve, reject });
      this.endpoints[w].post({ ...msg, id } as ToWorker, transfer);
    });
  }

  private answer(w: number, msg: FromWorker): void {
    const p = this.pending[w].get(msg.id);
    if (!p) return; // answered after a crash or close already rejected it
    this.pending[w].delete(msg.id);
    if (msg.type === 'failed') p.reject(new Error(msg.message));
    else p.resolve(msg);
  }

  /** A worker that died takes its requests with it: the run cannot be completed in order, so the pool stops. */
  private crash(err: Error): void {
    this.closed ??= err;
    for (let w = 0; w < this.endpoints.length; w++) this.fail(w, err);
  }

  private fail(w: number, err: Error): void {
    for (const p of this.pending[w].values()) p.reject(err);
    this.pending[w].clear();
  }
}
