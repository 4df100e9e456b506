// A pool worker in the page: a module Web Worker started by pool.web.ts (nested in the data worker).
import type { ToWorker } from './messages';
import { workerHandler } from './worker-handler';

const handle = workerHandler();
self.onmessage = (e: MessageEvent<ToWorker>) => {
  const { msg, transfer } = handle(e.data);
  self.postMessage(msg, { transfer });
};
