// Packs what the GPU machine needs into .device/ (it has no Node and no network): the CLI as one file,
// an xz-compressed node binary, npm `webgpu` with its dawn.node (compressed), the public-domain corpus, and
// the scripts of scripts/device/. Run `bash scripts/device/run.sh` there with `.device` and `.gl` carried.
import { build } from 'esbuild';
import { execSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, rmSync } from 'node:fs';
import { rawTextPlugin } from '../esbuild-raw.mjs';

const out = '.device';
rmSync(out, { recursive: true, force: true });
mkdirSync(`${out}/data`, { recursive: true });
await build({
  entryPoints: ['src/cli/main.ts'], bundle: true, platform: 'node', format: 'esm', target: 'node20',
  outfile: `${out}/leveret.mjs`, external: ['webgpu'], logLevel: 'warning', plugins: [rawTextPlugin],
  // Bundled CommonJS dependencies call require(); give the ES module one.
  banner: { js: "import { createRequire as __leveretRequire } from 'node:module'; const require = __leveretRequire(import.meta.url);" },
});
const web = `${out}/node_modules/webgpu`;
mkdirSync(`${web}/dist/linux-x64`, { recursive: true });
for (const f of ['package.json', 'index.js']) copyFileSync(`node_modules/webgpu/${f}`, `${web}/${f}`);
execSync(`xz -T2 -6 -c node_modules/webgpu/dist/linux-x64/dawn.node > ${web}/dist/linux-x64/dawn.node.xz`);
execSync(`xz -T2 -6 -c ${process.execPath} > ${out}/node.xz`);
for (const f of ['moby-dick.jsonl']) copyFileSync(`../shared/data/${f}`, `${out}/data/${f}`);
cpSync('scripts/device', `${out}/scripts`, { recursive: true });
console.log(execSync(`du -sh ${out} ${out}/* ${web}/dist/linux-x64/*`, { encoding: 'utf8' }));
