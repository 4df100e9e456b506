// Runs a Leveret command from Node: bundles src/cli/main.ts with esbuild (shaders inlined as text, the way
// Vite's `?raw` does in the page), then runs it with the SwiftShader/GPU environment prepared.
//   node scripts/cli.mjs <data|train|eval|bench|check> [args...]
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { rawTextPlugin } from './esbuild-raw.mjs';

mkdirSync('.cache', { recursive: true });
// One bundle per process: two commands started at once (a test suite, two terminals) must not overwrite
// each other's bundle while it runs.
const outfile = `.cache/leveret-cli-${process.pid}.mjs`;
let status = 1;
try {
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
  status = r.status ?? 1;
} finally {
  rmSync(outfile, { force: true });
}
process.exit(status);
