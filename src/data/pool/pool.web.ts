// The pool in the page: module Web Workers running worker.web.ts, started from the data worker (Vite bundles
// the entry from the `new URL(..., import.meta.url)` below).
import type { FromWorker } from './messages';
import { defaultWorkerCount, EndpointPool, type CreateWorkerPool, type WorkerEndpoint } from './pool';

/** The page's default: one worker per logical core the browser reports, for large inputs (pool.ts defaultWorkerCount). */
export function defaultWorkers(inputBytes: number): number {
  return defaultWorkerCount(navigator.hardwareConcurrency || 1, inputBytes);
}

function endpoint(): WorkerEndpoint {
  const w = new Worker(new URL('./worker.web.ts', import.meta.url), { type: 'module', name: 'leveret-data-pool' });
  return {
    post: (msg, transfer) => w.postMessage(msg, transfer),
    listen(onMessage, onCrash) {
      w.onmessage = (e: MessageEvent<FromWorker>) => onMessage(e.data);
      w.onerror = (e) => { e.preventDefault(); onCrash(new Error(e.message || 'the worker failed to load or threw')); };
      w.onmessageerror = () => onCrash(new Error('a message could not be read'));
    },
    terminate: () => w.terminate(),
  };
}

export const createWebPool: CreateWorkerPool = async (workers) =>
  new EndpointPool(Array.from({ length: workers }, endpoint));
