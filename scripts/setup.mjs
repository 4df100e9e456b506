// Installs whatever a fresh machine lacks, so `npm start` and `npm test` are the only commands a person needs.
//   node scripts/setup.mjs start : npm packages
//   node scripts/setup.mjs test  : npm packages, plus Debian's chromium (the browser the end-to-end tests drive
//                                  and the SwiftShader Vulkan driver the GPU tests run on) and the Vulkan loader
import { execSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const mode = process.argv[2] ?? 'start';
const run = (cmd) => { console.log(`[setup] ${cmd}`); execSync(cmd, { stdio: 'inherit' }); };

function npmPackages() {
  const lock = 'package-lock.json';
  const stamp = 'node_modules/.package-lock.json';
  const stale = !existsSync(stamp) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(stamp).mtimeMs + 1000);
  if (stale) run(existsSync(lock) ? 'npm ci --no-audit --no-fund' : 'npm install --no-audit --no-fund');
}

function debianPackages() {
  const missing = [];
  if (!existsSync(process.env.CHROME_PATH ?? '/usr/bin/chromium')) missing.push('chromium');
  const hasLoader = ['/lib/x86_64-linux-gnu/libvulkan.so.1', '/usr/lib/x86_64-linux-gnu/libvulkan.so.1',
    '/lib/aarch64-linux-gnu/libvulkan.so.1', '/usr/lib/aarch64-linux-gnu/libvulkan.so.1'].some(existsSync);
  if (!hasLoader) missing.push('libvulkan1');
  if (missing.length === 0) return;
  const sudo = process.getuid && process.getuid() !== 0 ? 'sudo ' : '';
  run(`${sudo}apt-get update -qq`);
  run(`${sudo}env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${missing.join(' ')}`);
}

npmPackages();
if (mode === 'test') debianPackages();
