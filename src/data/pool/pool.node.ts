// The pool under Node: worker_threads running worker.node.ts. Node cannot start a TypeScript file as a
// worker, and the CLI, the bench and vitest each run the sources differently, so the worker is bundled
// with esbuild on first use (once per process) into the project's .cache, where its bare imports (tinyld)
// resolve from node_modules.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Plugin } from 'esbuild';
import { Worker } from 'node:worker_threads';
import type { FromWorker } from './messages';
import { defaultWorkerCount, EndpointPool, type CreateWorkerPool, type WorkerEndpoint } from './pool';

const ENTRY = join('src', 'data', 'pool', 'worker.node.ts');

/** The default for `npm run data`: one worker per core for large inputs (pool.ts defaultWorkerCount). */
export function defaultWorkers(inputBytes: number): number {
  return defaultWorkerCount(availableParallelism(), inputBytes);
}

/** The project root: the nearest folder above this module (source or bundle in .cache) holding the worker's source. */
function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, ENTRY))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find ${ENTRY} above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

let bundled: Promise<string> | undefined;

/** Bundles the worker (once per process) to .cache/data-worker-HASH.mjs, named by its contents: runs of the same
 *  sources share one file, a run never overwrites a file another run's worker is starting from (a new source
 *  gives a new name, written to a temporary name first and renamed into place), and nothing is left per run. */
function bundleWorker(): Promise<string> {
  bundled ??= (async () => {
    const root = projectRoot();
    mkdirSync(join(root, '.cache'), { recursive: true });
    const { build } = await import('esbuild');
    // Mistral's tokenizer data comes in as text through `?raw`, as in the CLI's bundle.
    const { rawTextPlugin } = await import(pathToFileURL(join(root, 'scripts', 'esbuild-raw.mjs')).href) as { rawTextPlugin: Plugin };
    const out = await build({
      entryPoints: [resolve(root, ENTRY)], bundle: true, platform: 'node', format: 'esm', target: 'node20',
      outfile: join(root, '.cache', 'data-worker.mjs'), write: false, packages: 'external', sourcemap: 'inline',
      logLevel: 'warning', plugins: [rawTextPlugin],
    });
    const code = out.outputFiles[0].contents;
    const hash = createHash('sha256').update(code).digest('hex').slice(0, 16);
    const file = join(root, '.cache', `data-worker-${hash}.mjs`);
    if (!existsSync(file)) {
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, code);
      renameSync(tmp, file);
    }
    return file;
  })();
  return bundled;
}

function endpoint(file: string): WorkerEndpoint {
  const w = new Worker(file);
  return {
    post: (msg, transfer) => w.postMessage(msg, transfer),
    listen(onMessage, onCrash) {
      w.on('message', (m: FromWorker) => onMessage(m));
      w.on('error', onCrash);
      w.on('exit', (code) => { if (code !== 0) onCrash(new Error(`exit code ${code}`)); });
    },
    terminate: () => { void w.terminate(); },
  };
}

export const createNodePool: CreateWorkerPool = async (workers) => {
  const file = await bundleWorker();
  return new EndpointPool(Array.from({ length: workers }, () => endpoint(file)));
};
