// A pool worker under Node's worker_threads (bundled on demand by pool.node.ts).
import { parentPort } from 'node:worker_threads';
import type { ToWorker } from './messages';
import { workerHandler } from './worker-handler';

const handle = workerHandler();
const port = parentPort!;
port.on('message', (msg: ToWorker) => {
  const { msg: out, transfer } = handle(msg);
  port.postMessage(out, transfer);
});
