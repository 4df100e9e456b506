// Memory bound: the whole pipeline runs over a generated input many times larger than the memory it is given.
// It runs in a child process whose JavaScript heap is capped (node --max-old-space-size), so holding the input
// would crash it; the child also reports its peak heap and buffer memory, which must stay under the bound.
// The input holds a 300 MB single line (reported, skipped without being held) and 48 MB of ordinary records.
// It runs in-process and with two pool workers (their heaps are capped alike; this thread holds the chunks
// in flight, two per worker).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, expect, it } from 'vitest';

const MB = 1024 * 1024;
const HEAP_CAP_MB = 48;         // V8 old-space limit of the child
const BOUND = 48 * MB;          // peak heap + buffers above the child's starting point
const HUGE_MB = 300;
const RECORDS_MB = 48;

const root = join(__dirname, '..', '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'leveret-memory-'));
// The bundle sits inside the project so its bare imports (hyparquet, tinyld) resolve from node_modules.
const bundle = join(root, '.cache', `memory-child-${process.pid}.mjs`);
afterAll(() => { rmSync(dir, { recursive: true, force: true }); rmSync(bundle, { force: true }); });

it.each([0, 2])(`processes ${HUGE_MB + RECORDS_MB} MB of input within ${BOUND / MB} MB (%i workers)`, async (workers) => {
  mkdirSync(join(root, '.cache'), { recursive: true });
  await build({ entryPoints: [join(__dirname, 'fixtures', 'memory-child.ts')], bundle: true, platform: 'node', format: 'esm',
    target: 'node20', outfile: bundle, packages: 'external', logLevel: 'error' });
  const r = spawnSync(process.execPath, [`--max-old-space-size=${HEAP_CAP_MB}`, bundle, join(dir, `out${workers}`), String(HUGE_MB), String(RECORDS_MB), String(workers)],
    { encoding: 'utf8', cwd: root, timeout: 110_000 });
  expect(r.status, r.stderr).toBe(0);
  const out = JSON.parse(r.stdout) as {
    base: Record<string, number>; peak: Record<string, number>; inputBytes: number; read: number; kept: number;
    problems: Record<string, number>; trainSequences: number;
  };
  const growth = (out.peak.heapUsed - out.base.heapUsed) + (out.peak.arrayBuffers - out.base.arrayBuffers);
  console.log(`memory (${workers} workers): ${(out.inputBytes / MB).toFixed(0)} MB in, peak heap +${((out.peak.heapUsed - out.base.heapUsed) / MB).toFixed(1)} MB, ` +
    `buffers +${((out.peak.arrayBuffers - out.base.arrayBuffers) / MB).toFixed(1)} MB, rss +${((out.peak.rss - out.base.rss) / MB).toFixed(1)} MB; ` +
    `${out.read} records read, ${out.kept} kept, ${out.trainSequences} sequences`);
  expect(out.inputBytes).toBeGreaterThan(5 * BOUND);
  expect(growth).toBeLessThan(BOUND);
  expect(out.problems).toEqual({ 'too-long': 1, 'malformed-json': 1 });
  expect(out.read).toBeGreaterThan(2000);
  expect(out.kept).toBeGreaterThan(out.read); // records of ~16 KB are split in two by the 2k-token cap
}, 120_000);
