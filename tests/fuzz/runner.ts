// Runs fuzz families in child processes with a watchdog: an input that runs past the budget is a hang (the
// child is killed and a new one goes on from the next input), so one stuck reader cannot stop the suite.
import { fork } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import type { Verdict } from './family';
import type { ChildMessage } from './child';
import { families } from './families/index';

export interface Failure { i: number; label: string; kind: string; detail: string }

export interface FamilyReport {
  family: string;
  describe: string;
  inputs: number;
  accepted: number;
  refused: number;
  crashes: number;
  hangs: number;
  unnamed: number;
  lost: number;
  violations: number;
  failures: Failure[];
  ms: number;
}

export interface FuzzOptions {
  count: number;
  seed?: number;
  /** Only these families (by name); all when absent. */
  only?: string[];
  /** Milliseconds one input may take before it counts as a hang. */
  budgetMs?: number;
  onProgress?: (family: string, done: number, count: number) => void;
}

let bundled: Promise<string> | undefined;

/** The child bundled once per process (shaders as text, packages external), as the CLI runs. */
function bundleChild(): Promise<string> {
  bundled ??= (async () => {
    mkdirSync('.cache', { recursive: true });
    const outfile = '.cache/fuzz-child.mjs';
    // Paths from the project root: this file runs from its own bundle in .cache too (npm run fuzz).
    const { rawTextPlugin } = await import(pathToFileURL(resolve('scripts/esbuild-raw.mjs')).href);
    await build({
      entryPoints: [resolve('tests/fuzz/child.ts')], bundle: true, platform: 'node', format: 'esm',
      target: 'node20', outfile, packages: 'external', sourcemap: 'inline', logLevel: 'warning', plugins: [rawTextPlugin],
    });
    return outfile;
  })();
  return bundled;
}

export function familyNames(): string[] {
  return families.map((f) => f.name);
}

export async function runFamily(name: string, opts: FuzzOptions): Promise<FamilyReport> {
  const family = families.find((f) => f.name === name);
  if (!family) throw new Error(`no fuzz family named ${name} (have: ${familyNames().join(', ')})`);
  const child = await bundleChild();
  const seed = opts.seed ?? 1;
  const budgetMs = opts.budgetMs ?? 10_000;
  const report: FamilyReport = {
    family: name, describe: family.describe, inputs: 0, accepted: 0, refused: 0, crashes: 0, hangs: 0,
    unnamed: 0, lost: 0, violations: 0, failures: [], ms: 0,
  };
  const t0 = performance.now();
  const record = (i: number, label: string, v: Verdict) => {
    report.inputs++;
    switch (v.kind) {
      case 'accepted': report.accepted++; break;
      case 'refused': report.refused++; break;
      case 'crash': report.crashes++; break;
      case 'hang': report.hangs++; break;
      case 'unnamed': report.unnamed++; break;
      case 'lost': report.lost++; break;
      case 'violation': report.violations++; break;
      default: throw new Error(`unknown verdict ${(v as Verdict).kind}`);
    }
    if ('detail' in v) report.failures.push({ i, label, kind: v.kind, detail: v.detail });
    opts.onProgress?.(name, report.inputs, opts.count);
  };

  let next = 0;
  while (next < opts.count) {
    next = await new Promise<number>((resolve) => {
      const proc = fork(child, [name, String(seed), String(next), String(opts.count - next)], {
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'], execArgv: ['--enable-source-maps', '--stack-size=984'],
      });
      let stderr = '';
      proc.stderr?.on('data', (d) => { stderr = (stderr + String(d)).slice(-2000); });
      let current: { i: number; label: string } | undefined;
      let resumeAt = next;
      let timer: NodeJS.Timeout | undefined;
      let settled = false;
      const finish = (at: number) => { if (!settled) { settled = true; clearTimeout(timer); resolve(at); } };
      proc.on('message', (m: ChildMessage) => {
        switch (m.type) {
          case 'start':
            current = { i: m.i, label: m.label };
            clearTimeout(timer);
            timer = setTimeout(() => {
              record(m.i, m.label, { kind: 'hang', detail: `no result after ${budgetMs} ms` });
              proc.kill('SIGKILL');
              finish(m.i + 1);
            }, budgetMs);
            break;
          case 'done':
            clearTimeout(timer);
            record(m.i, current?.label ?? '?', m.verdict);
            current = undefined;
            resumeAt = m.i + 1;
            break;
          case 'end':
            finish(opts.count);
            break;
          default:
            throw new Error(`unknown child message ${(m as ChildMessage).type}`);
        }
      });
      proc.on('exit', (code, signal) => {
        if (settled) return;
        // The child died (out of memory, a native crash, an uncaught error outside run()): the input it was
        // on is a crash; go on from the next one.
        if (current) {
          record(current.i, current.label, { kind: 'crash', detail: `child exited (${signal ?? code}): ${stderr.trim().slice(-300)}` });
          finish(current.i + 1);
        } else if (resumeAt < opts.count) {
          record(resumeAt, '(making the input)', { kind: 'crash', detail: `child exited (${signal ?? code}): ${stderr.trim().slice(-300)}` });
          finish(resumeAt + 1);
        } else {
          finish(opts.count);
        }
      });
    });
  }
  report.ms = performance.now() - t0;
  return report;
}

export async function runFuzz(opts: FuzzOptions): Promise<FamilyReport[]> {
  const out: FamilyReport[] = [];
  for (const name of opts.only ?? familyNames()) out.push(await runFamily(name, opts));
  return out;
}

export function failuresOf(r: FamilyReport): number {
  return r.crashes + r.hangs + r.unnamed + r.lost + r.violations;
}

/** The table `npm run fuzz` prints, and the test prints on failure. */
export function formatReports(reports: FamilyReport[]): string {
  const head = '| family | inputs | accepted | refused | crashes | hangs | unnamed | lost | violations | s |';
  const rule = '|---|---|---|---|---|---|---|---|---|---|';
  const rows = reports.map((r) => `| ${r.family} | ${r.inputs} | ${r.accepted} | ${r.refused} | ${r.crashes} | ${r.hangs} | ${r.unnamed} | ${r.lost} | ${r.violations} | ${(r.ms / 1000).toFixed(1)} |`);
  const fails = reports.flatMap((r) => r.failures.slice(0, 5).map((f) => `  ${r.family} #${f.i} [${f.kind}] ${f.label}: ${f.detail}`));
  return [head, rule, ...rows, ...(fails.length ? ['', 'failures (first 5 per family):', ...fails] : [])].join('\n');
}
