// Runs a TypeScript entry point in Node the way the CLI runs: bundled by esbuild with shaders as text.
//   node scripts/run-ts.mjs path/to/file.ts [args...]
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { basename } from 'node:path';
import { rawTextPlugin } from './esbuild-raw.mjs';

const [entry, ...args] = process.argv.slice(2);
mkdirSync('.cache', { recursive: true });
const outfile = `.cache/run-${basename(entry).replace(/\.ts$/, '')}.mjs`;
await build({
  entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile,
  packages: 'external', sourcemap: 'inline', logLevel: 'warning', plugins: [rawTextPlugin],
});
const env = { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' };
const r = spawnSync(process.execPath, ['--enable-source-maps', outfile, ...args], { stdio: 'inherit', env });
process.exit(r.status ?? 1);
