// Runs a Leveret command from Node: bundles src/cli/main.ts with esbuild (shaders inlined as text, the way
// Vite's `?raw` does in the page), then runs it with the SwiftShader/GPU environment prepared.
//   node scripts/cli.mjs <train|prepare|eval|bench> [args...]
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { rawTextPlugin } from './esbuild-raw.mjs';

// `prepare` is also an npm lifecycle name: `npm install` and `npm ci` run it with no arguments. Only
// `npm run prepare -- ...` (npm_command "run-script", or a direct call) means the data pipeline.
const lifecycle = process.env.npm_lifecycle_event === 'prepare' && process.env.npm_command && process.env.npm_command !== 'run-script';
if (process.argv[2] === 'prepare' && lifecycle) process.exit(0);

mkdirSync('.cache', { recursive: true });
const outfile = '.cache/leveret-cli.mjs';
await build({
  entryPoints: ['src/cli/main.ts'],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile,
  packages: 'external',
  sourcemap: 'inline',
  logLevel: 'warning',
  plugins: [rawTextPlugin],
});
const env = { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' };
const r = spawnSync(process.execPath, ['--enable-source-maps', outfile, ...process.argv.slice(2)], { stdio: 'inherit', env });
process.exit(r.status ?? 1);
