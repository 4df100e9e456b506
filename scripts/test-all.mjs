// Runs every suite (typecheck, unit, gpu, e2e) and ends with one line: `N passed, N failed`.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import { swiftshaderEnv } from './gpu-env.mjs';

const env = { ...process.env, ...swiftshaderEnv() };
let passed = 0;
let failed = 0;

// 1. Typecheck: the whole project in strict mode counts as one test.
console.log('\n== typecheck (tsc --noEmit)');
const tsc = spawnSync('npx', ['tsc', '--noEmit', '-p', '.'], { stdio: 'inherit', env });
if (tsc.status === 0) passed++; else failed++;

// 2. Vitest: unit, gpu and e2e projects in one run.
mkdirSync('.cache', { recursive: true });
const report = '.cache/vitest-report.json';
const extra = process.argv.slice(2);
console.log('\n== vitest (unit, gpu, e2e)');
spawnSync('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...extra],
  { stdio: 'inherit', env });
if (existsSync(report)) {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  // A file that fails to load has no tests to count: count it as one failure so it can't hide.
  for (const suite of r.testResults ?? []) {
    if (suite.status === 'failed' && (suite.assertionResults ?? []).length === 0) failed++;
  }
} else {
  failed++;
}
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
